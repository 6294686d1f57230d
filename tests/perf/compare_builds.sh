#!/usr/bin/env bash
# compare_builds.sh: two fetcher builds side by side on the course lists and on throughput, run
# alternately (A, B, A, B, ...) so that a noisy machine weighs on both alike. Loopback only.
#
#   tests/perf/compare_builds.sh OLD_FETCHER NEW_FETCHER [--runs N] [--lists-only]
#
# Lists: `fetcher bench` of urls/mipt.txt, python-docs.txt and popular.txt (every default
# strategy, its own emulated origin), once per build per round; per strategy, the median over the
# rounds of wall minus ideal, and of client CPU. Throughput: `fetcher load` of one URL from
# `fetcher serve` (a zero-latency site, 1 KiB bodies) over 32 kept-alive connections for 5 s,
# http and https; the median CPU per request and requests/s. Prints one table per part, the two builds in adjacent columns.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
old=$1 new=$2
shift 2
runs=3
lists_only=0
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --lists-only) lists_only=1; shift ;;
    *) echo "compare_builds.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for binary in "$old" "$new"; do [[ -x $binary ]] || { echo "compare_builds.sh: $binary is not executable" >&2; exit 2; }; done
work=$(mktemp -d /tmp/fetcher-compare.XXXXXX)
serve_pid=
cleanup() { [[ -n $serve_pid ]] && kill "$serve_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

lists=("$repo/urls/mipt.txt" "$repo/urls/python-docs.txt" "$repo/urls/popular.txt")
for ((run = 1; run <= runs; ++run)); do
  for side in old new; do
    binary=$old
    [[ $side == new ]] && binary=$new
    echo "compare_builds.sh: round $run/$runs, $side: bench ..." >&2
    "$binary" bench "${lists[@]}" --sites "$repo/urls/sites.toml" --format json -q --output "$work/bench-$side-$run.json"
  done
done

if ((!lists_only)); then
  printf '[[site]]\nhost = "load.test"\nlatency_ms = 0\nbody_bytes = 1024\ncapacity = 0\n' > "$work/load.toml"
  "$new" serve --sites "$work/load.toml" > "$work/serve.out" &
  serve_pid=$!
  for _ in $(seq 100); do grep -q "CA:" "$work/serve.out" 2>/dev/null && break; sleep 0.05; done
  http_port=$(awk '/http:/ && !/https:/ {split($2, a, ":"); print a[2]}' "$work/serve.out")
  https_port=$(awk '/https:/ {split($2, a, ":"); print a[2]}' "$work/serve.out")
  ca_file=$(awk '/CA:/ {print $2}' "$work/serve.out")
  for ((run = 1; run <= runs; ++run)); do
    for scheme in http https; do
      for side in old new; do
        binary=$old
        [[ $side == new ]] && binary=$new
        echo "compare_builds.sh: round $run/$runs, $side: load $scheme ..." >&2
        "$binary" load "$scheme://load.test/" -c 32 -d 5s --format json --cacert "$ca_file" \
          --connect-to ":80:127.0.0.1:$http_port" --connect-to ":443:127.0.0.1:$https_port" \
          > "$work/load-$scheme-$side-$run.json"
      done
    done
  done
fi

python3 - "$work" "$runs" <<'PY'
import json, statistics, sys, glob, os
work, runs = sys.argv[1], int(sys.argv[2])
def median(values): return statistics.median(values) if values else float("nan")
rows = {}
for side in ("old", "new"):
    for run in range(1, runs + 1):
        report = json.load(open(os.path.join(work, f"bench-{side}-{run}.json")))
        for lst in report["lists"]:
            for s in lst["strategies"]:
                key = (lst["name"], s["strategy"])
                entry = rows.setdefault(key, {"old": {"over": [], "cpu": []}, "new": {"over": [], "cpu": []}})
                entry[side]["over"].append((s["wall_s"] - s["ideal_s"]) * 1e3)
                entry[side]["cpu"].append((s["cpu_user_s"] + s["cpu_sys_s"]) * 1e3)
print(f"course lists: median of {runs} rounds, old and new alternated")
print(f"{'list':<16} {'strategy':<12} {'over ideal old':>15} {'new':>9} {'cpu old':>9} {'new':>9}")
for (name, strategy), entry in rows.items():
    o, n = entry["old"], entry["new"]
    print(f"{name:<16} {strategy:<12} {median(o['over']):>12.1f} ms {median(n['over']):>6.1f} ms"
          f" {median(o['cpu']):>6.1f} ms {median(n['cpu']):>6.1f} ms")
loads = sorted(glob.glob(os.path.join(work, "load-*.json")))
if loads:
    print(f"\nthroughput: fetcher load, 32 connections, 5 s, median of {runs}")
    print(f"{'scheme':<8} {'req/s old':>10} {'new':>10} {'cpu/req old':>12} {'new':>9} {'ratio':>7}")
    for scheme in ("http", "https"):
        figures = {}
        for side in ("old", "new"):
            reports = [json.load(open(os.path.join(work, f"load-{scheme}-{side}-{run}.json"))) for run in range(1, runs + 1)]
            figures[side] = (median([r["req_per_s"] for r in reports]), median([r["cpu_us_per_request"] for r in reports]))
        (old_rps, old_cpu), (new_rps, new_cpu) = figures["old"], figures["new"]
        print(f"{scheme:<8} {old_rps:>10.0f} {new_rps:>10.0f} {old_cpu:>9.1f} us {new_cpu:>6.1f} us {new_cpu / old_cpu:>6.2f}x")
PY
