#!/usr/bin/env python3
"""peer.py: the tools a user would otherwise pick, timed against the emulated origin or nginx.

Used by tests/perf/peers.sh. Each mode prints one JSON line:
  {"tool", "wall_s", "requests", "ok", "failed", "cpu_user_s", "cpu_sys_s"}
wall and CPU cover the fetching only (not the interpreter's start-up or imports) for the Python
tools, and the whole child process (its rusage once reaped) for the external ones (curl, wrk, h2load, fetcher).

Host mapping, as curl's --connect-to: every host name resolves to 127.0.0.1, port 80 goes to
--http-port and 443 to --https-port, while the Host header, SNI and certificate check keep the
URL's host; the origin's CA (--cafile) is trusted explicitly (verification stays on).

  peer.py list MODE LIST --http-port P --https-port Q --cafile CA
      MODE: requests-sequential | requests-threads | requests-pool:N | aiohttp
            | curl-sequential | curl-parallel
  peer.py load aiohttp URL -c C -n N [--cafile CA]      one URL, C connections, N requests
  peer.py run -- COMMAND...                              a child's wall and rusage
"""
import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def read_list(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]


def map_hosts(http_port, https_port):
    """Every name to 127.0.0.1, ports 80/443 to the origin's: urllib3 and aiohttp both resolve
    through socket.getaddrinfo, and both connect to the port it returns."""
    real = socket.getaddrinfo
    ports = {80: http_port, 443: https_port, "80": http_port, "443": https_port, "http": http_port,
             "https": https_port}

    def mapped(host, port, family=0, type=0, proto=0, flags=0):
        return real("127.0.0.1", ports.get(port, port), socket.AF_INET, type, proto, flags)

    socket.getaddrinfo = mapped


class Clock:
    """Wall and this process's CPU (all threads) over the timed section."""

    def __enter__(self):
        self.usage = resource.getrusage(resource.RUSAGE_SELF)
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.start
        after = resource.getrusage(resource.RUSAGE_SELF)
        self.user = after.ru_utime - self.usage.ru_utime
        self.sys = after.ru_stime - self.usage.ru_stime


def report(tool, clock, statuses):
    ok = sum(1 for s in statuses if s and s < 400)
    print(json.dumps({"tool": tool, "wall_s": clock.wall, "requests": len(statuses), "ok": ok,
                      "failed": len(statuses) - ok, "cpu_user_s": clock.user, "cpu_sys_s": clock.sys}))


def requests_modes(mode, urls, cafile):
    import requests  # noqa: imported before the clock starts

    def get(url):
        try:
            # requests.get: a new connection per URL, as the course notebooks do.
            return requests.get(url, verify=cafile, timeout=30).status_code
        except requests.RequestException as error:
            print(f"{url}: {error}", file=sys.stderr)
            return 0

    statuses = [0] * len(urls)
    with Clock() as clock:
        if mode == "requests-sequential":
            statuses = [get(url) for url in urls]
        elif mode == "requests-threads":
            def one(i):
                statuses[i] = get(urls[i])
            threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        else:
            workers = int(mode.split(":")[1])
            with ThreadPoolExecutor(workers) as pool:
                statuses = list(pool.map(get, urls))
    return clock, statuses


def aiohttp_list(urls, cafile):
    import asyncio
    import ssl
    import aiohttp

    async def main():
        context = ssl.create_default_context(cafile=cafile)
        connector = aiohttp.TCPConnector(ssl=context, limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            async def get(url):
                try:
                    async with session.get(url, timeout=aiohttp.ClientTimeout(total=30)) as response:
                        await response.read()
                        return response.status
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    print(f"{url}: {error!r}", file=sys.stderr)
                    return 0
            return await asyncio.gather(*(get(url) for url in urls))

    with Clock() as clock:
        statuses = asyncio.run(main())
    return clock, statuses


def timed_child(command):
    """Runs a command to the end: its wall time, and its CPU as the kernel accounted it to this
    process's reaped children (the difference over the run is exactly that child's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": wall, "cpu_user_s": after.ru_utime - before.ru_utime,
            "cpu_sys_s": after.ru_stime - before.ru_stime, "out": out, "err": err, "exit_code": child.returncode}


def curl_list(mode, urls, http_port, https_port, cafile):
    with tempfile.NamedTemporaryFile("w", suffix=".curl", delete=False) as config:
        for url in urls:
            config.write(f'url = "{url}"\noutput = "/dev/null"\n')
    command = ["curl", "-s", "-L", "--cacert", cafile, "--max-time", "30",
               "--connect-to", f":443:127.0.0.1:{https_port}",
               "--connect-to", f":80:127.0.0.1:{http_port}",
               "-w", "%{http_code}\\n", "-K", config.name]
    if mode == "curl-parallel":
        command[1:1] = ["--parallel", "--parallel-max", "100"]
    try:
        child = timed_child(command)
    finally:
        os.unlink(config.name)
    statuses = [int(s) for s in child["out"].split()]
    statuses += [0] * (len(urls) - len(statuses))

    clock = argparse.Namespace(wall=child["wall_s"], user=child["cpu_user_s"], sys=child["cpu_sys_s"])
    return clock, statuses


def aiohttp_load(url, connections, requests_total, cafile):
    import asyncio
    import ssl
    import aiohttp

    statuses = []

    async def main():
        context = ssl.create_default_context(cafile=cafile) if cafile else None
        connector = aiohttp.TCPConnector(ssl=context if context else None, limit=connections)
        left = [requests_total]
        async with aiohttp.ClientSession(connector=connector) as session:
            async def worker():
                while left[0] > 0:
                    left[0] -= 1
                    try:
                        async with session.get(url) as response:
                            await response.read()
                            statuses.append(response.status)
                    except aiohttp.ClientError as error:
                        print(f"{url}: {error!r}", file=sys.stderr)
                        statuses.append(0)
            await asyncio.gather(*(worker() for _ in range(connections)))

    with Clock() as clock:
        asyncio.run(main())
    return clock, statuses


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    lst = sub.add_parser("list")
    lst.add_argument("mode")
    lst.add_argument("list")
    lst.add_argument("--http-port", type=int, required=True)
    lst.add_argument("--https-port", type=int, required=True)
    lst.add_argument("--cafile", required=True)
    load = sub.add_parser("load")
    load.add_argument("mode", choices=["aiohttp"])
    load.add_argument("url")
    load.add_argument("-c", type=int, default=32)
    load.add_argument("-n", type=int, default=5000)
    load.add_argument("--cafile")
    run = sub.add_parser("run")
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()

    if args.what == "run":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        child = timed_child(command)
        sys.stdout.write(child["out"])
        sys.stderr.write(child["err"])
        print(json.dumps({"wall_s": child["wall_s"], "cpu_user_s": child["cpu_user_s"],
                          "cpu_sys_s": child["cpu_sys_s"], "exit_code": child["exit_code"]}))
        return 0
    if args.what == "load":
        clock, statuses = aiohttp_load(args.url, args.c, args.n, args.cafile)
        report("aiohttp", clock, statuses)
        return 0
    urls = read_list(args.list)
    if args.mode.startswith("curl"):
        clock, statuses = curl_list(args.mode, urls, args.http_port, args.https_port, args.cafile)
    else:
        map_hosts(args.http_port, args.https_port)
        if args.mode.startswith("requests"):
            clock, statuses = requests_modes(args.mode, urls, args.cafile)
        elif args.mode == "aiohttp":
            clock, statuses = aiohttp_list(urls, args.cafile)
        else:
            parser.error(f"unknown mode {args.mode}")
    report(args.mode, clock, statuses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
