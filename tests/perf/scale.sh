#!/usr/bin/env bash
# scale.sh: the scale checks, measured on this machine (never asserted in unit tests: these
# machines are shared and noisy). Every figure comes from `fetcher bench` against the emulated
# origin, each strategy in a fresh child process; wall times are medians of RUNS runs.
#
#   tests/perf/scale.sh [FETCHER] [RUNS]      (default build/cli/fetcher, 5; needs jq)
#
# 1. Time: 10,000 URLs over 10 hosts at 100 ms, unlimited capacity, plain HTTP, async on one
#    loop and on two: wall against the model's ideal, and whether every URL came back ok.
#    `tests/perf/floor.sh --fanout 10000` shows how much of the time over the ideal a C client
#    and a C server would take on the same machine.
# 2. Memory per in-flight connection: the same 10,000 URLs with every fetch in flight against
#    at most 100 in flight. Both runs keep the same 10,000 results, so the difference in peak
#    RSS over the difference in connections is what one more connection in flight costs.
#    Plain HTTP, then TLS (2,000 URLs: the origin's handshakes share these two cores).
# 3. threads at 10,000 URLs: completes, or names why URLs failed (thread or file limits).
# 4. The same 10,000 URLs with at most 1,000 in flight: kept-alive connections, a tenth of them.
#
# About eight minutes on two cores (the capped memory runs are 100 rounds of 200 ms each).
set -euo pipefail

fetcher=${1:-build/cli/fetcher}
runs=${2:-5}
command -v jq > /dev/null || { echo "scale.sh: needs jq (apt-get install jq)" >&2; exit 2; }
[[ -x $fetcher ]] || { echo "scale.sh: no fetcher binary at $fetcher" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

bench() {  # bench NAME ARGS...: JSON to $out/NAME.json, the failure lines to $out/NAME.err
  local name=$1
  shift
  echo "+ fetcher bench $*" >&2
  "$fetcher" bench -q --no-charts --format json "$@" > "$out/$name.json" 2> "$out/$name.err" || true
  grep -v '^fetcher: warning' "$out/$name.err" | head -5 >&2 || true
}

median_rss() {  # the median of the peak RSS (KB) of a strategy over the runs of NAME-1..N
  local name=$1 strategy=$2
  for f in "$out/$name"-*.json; do jq -r --arg s "$strategy" '.lists[0].strategies[] | select(.strategy == $s) | .peak_rss_kb' "$f"; done |
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "== 1. 10k URLs, 10 hosts, 100 ms, capacity unlimited, http: wall vs ideal (median of $runs)"
bench time --synthetic 10k --hosts 10 --latency 100ms --capacity 0 --strategies async,async:2 --runs "$runs"
jq -r '.lists[0].strategies[] | "\(.strategy): wall \(.wall_s * 1000 | round) ms (runs: \([.wall_runs_s[] * 1000 | round] | join(", ")) ms), ideal \(.ideal_s * 1000 | round) ms, over ideal \((.wall_s - .ideal_s) * 1000 | round) ms, ok \(.ok)/\(.requests), cpu \((.cpu_user_s + .cpu_sys_s) * 1000 | round) ms, peak RSS \(.peak_rss_kb) KB"' "$out/time.json"

for scheme in http https; do
  if [[ $scheme == http ]]; then urls=10000; else urls=2000; fi
  echo "== 2. memory per in-flight $scheme connection ($urls URLs: all in flight vs 100; median of $runs)"
  for i in $(seq "$runs"); do
    bench "all-$scheme-$i" --synthetic "$urls" --hosts 10 --latency 200ms --capacity 0 --scheme "$scheme" \
      --strategies async --tls-timeout 60s --timeout 120s --first-byte-timeout 60s
    bench "capped-$scheme-$i" --synthetic "$urls" --hosts 10 --latency 200ms --capacity 0 --scheme "$scheme" \
      --strategies async --max-in-flight 100 --tls-timeout 60s --timeout 120s --first-byte-timeout 60s
  done
  all=$(median_rss "all-$scheme" async)
  capped=$(median_rss "capped-$scheme" async)
  ok=$(jq -r '.lists[0].strategies[0] | "\(.ok)/\(.requests)"' "$out/all-$scheme-1.json")
  awk -v all="$all" -v capped="$capped" -v n="$urls" -v ok="$ok" -v s="$scheme" 'BEGIN {
    printf "%s: peak RSS %d KB with %d in flight (ok %s), %d KB with 100: %.1f KB per in-flight connection\n",
      s, all, n, ok, capped, (all - capped) / (n - 100) }'
done

echo "== 3. threads at 10k URLs (one OS thread per URL)"
bench threads --synthetic 10k --hosts 10 --latency 100ms --capacity 0 --strategies threads
jq -r '.lists[0].strategies[] | "\(.strategy): wall \(.wall_s * 1000 | round) ms, ideal \(.ideal_s * 1000 | round) ms, ok \(.ok)/\(.requests), peak threads \(.peak_threads), peak RSS \(.peak_rss_kb) KB"' "$out/threads.json"

echo "== 4. 10k URLs with at most 1,000 in flight (keep-alive reuses connections; median of $runs)"
bench capped --synthetic 10k --hosts 10 --latency 100ms --capacity 0 --strategies async,async:2 --max-in-flight 1000 --runs "$runs"
jq -r '.lists[0].strategies[] | "\(.strategy) --max-in-flight 1000: wall \(.wall_s * 1000 | round) ms, ideal \(.ideal_s * 1000 | round) ms, ok \(.ok)/\(.requests), connections \(.connections_opened), cpu \((.cpu_user_s + .cpu_sys_s) * 1000 | round) ms, peak RSS \(.peak_rss_kb) KB"' "$out/capped.json"
