#!/usr/bin/env python3
"""peers_report.py: the tables of tests/perf/peers.sh.

  peers_report.py parse-load NAME OUT ERR   one throughput run's output -> one JSON line
  peers_report.py parse-crawl NAME SETTING OUT PATHS EXPECTED
                                            one crawl run (the tool's output, the origin's
                                            "paths" answer, the expected set) -> one JSON line
  peers_report.py ideal FETCHER_STDERR      the seconds of `fetcher crawl --synthetic`'s ideal line
  peers_report.py table WORKDIR CONNECTIONS the merged tables (medians of the runs)
"""
import json
import os
import re
import statistics
import sys

# Which of fetcher's strategies schedules like each peer: its ideal is the peer's ideal too.
PEER_STRATEGY = {
    "requests-sequential": "sequential",
    "curl-sequential": "sequential",
    "requests-threads": "threads",
    "requests-pool:8": "pool:8",
    "aiohttp": "async",
    "curl-parallel": "async",
}
PEER_LABEL = {
    "requests-sequential": "python requests, sequential",
    "requests-threads": "python requests, thread per URL",
    "requests-pool:8": "python requests, ThreadPoolExecutor(8)",
    "aiohttp": "python aiohttp, all at once",
    "curl-sequential": "curl, sequential",
    "curl-parallel": "curl --parallel",
}


def seconds(text):
    """'66 ms' style for the table: us under 1 ms, ms under 1 s."""
    if text is None:
        return "-"
    if abs(text) < 1e-3:
        return f"{text * 1e6:.0f} us"
    if abs(text) < 0.1:
        return f"{text * 1e3:.1f} ms"
    if abs(text) < 1:
        return f"{text * 1e3:.0f} ms"
    return f"{text:.2f} s"


def parse_load(name, out_path, err_path):
    try:
        parse_load_run(name, out_path, err_path)
    except (ValueError, KeyError, IndexError, AttributeError) as error:  # a tool that failed to run
        with open(err_path) as f:
            sys.stderr.write(f"{name}: could not read its output ({error!r}):\n{f.read()[-2000:]}\n")
        print(json.dumps({"name": name, "requests": 0, "ok": 0, "req_per_s": None, "cpu_per_request_us": None}))


def parse_load_run(name, out_path, err_path):
    with open(out_path) as f:
        lines = f.read().splitlines()
    with open(err_path) as f:
        err = f.read()
    run = json.loads(lines[-1])  # peer.py run's own line: the process's wall and rusage
    out = "\n".join(lines[:-1])
    row = {"name": name, "cpu_s": run["cpu_user_s"] + run["cpu_sys_s"], "exit_code": run["exit_code"]}
    if " wrk " in f" {name} ":
        total = int(re.search(r"(\d+) requests in", out).group(1))
        bad = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
        bad += sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
        row.update(requests=total, ok=total - bad, req_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)))
    elif "h2load" in name:
        match = re.search(r"requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded", out)
        row.update(requests=int(match.group(1)), ok=int(match.group(2)),
                   req_per_s=float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out).group(1)))
    elif "fetcher" in name:
        result = json.loads(lines[0])
        row.update(requests=result["requests"], ok=result["ok"], req_per_s=result["req_per_s"],
                   p99_ms=result["latency_ms"]["p99"])
    elif "aiohttp" in name:
        result = json.loads(lines[0])
        # Python's start-up and imports are not the client's work per request: its own clock.
        row.update(requests=result["requests"], ok=result["ok"], req_per_s=result["requests"] / result["wall_s"],
                   cpu_s=result["cpu_user_s"] + result["cpu_sys_s"])
    if row.get("requests", 0) == 0:
        sys.stderr.write(f"{name}: no result\n{out}\n{err}\n")
    row["cpu_per_request_us"] = row["cpu_s"] / row["requests"] * 1e6 if row.get("requests") else None
    print(json.dumps(row))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def lists_table(work):
    bench_path = os.path.join(work, "bench.json")
    if not os.path.exists(bench_path):
        return
    with open(bench_path) as f:
        bench = json.load(f)
    for entry in bench["lists"]:
        name = entry["name"]
        ideal_of = {s["strategy"]: s["ideal_s"] for s in entry["strategies"]}
        rows = []
        for s in entry["strategies"]:
            rows.append(("fetcher " + s["strategy"], s["wall_s"], s["ideal_s"], s["cpu_user_s"] + s["cpu_sys_s"],
                         s["ok"], s["requests"], True))
        peers_path = os.path.join(work, "lists", name + ".jsonl")
        peers = {}
        if os.path.exists(peers_path):
            with open(peers_path) as f:
                for line in f:
                    result = json.loads(line)
                    peers.setdefault(result["tool"], []).append(result)
        for tool, results in peers.items():
            rows.append((PEER_LABEL.get(tool, tool), median([r["wall_s"] for r in results]),
                         ideal_of.get(PEER_STRATEGY.get(tool)),
                         median([r["cpu_user_s"] + r["cpu_sys_s"] for r in results]),
                         min(r["ok"] for r in results), results[0]["requests"], False))
        print(f"\n{name}: {entry['urls']} URLs, emulated origin (median of {len(next(iter(peers.values()), [0]*3))} runs)")
        width = max(len(r[0]) for r in rows)
        print(f"{'tool / strategy':<{width}}  {'wall':>8}  {'ideal':>8}  {'eff':>4}  {'over':>8}  {'cpu':>8}  ok")
        for label, wall, ideal, cpu, ok, total, _ in rows:
            eff = f"{ideal / wall * 100:.0f}%" if ideal and wall else "-"
            over = seconds(wall - ideal) if ideal is not None else "-"
            print(f"{label:<{width}}  {seconds(wall):>8}  {seconds(ideal):>8}  {eff:>4}  {over:>8}  {seconds(cpu):>8}"
                  f"  {ok}/{total}")
        ours = [(r[1] - r[2], r[0]) for r in rows if r[6] and r[2] is not None]
        theirs = [(r[1] - r[2], r[0]) for r in rows if not r[6] and r[2] is not None]
        if ours and theirs:
            worst = max(ours)
            best_peer = min(theirs)
            within = all(o <= 0.010 for o, _ in ours)
            third = worst[0] <= best_peer[0] / 3
            print(f"targets: fetcher's largest overhead over ideal {seconds(worst[0])} ({worst[1]}): "
                  f"{'within' if within else 'NOT within'} 10 ms; best peer's overhead {seconds(best_peer[0])} "
                  f"({best_peer[1]}): fetcher's worst is {'at most' if third else 'MORE than'} a third of it")


def load_table(work, connections):
    path = os.path.join(work, "load", "results.jsonl")
    if not os.path.exists(path):
        return
    by_name = {}
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            by_name.setdefault(row["name"], []).append(row)
    runs = max(len(v) for v in by_name.values())
    print(f"\nthroughput: nginx on loopback (1 worker), GET of a 1 KiB file, {connections} connections, "
          f"keep-alive (median of {runs} runs)")
    width = max(len(n) for n in by_name)
    print(f"{'client':<{width}}  {'req/s':>8}  {'cpu/req':>8}  {'ok/requests':>13}")
    medians = {}
    for name, rows in by_name.items():
        rps = median([r.get("req_per_s") for r in rows])
        cpu = median([r.get("cpu_per_request_us") for r in rows])
        medians[name] = (rps, cpu)
        ok = sum(r.get("ok", 0) for r in rows)
        total = sum(r.get("requests", 0) for r in rows)
        print(f"{name:<{width}}  {rps or 0:>8.0f}  {(cpu or 0):>5.1f} us  {ok:>6}/{total:<6}")
    for scheme in ("http", "https"):
        ours = medians.get(f"{scheme} fetcher load --threads 1")
        wrk = medians.get(f"{scheme} wrk -t1")
        aio = medians.get(f"{scheme} aiohttp")
        if ours and wrk and aio and ours[1] and wrk[1] and aio[0]:
            print(f"targets ({scheme}): fetcher CPU/request {ours[1]:.1f} us vs wrk's {wrk[1]:.1f} us "
                  f"({'met' if ours[1] <= wrk[1] else 'NOT met'}: {ours[1] / wrk[1]:.2f}x); fetcher req/s "
                  f"{ours[0] / aio[0]:.1f}x aiohttp's ({'met' if ours[0] >= 10 * aio[0] else 'NOT met'}, target 10x)")


def parse_crawl(name, setting, out_path, paths_path, expected_path):
    """The origin's per-URL request counts against the set a correct crawl fetches."""
    with open(out_path) as f:
        lines = f.read().splitlines()
    run = json.loads(lines[-1])  # peer.py run's own line: the process's wall and rusage
    with open(paths_path) as f:
        paths = json.load(f)["paths"]
    with open(expected_path) as f:
        expected = {line.strip() for line in f if line.strip()}
    counts, robots, robots_hosts = {}, 0, set()
    for path in paths:
        if path["target"] == "/robots.txt":
            robots += path["requests"]
            robots_hosts.add(path["host"])
            continue
        counts["http://" + path["host"] + path["target"]] = path["requests"]
    hosts = {url.split("/")[2] for url in expected}
    missing = sorted(expected - counts.keys())
    unexpected = sorted(counts.keys() - expected)
    twice = sorted(url for url, n in counts.items() if n > 1)
    correct = not missing and not unexpected and not twice and robots == len(hosts) and robots_hosts == hosts
    row = {"name": name, "setting": setting, "pages": sum(counts.values()), "wall_s": run["wall_s"],
           "cpu_s": run["cpu_user_s"] + run["cpu_sys_s"], "exit_code": run["exit_code"], "correct": correct,
           "missing": len(missing), "unexpected": len(unexpected), "twice": len(twice), "robots": robots,
           "hosts": len(hosts), "expected": len(expected),
           # A few of each, and what kind (paths with the numbers taken out), for the notes.
           "missing_kinds": kinds(missing), "unexpected_kinds": kinds(unexpected), "twice_kinds": kinds(twice),
           "examples": {"missing": missing[:3], "not in the set": unexpected[:3],
                        "more than once": [f"{url} x{counts[url]}" for url in twice[:4]]}}
    for line in lines[:-1]:  # the spider's own line: the crawl alone, without Python's start-up
        if line.startswith("{") and '"tool"' in line:
            own = json.loads(line)
            row["own_wall_s"] = own["wall_s"]
            row["own_cpu_s"] = own["cpu_user_s"] + own["cpu_sys_s"]
    print(json.dumps(row))


def kinds(urls):
    counter = {}
    for url in urls:
        kind = re.sub(r"\d+", "N", url.split("/", 3)[3] if url.count("/") >= 3 else url)
        counter["/" + kind] = counter.get("/" + kind, 0) + 1
    return dict(sorted(counter.items(), key=lambda item: -item[1]))


def ideal_seconds(stderr_path):
    with open(stderr_path) as f:
        match = re.search(r"^\s*ideal\s+([\d.]+)\s*(us|ms|s)\b", f.read(), re.M)
    if not match:
        sys.exit(f"no ideal line in {stderr_path}")
    print({"us": 1e-6, "ms": 1e-3, "s": 1.0}[match.group(2)] * float(match.group(1)))


def crawl_table(work):
    path = os.path.join(work, "crawl", "results.jsonl")
    if not os.path.exists(path):
        return
    settings = {}
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            settings.setdefault(row["setting"], {}).setdefault(row["name"], []).append(row)
    about = {}
    with open(os.path.join(work, "crawl", "settings.jsonl")) as f:
        for line in f:
            entry = json.loads(line)
            about[entry["setting"]] = entry
    for setting, by_name in settings.items():
        info = about[setting]
        runs = max(len(v) for v in by_name.values())
        print(f"\ncrawl ({setting}): {info['describe']} (median of {runs} runs)\n")
        print("| tool | in flight | pages | wall | ideal | pages/s | client CPU | CPU/page | correct set |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---|")
        notes = []
        for name, rows in by_name.items():
            wall = median([r["wall_s"] for r in rows])
            cpu = median([r["cpu_s"] for r in rows])
            pages = median([r["pages"] for r in rows])
            ideal = info["ideal_sequential_s"] if name.startswith("wget") else info["ideal_s"]
            rate = pages / wall if wall else None
            per_page = cpu / pages if pages else None
            good = sum(1 for r in rows if r["correct"])
            verdict = "yes" if good == len(rows) else ("no" if good == 0 else f"{good}/{len(rows)} runs")
            in_flight = "1 (sequential)" if name.startswith("wget") else f"{info['per_host']} per host"
            print(f"| {name} | {in_flight} | {pages:.0f} | {seconds(wall)} | {seconds(ideal)} | "
                  f"{rate:.0f} | {seconds(cpu)} | {seconds(per_page)} | {verdict} |")
            last = rows[-1]
            if not last["correct"]:
                notes.append(f"{name}: {last['missing']} of {last['expected']} expected URLs missing "
                             f"{last['missing_kinds']}, {last['unexpected']} not in the set {last['unexpected_kinds']}, "
                             f"{last['twice']} requested more than once {last['twice_kinds']}, robots.txt "
                             f"{last['robots']} times for {last['hosts']} hosts; e.g. "
                             + "; ".join(f"{k}: {', '.join(v)}" for k, v in last.get("examples", {}).items() if v))
            if "own_wall_s" in last:
                notes.append(f"{name}: the crawl alone (Python's start-up and imports left out) "
                             f"{seconds(median([r['own_wall_s'] for r in rows]))} wall, "
                             f"{seconds(median([r['own_cpu_s'] for r in rows]))} CPU")
        for note in notes:
            print(f"- {note}")


def main():
    if sys.argv[1] == "parse-load":
        parse_load(*sys.argv[2:5])
    elif sys.argv[1] == "parse-crawl":
        parse_crawl(*sys.argv[2:7])
    elif sys.argv[1] == "ideal":
        ideal_seconds(sys.argv[2])
    elif sys.argv[1] == "table":
        lists_table(sys.argv[2])
        load_table(sys.argv[2], sys.argv[3])
        crawl_table(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
