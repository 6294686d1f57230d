#!/usr/bin/env bash
# floor.sh: what one sequential round trip costs on this machine before any client or origin
# code runs, so that a sequential row's overhead over the ideal can be read against it.
#
#   tests/perf/floor.sh [--runs N] [--count N] [--latency MS] [--body BYTES]
#   tests/perf/floor.sh --fanout N [--hosts H] [--runs N] [--latency MS] [--body BYTES]
#
# The shape is mipt's (80 requests, one at a time, 66 ms each, 31.5 KB bodies), on loopback:
#   1. floor_client -> floor_server: the least a client and a server can do (C, one blocking
#      socket; epoll, latency from the kernel's receive stamp, a sleep and a spin to the
#      deadline, one write, as the origin does). The machine's floor.
#   2. floor_client -> fetcher serve: the same client against the emulated origin.
#   3. fetcher bench sequential and pool:1: fetcher against its own emulated origin.
# Each row: the median over N runs (3) of the wall time over the ideal, per request, and (1, 2)
# the median and p90 of how late the first byte of each response came.
#
# --fanout N: the scale check's shape instead (N URLs all at once over H hosts (10), 100 ms,
# 2 KB bodies, capacity unlimited: one connection per URL), the same three rows:
#   1. fanout_client -> fanout_server: C, one thread and one epoll set each, no HTTP parsing to
#      speak of. What opening, serving and closing N loopback connections at once costs here.
#   2. fanout_client -> fetcher serve: the origin's share.
#   3. fetcher bench async -> its origin: the scale check itself.
# Each row: the median over the runs of the wall time over the ideal, how many came back whole,
# and the client's CPU time.
# Needs a C compiler (cc) and a Release build (FETCHER=path/to/fetcher, default build/cli/fetcher).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
fetcher=${FETCHER:-$repo/build/cli/fetcher}
runs=3 count=80 latency_ms=66 body=31500 fanout=0 hosts=10
while (($#)); do
  case $1 in
    --fanout) fanout=$2; latency_ms=100; body=2048; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --latency) latency_ms=$2; shift 2 ;;
    --body) body=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "floor.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x $fetcher ]] || { echo "floor.sh: $fetcher not found; build first or set FETCHER" >&2; exit 2; }
command -v cc >/dev/null || { echo "floor.sh: needs a C compiler (cc)" >&2; exit 2; }
((count >= 1 && count <= 10000 && runs >= 1 && runs <= 20)) || { echo "floor.sh: --count 1..10000, --runs 1..20" >&2; exit 2; }
((fanout >= 0 && fanout <= 20000 && hosts >= 1 && hosts <= 1000)) || { echo "floor.sh: --fanout 1..20000, --hosts 1..1000" >&2; exit 2; }

work=$(mktemp -d /tmp/fetcher-floor.XXXXXX)
started=()  # pids of what this script started, stopped on exit
cleanup() {
  for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$work/floor_client" "$repo/tests/perf/floor/floor_client.c"
cc -O2 -o "$work/floor_server" "$repo/tests/perf/floor/floor_server.c"
latency_s=$(awk -v ms="$latency_ms" 'BEGIN { printf "%.6f", ms / 1000 }')
# Bounded: the longest run times the runs, plus a margin.
budget=$(awk -v n="$count" -v r="$runs" -v l="$latency_s" 'BEGIN { printf "%d", n * l * r + 60 }')

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_port() { for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Waits (at most 65 s) until fewer than 1,000 TCP sockets are in TIME_WAIT, so that each row
# starts as the first one does: a row of fanout runs leaves tens of thousands for 60 s, and a
# connect searches past them for a free port (within a row, runs wait 1.1 s, as the bench's own
# runs do: enough for the kernel to reuse those ports, not for them to go).
wait_for_time_wait() {
  local waited=0 left
  while left=$(awk '$1 == "TCP:" { for (i = 2; i < NF; ++i) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat); \
        ((${left:-0} >= 1000 && waited < 65)); do
    sleep 1
    waited=$((waited + 1))
  done
  if ((waited > 0)); then echo "floor.sh: waited ${waited} s for TIME_WAIT sockets to clear ($left left)" >&2; fi
}

# Runs floor_client RUNS times against PORT; prints "over_ms per_request_us late_p50 late_p90" medians.
client_runs() {
  local port=$1 host=$2 out=$work/client.txt
  : > "$out"
  for ((r = 0; r < runs; ++r)); do "$work/floor_client" "$port" "$host" "$count" "$latency_s" >> "$out"; done
  printf '%s %s %s %s\n' "$(cut -d' ' -f1 "$out" | median)" "$(cut -d' ' -f4 "$out" | median)" \
    "$(cut -d' ' -f2 "$out" | median)" "$(cut -d' ' -f3 "$out" | median)"
}

if ((fanout > 0)); then
  cc -O2 -o "$work/fanout_client" "$repo/tests/perf/floor/fanout_client.c"
  cc -O2 -o "$work/fanout_server" "$repo/tests/perf/floor/fanout_server.c"
  command -v jq > /dev/null || { echo "floor.sh: --fanout needs jq (apt-get install jq)" >&2; exit 2; }
  budget=$((runs * 70 + 60))  # fanout_client gives up 60 s past the latency
  echo "floor.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $fanout requests at once over" \
    "$hosts hosts, ${latency_ms} ms each, $body-byte bodies, medians of $runs" >&2
  # Runs fanout_client RUNS times against PORT; prints "over_ms ok cpu_ms" medians.
  fanout_runs() {
    local port=$1 out=$work/fanout.txt
    : > "$out"
    for ((r = 0; r < runs; ++r)); do
      "$work/fanout_client" "$port" "$fanout" "$hosts" "$latency_s" >> "$out" || true
      sleep 1.1  # the last run's TIME_WAIT ports become reusable (tcp_tw_reuse: a second old), as the bench waits
    done
    printf '%s %s %s\n' "$(cut -d' ' -f1 "$out" | median)" "$(cut -d' ' -f3 "$out" | median)" \
      "$(cut -d' ' -f4 "$out" | median)"
  }
  port=$(free_port)
  "$work/fanout_server" "$port" "$latency_s" "$body" "$budget" &
  started+=($!)
  wait_for_port "$port"
  wait_for_time_wait
  c_to_c=$(fanout_runs "$port")

  # The sites `fetcher bench --synthetic` generates (cli/common/synthetic.cpp).
  for ((h = 1; h <= hosts; ++h)); do
    printf '[[site]]\nhost = "h%d.synthetic.test"\nlatency_ms = %d\njitter_ms = 0\nbody_bytes = %d\ncapacity = 0\n\n' \
      "$h" "$latency_ms" "$body"
  done > "$work/sites.toml"
  port=$(free_port)
  # The origin as the bench runs it for 1,000 URLs or more: its heap on huge pages
  # (cli/bench/huge_pages.hpp). Without them a fresh origin's first 10,000 connections cost it about
  # 130 MB of page faults, and its listen queue overflowed while it caught up: 2.2 s over the
  # ideal in its first run, 0.5-0.7 s with them.
  serve_env=()
  if ((fanout >= 1000)) && [[ ${GLIBC_TUNABLES:-} != *glibc.malloc.hugetlb* ]]; then
    serve_env=("GLIBC_TUNABLES=${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1")
  fi
  env "${serve_env[@]}" "$fetcher" serve --sites "$work/sites.toml" --http-port "$port" --https-port 0 \
    > "$work/serve.log" 2>&1 &
  started+=($!)
  wait_for_port "$port"
  wait_for_time_wait
  c_to_origin=$(fanout_runs "$port")

  wait_for_time_wait
  "$fetcher" bench -q --no-charts --format json --synthetic "$fanout" --hosts "$hosts" --latency "${latency_ms}ms" \
    --body "$body" --capacity 0 --strategies async --runs "$runs" > "$work/bench.json" 2> "$work/bench.err" || true
  fetcher_row=$(jq -r '.lists[0].strategies[0] | "\((.wall_s - .ideal_s) * 1000) \(.ok) \((.cpu_user_s + .cpu_sys_s) * 1000)"' \
    "$work/bench.json" 2> /dev/null || echo "nan 0 nan")

  printf '\n%-40s %12s %8s %12s\n' "$fanout at once, one connection each" "over ideal" "ok" "client CPU"
  row() { printf '%-40s %9.0f ms %8d %9.0f ms\n' "$1" "$2" "$3" "$4"; }
  # shellcheck disable=SC2086
  row "C client -> C server (the floor)" $c_to_c
  # shellcheck disable=SC2086
  row "C client -> fetcher serve" $c_to_origin
  # shellcheck disable=SC2086
  row "fetcher bench async -> its origin" $fetcher_row
  exit 0
fi

echo "floor.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $count requests one at a time," \
  "${latency_ms} ms each, $body-byte bodies, medians of $runs" >&2

# 1. C against C.
port=$(free_port)
"$work/floor_server" "$port" "$latency_s" "$body" "$budget" &
started+=($!)
wait_for_port "$port"
c_to_c=$(client_runs "$port" floor.test)

# 2. C against the emulated origin (one site, no jitter, capacity 1).
cat > "$work/sites.toml" <<TOML
seed = 1
[[site]]
host = "h1.synthetic.test"
latency_ms = $latency_ms
jitter_ms = 0
body_bytes = $body
capacity = 1
TOML
port=$(free_port)
"$fetcher" serve --sites "$work/sites.toml" --http-port "$port" --https-port 0 > "$work/serve.log" 2>&1 &
started+=($!)
wait_for_port "$port"
c_to_origin=$(client_runs "$port" h1.synthetic.test)

# 3. fetcher against its own emulated origin, the same site.
"$fetcher" bench -q --format csv --synthetic "$count" --hosts 1 --latency "${latency_ms}ms" --body "$body" \
  --capacity 1 --strategies sequential,pool:1 --runs "$runs" > "$work/bench.csv"

printf '\n%-40s %12s %12s %18s\n' "sequential round trips" "over ideal" "per request" "first byte late"
row() { printf '%-40s %9.1f ms %9.0f us %8.0f/%4.0f us\n' "$1" "$2" "$3" "$4" "$5"; }
# shellcheck disable=SC2086
row "C client -> C server (the floor)" $c_to_c
# shellcheck disable=SC2086
row "C client -> fetcher serve" $c_to_origin
awk -F, 'NR > 1 { printf "%-40s %9.1f ms %9.0f us %18s\n", "fetcher bench " $2 " -> its origin", ($4 - $5) * 1e3, ($4 - $5) * 1e6 / $3, "" }' \
  "$work/bench.csv"
echo "(first byte late: median/p90 past the server's latency, measured by the C client)"
