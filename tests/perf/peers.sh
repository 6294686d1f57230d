#!/usr/bin/env bash
# peers.sh: fetcher beside the tools a user would otherwise pick, in one table per list, and a
# throughput table against a real nginx. Loopback only; stops exactly what it starts.
#
#   tests/perf/peers.sh [--runs N] [--lists-only | --throughput-only | --crawl-only] [-c CONNECTIONS]
#                       [--crawl-pages N]
#
# Lists: the emulated origin (`fetcher serve --control`, its own free ports and CA) serves the
# course lists' sites; Python requests (sequential, a thread per URL, ThreadPoolExecutor(8)),
# aiohttp, curl (sequential, --parallel) reach it through curl-style host mapping and its CA
# (tests/perf/peer.py); fetcher's own strategies come from `fetcher bench --format json`, which
# starts its own origin from the same sites file. Each figure is the median of N runs (3).
#
# Throughput: nginx (one worker, a temp prefix, free ports, a 1 KiB file, plain and TLS) with
# wrk, h2load --h1, fetcher load and aiohttp, all with the same connection count; req/s and
# client CPU per request (user + system of the client process, from the kernel's accounting).
# wrk, h2load and fetcher each run for the same 5 seconds, so that each process's start-up (its
# libraries loaded and linked; docs/performance.md has the figures) is spread over about as many
# requests: with a fixed request count instead, the tool that runs fewer requests pays more of
# its start-up per request.
#
# Crawl: a generated website (`fetcher crawl --synthetic N --emit-site DIR`: 4 hosts, their
# seeds, and the set a correct robots-obeying, host-scoped crawl fetches) on the emulated origin,
# which every crawler reaches as its HTTP proxy: Scrapy (tests/perf/crawl_spider.py, breadth
# first, per-host concurrency as fetcher's; once as it comes and once with rel="NoFollow" read
# case-insensitively), wget --recursive (one connection, sequential) and fetcher crawl. Two
# settings: 20 ms, --per-host 2, 2 KB pages (politeness-bound) and 0 ms, --per-host 8, 30 KB pages
# (CPU-bound). Pages are the requests the origin counted (robots.txt aside); "correct set" is
# whether they are the expected set, each URL once and robots.txt once per host; the ideal is
# `fetcher crawl --synthetic`'s (the origin's model), for wget with one fetch at a time. Wall and
# CPU are the tool's whole process tree (the spider's own clock is in the notes).
#
# Needs: .ci/install-perf-deps, and a Release build (FETCHER=path/to/fetcher, default
# build/cli/fetcher).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
fetcher=${FETCHER:-$repo/build/cli/fetcher}
python=/usr/bin/python3   # Debian's, where python3-requests and python3-aiohttp are
peer=$repo/tests/perf/peer.py
runs=3
connections=32
do_lists=1
do_throughput=1
do_crawl=1
crawl_pages=2000          # pages of the generated site, spread over crawl_hosts hosts
crawl_hosts=4
crawl_timeout=900         # seconds: a crawler that does not end is stopped (its row shows it)
load_seconds=5            # wrk, h2load and fetcher load, per run
aiohttp_requests=5000     # aiohttp is slower: a smaller count, same connections

while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    -c) connections=$2; shift 2 ;;
    --lists-only) do_throughput=0; do_crawl=0; shift ;;
    --throughput-only) do_lists=0; do_crawl=0; shift ;;
    --crawl-only) do_lists=0; do_throughput=0; shift ;;
    --crawl-pages) crawl_pages=$2; shift 2 ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "peers.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x $fetcher ]] || { echo "peers.sh: $fetcher not found; build first or set FETCHER" >&2; exit 2; }
needed=()
if ((do_lists)); then needed+=(curl); fi
if ((do_throughput)); then needed+=(curl wrk h2load nginx openssl); fi
if ((do_crawl)); then needed+=(wget timeout); fi
for tool in "${needed[@]}"; do
  command -v "$tool" >/dev/null || { echo "peers.sh: $tool missing; run .ci/install-perf-deps" >&2; exit 2; }
done
"$python" -c 'import requests, aiohttp' 2>/dev/null ||
  { echo "peers.sh: python3-requests/python3-aiohttp missing; run .ci/install-perf-deps" >&2; exit 2; }
if ((do_crawl)); then
  "$python" -c 'import scrapy' 2>/dev/null ||
    { echo "peers.sh: python3-scrapy missing; run .ci/install-perf-deps" >&2; exit 2; }
fi

work=$(mktemp -d /tmp/fetcher-peers.XXXXXX)
started=()  # pids of what this script started, stopped on exit
cleanup() {
  for pid in "${started[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "peers.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $runs runs each" >&2

# ---- lists: the emulated origin -------------------------------------------------------------
lists=(mipt.txt python-docs.txt popular.txt)
modes=(requests-sequential requests-threads requests-pool:8 aiohttp curl-sequential curl-parallel)
if ((do_lists)); then
  mkdir -p "$work/lists"
  echo "peers.sh: fetcher bench --runs $runs (its own origin, same sites) ..." >&2
  bench_lists=()
  for list in "${lists[@]}"; do bench_lists+=("$repo/urls/$list"); done
  "$fetcher" bench "${bench_lists[@]}" --sites "$repo/urls/sites.toml" --runs "$runs" --format json -q \
    --output "$work/bench.json"

  coproc ORIGIN { exec "$fetcher" serve --sites "$repo/urls/sites.toml" --control; }
  origin_pid=$ORIGIN_PID
  started+=("$origin_pid")
  read -r ready <&"${ORIGIN[0]}"
  read -r http_port https_port ca_file < <("$python" -c \
    'import json,sys; r=json.loads(sys.argv[1]); print(r["http_port"], r["https_port"], r["ca_file"])' "$ready")
  for list in "${lists[@]}"; do
    for mode in "${modes[@]}"; do
      echo "peers.sh: $list $mode x$runs ..." >&2
      for ((run = 1; run <= runs; ++run)); do
        # Every run sees the origin as fetcher's strategies do, fresh: jitter depends on how
        # often a path was asked for, and the ideal column assumes the first time.
        echo reset >&"${ORIGIN[1]}"
        read -r _ <&"${ORIGIN[0]}"
        "$python" "$peer" list "$mode" "$repo/urls/$list" --http-port "$http_port" --https-port "$https_port" \
          --cafile "$ca_file" >>"$work/lists/$list.jsonl"
      done
    done
  done
  echo quit >&"${ORIGIN[1]}"
  wait "$origin_pid" || true
fi

# ---- throughput: nginx on loopback -----------------------------------------------------------
if ((do_throughput)); then
  nginx_dir=$work/nginx
  mkdir -p "$nginx_dir/www" "$nginx_dir/tmp" "$work/load"
  head -c 1024 /dev/zero | tr '\0' 'x' >"$nginx_dir/www/1k"
  # nginx's worker drops to its own user when started as root: it must be able to read the file.
  chmod go+rx "$work" "$nginx_dir" "$nginx_dir/www"
  chmod go+r "$nginx_dir/www/1k"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$nginx_dir/key.pem" -out "$nginx_dir/cert.pem" \
    2>/dev/null
  read -r plain_port tls_port < <("$python" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
  cat >"$nginx_dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process on;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
  client_body_temp_path $nginx_dir/tmp;
  proxy_temp_path $nginx_dir/tmp;
  fastcgi_temp_path $nginx_dir/tmp;
  uwsgi_temp_path $nginx_dir/tmp;
  scgi_temp_path $nginx_dir/tmp;
  server {
    listen 127.0.0.1:$plain_port;
    listen 127.0.0.1:$tls_port ssl;
    ssl_certificate $nginx_dir/cert.pem;
    ssl_certificate_key $nginx_dir/key.pem;
    root $nginx_dir/www;
  }
}
CONF
  nginx -p "$nginx_dir" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/error.log" 2>"$work/nginx.stderr" &
  nginx_pid=$!
  started+=("$nginx_pid")
  for ((i = 0; i < 50; ++i)); do
    curl -sf -o /dev/null "http://127.0.0.1:$plain_port/1k" && break
    sleep 0.1
  done
  curl -sf -o /dev/null "http://127.0.0.1:$plain_port/1k" ||
    { echo "peers.sh: nginx did not start:" >&2; tail -5 "$work/nginx.stderr" "$nginx_dir/error.log" >&2; exit 3; }
  echo "peers.sh: nginx $(nginx -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$plain_port (http), :$tls_port (https)" >&2

  # One measured client run: its own output, then a line of its wall and rusage.
  measure() {
    local name=$1; shift
    "$python" "$peer" run -- "$@" >"$work/load/out" 2>"$work/load/err" || true
    "$python" "$repo/tests/perf/peers_report.py" parse-load "$name" "$work/load/out" "$work/load/err" \
      >>"$work/load/results.jsonl"
  }
  for scheme in http https; do
    # The certificate names 127.0.0.1 too: fetcher and aiohttp verify it, wrk and h2load do not.
    if [[ $scheme == http ]]; then url=http://127.0.0.1:$plain_port/1k; else url=https://127.0.0.1:$tls_port/1k; fi
    for threads in 1 2; do
      echo "peers.sh: $scheme, $threads thread(s), $connections connections x$runs ..." >&2
      for ((run = 1; run <= runs; ++run)); do
        measure "$scheme wrk -t$threads" wrk -t"$threads" -c"$connections" -d"${load_seconds}s" "$url"
        measure "$scheme h2load --h1 -t$threads" h2load --h1 -t"$threads" -c"$connections" -D"$load_seconds" "$url"
        measure "$scheme fetcher load --threads $threads" "$fetcher" load "$url" -c "$connections" \
          -d "${load_seconds}s" --threads "$threads" --format json --cacert "$nginx_dir/cert.pem"
        if ((threads == 1)); then
          measure "$scheme aiohttp" "$python" "$peer" load aiohttp "$url" -c "$connections" \
            -n "$aiohttp_requests" --cafile "$nginx_dir/cert.pem"
        fi
      done
    done
  done
  kill -QUIT "$nginx_pid"  # graceful: the master stops its worker and exits
  wait "$nginx_pid" || true
fi

# ---- crawl: a generated site on the emulated origin, which every crawler uses as its proxy -----
if ((do_crawl)); then
  mkdir -p "$work/crawl"
  # name, latency, per-host, page body
  crawl_settings=("politeness-bound 20ms 2 2KB" "CPU-bound 0ms 8 30KB")
  for setting in "${crawl_settings[@]}"; do
    read -r name latency per_host body <<<"$setting"
    site=$work/crawl/$name
    synthetic=(--synthetic "$crawl_pages" --hosts "$crawl_hosts" --latency "$latency" --body "$body")
    "$fetcher" crawl "${synthetic[@]}" --emit-site "$site"
    expected_pages=$(wc -l <"$site/expected.txt")
    hosts=$(sed 's|^[a-z]*://||; s|/.*||' "$site/seeds.txt" | paste -sd, -)
    # The ideal: the origin's model, from fetcher's own synthetic crawl of the same site (once);
    # for wget, one fetch at a time over all hosts.
    echo "peers.sh: crawl $name: the ideal from fetcher crawl --synthetic (per-host $per_host, and one at a time) ..." >&2
    "$fetcher" crawl "${synthetic[@]}" --per-host "$per_host" --color never 2>"$site/ideal.err" || true
    "$fetcher" crawl "${synthetic[@]}" --per-host 1 --max-in-flight 1 --color never 2>"$site/ideal1.err" || true
    ideal=$("$python" "$repo/tests/perf/peers_report.py" ideal "$site/ideal.err")
    ideal1=$("$python" "$repo/tests/perf/peers_report.py" ideal "$site/ideal1.err")
    printf '{"setting": "%s", "ideal_s": %s, "ideal_sequential_s": %s, "per_host": %s, "describe": "%s"}\n' \
      "$name" "$ideal" "$ideal1" "$per_host" \
      "$crawl_pages pages and $((expected_pages - crawl_pages)) other URLs (redirects, errors, query variants, binaries) over $crawl_hosts hosts, $latency latency, $body pages, --per-host $per_host" \
      >>"$work/crawl/settings.jsonl"

    coproc ORIGIN { exec "$fetcher" serve --sites "$site/sites.toml" --control; }
    origin_pid=$ORIGIN_PID
    started+=("$origin_pid")
    read -r ready <&"${ORIGIN[0]}"
    http_port=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["http_port"])' "$ready")
    proxy=http://127.0.0.1:$http_port
    # Every tool reaches the origin as its HTTP proxy, is bounded by timeout, and sees a fresh
    # origin (reset), whose per-URL request counts are read afterwards.
    tool_names=("scrapy" "scrapy, nofollow any case" "wget -r" "fetcher crawl")
    spider=("$python" "$repo/tests/perf/crawl_spider.py" "$site/seeds.txt" --proxy "$proxy" --per-host "$per_host"
            --max-pages $((3 * expected_pages)))
    for ((run = 1; run <= runs; ++run)); do
      for i in "${!tool_names[@]}"; do
        case $i in
          0) command=("${spider[@]}") ;;
          1) command=("${spider[@]}" --nofollow-any-case) ;;
          2) command=(wget --no-config -r -l inf -e robots=on -e use_proxy=on -e "http_proxy=$proxy" --tries=1
                      --no-verbose --delete-after -P "$site/wget" -D "$hosts" -i "$site/seeds.txt") ;;
          3) command=("$fetcher" crawl -i "$site/seeds.txt" --per-host "$per_host" --proxy "$proxy" --quiet --color never) ;;
        esac
        echo "peers.sh: crawl $name, ${tool_names[$i]}, run $run of $runs ..." >&2
        echo reset >&"${ORIGIN[1]}"
        read -r _ <&"${ORIGIN[0]}"
        rm -rf "$site/wget"
        env -u no_proxy -u NO_PROXY -u http_proxy -u HTTP_PROXY \
          "$python" "$peer" run -- timeout "$crawl_timeout" "${command[@]}" >"$site/out" 2>"$site/err" || true
        echo paths >&"${ORIGIN[1]}"
        read -r paths <&"${ORIGIN[0]}"
        printf '%s\n' "$paths" >"$site/paths.json"
        "$python" "$repo/tests/perf/peers_report.py" parse-crawl "${tool_names[$i]}" "$name" "$site/out" \
          "$site/paths.json" "$site/expected.txt" >>"$work/crawl/results.jsonl"
      done
    done
    echo quit >&"${ORIGIN[1]}"
    wait "$origin_pid" || true
  done
fi

echo "peers.sh: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end" >&2
"$python" "$repo/tests/perf/peers_report.py" table "$work" "$connections"
