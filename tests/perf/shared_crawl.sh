#!/usr/bin/env bash
# shared_crawl.sh: the crawl shared through Redis (issue 19, part 7), measured on this machine
# (never asserted in unit tests: these machines are shared and noisy).
#
#   tests/perf/shared_crawl.sh [FETCHER] [RUNS]   (default build/cli/fetcher, 3; needs redis-server,
#                                                  redis-cli, python3 and GNU time; ZERO_PAGES=N sizes
#                                                  the zero-latency site, default 10000)
#
# Two settings, each on its own synthetic site graph served by `fetcher serve` on loopback:
#   zero    latency 0 ms, --per-host 8, ZERO_PAGES pages over 4 hosts (CPU-bound: the origin answers
#           at once, so the workers' CPU, Redis's and the origin's share the cores)
#   20ms    latency 20 ms, --per-host 2, 2,000 pages over 4 hosts (politeness-bound: at most 8
#           requests in flight over the whole crawl, however many workers)
# For each: the single-process crawl (no Redis) as the baseline, then 1, 2 and 4 worker processes
# of one shared crawl (a fresh --crawl-id each run, one throwaway redis-server for all). The first
# worker gets the seeds; the others start once it has joined and adopt its settings.
#   wall         first worker's start to the last worker's exit
#   pages/s      pages recorded in Redis (fetcher:{ID}:pages) / wall
#   cmds/page    sent: the workers' own "sent N Redis commands" summed / pages (an EVALSHA is one);
#                run: Redis INFO total_commands_processed delta / pages (counts the commands a
#                script runs, too)
#   CPU/page     the fetcher processes' user + system CPU (GNU time) / pages; Redis INFO
#                used_cpu_user + used_cpu_sys delta / pages; the origin's (/proc/PID/stat) / pages.
#                Their sum over the wall says how much of the machine's cores the run used.
# Every figure is the median of RUNS runs. Each shared run's export (written by the first worker)
# is checked against the site's expected.txt: the same URL set, each URL once.
# About three minutes on two cores.
set -euo pipefail

fetcher=${1:-build/cli/fetcher}
runs=${2:-3}
zero_pages=${ZERO_PAGES:-10000}
[[ -x $fetcher ]] || { echo "shared_crawl.sh: no fetcher binary at $fetcher" >&2; exit 2; }
for tool in redis-server redis-cli python3 /usr/bin/time; do
  command -v $tool > /dev/null || { echo "shared_crawl.sh: needs $tool" >&2; exit 2; }
done

out=$(mktemp -d)
redis_pid=
serve_pid=
cleanup() {
  [[ -n $serve_pid ]] && kill "$serve_pid" 2> /dev/null && wait "$serve_pid" 2> /dev/null
  [[ -n $redis_pid ]] && kill "$redis_pid" 2> /dev/null && wait "$redis_pid" 2> /dev/null
  rm -rf "$out"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# --- Redis: its own directory, no persistence, loopback, stopped by its PID -----------------------
redis_port=$(free_port)
mkdir -p "$out/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$out/redis" \
  --daemonize no > "$out/redis.log" 2>&1 &
redis_pid=$!
rcli() { redis-cli -p "$redis_port" "$@"; }
for _ in $(seq 100); do rcli ping > /dev/null 2>&1 && break; sleep 0.05; done
rcli ping > /dev/null || { echo "shared_crawl.sh: redis-server did not start" >&2; cat "$out/redis.log" >&2; exit 1; }
redis_url=redis://127.0.0.1:$redis_port

# INFO's commands processed so far and CPU seconds so far, "N CPU".
redis_counters() {
  rcli info all | tr -d '\r' | awk -F: '
    $1 == "total_commands_processed" {n = $2}
    $1 == "used_cpu_sys" || $1 == "used_cpu_user" {cpu += $2}
    END {printf "%d %.6f\n", n, cpu}'
}

# --- the origin ------------------------------------------------------------------------------------
start_site() {  # start_site NAME PAGES LATENCY: emits the site to $out/NAME and serves it
  local name=$1 pages=$2 latency=$3
  "$fetcher" crawl --synthetic "$pages" --hosts 4 --latency "$latency" --emit-site "$out/$name" > /dev/null 2>&1
  "$fetcher" serve --sites "$out/$name/sites.toml" --http-port 0 --https-port 0 > "$out/$name.serve" 2>&1 &
  serve_pid=$!
  http_port=
  for _ in $(seq 100); do
    http_port=$(awk '/^ *http:/ {split($2, a, ":"); print a[2]; exit}' "$out/$name.serve")
    [[ -n $http_port ]] && break
    sleep 0.05
  done
  [[ -n $http_port ]] || { echo "shared_crawl.sh: the origin did not start" >&2; cat "$out/$name.serve" >&2; exit 1; }
  sort "$out/$name/expected.txt" > "$out/$name/expected.sorted"
  expected_pages=$(wc -l < "$out/$name/expected.txt")
}
origin_cpu() {  # the origin's CPU seconds so far
  awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz}' "/proc/$serve_pid/stat"
}
cpu_of() {  # cpu_of FILE...: the sum of GNU time's "USER SYS" lines
  cat "$@" | awk '{s += $1 + $2} END {printf "%.2f\n", s}'
}
stop_site() { kill "$serve_pid"; wait "$serve_pid" 2> /dev/null || true; serve_pid=; }

# --- one run ----------------------------------------------------------------------------------------
# single_run SITE PER_HOST: prints "WALL_MS PAGES CLIENT_CPU ORIGIN_CPU"
single_run() {
  local site=$1 per_host=$2 start end status=0 origin_before origin_after
  origin_before=$(origin_cpu)
  start=$(now_ms)
  # Exit 1 is expected: the site's broken links answer 404 by design.
  /usr/bin/time -f '%U %S' -o "$out/single.time" timeout 300 "$fetcher" crawl -i "$out/$site/seeds.txt" --connect-to "::127.0.0.1:$http_port" \
    --per-host "$per_host" --color never 2> "$out/single.err" || status=$?
  end=$(now_ms)
  if ((status > 1)); then
    echo "shared_crawl.sh: the single-process crawl exited $status" >&2; cat "$out/single.err" >&2; exit 1
  fi
  local pages
  origin_after=$(origin_cpu)
  pages=$(awk '/ pages in / {gsub(",", "", $1); print $1; exit}' "$out/single.err")
  echo "$((end - start)) $pages $(cpu_of "$out/single.time") $(awk -v a="$origin_after" -v b="$origin_before" 'BEGIN {printf "%.2f", a - b}')"
}

# shared_run SITE PER_HOST WORKERS ID: prints "WALL_MS PAGES SENT_COMMANDS RUN_COMMANDS REDIS_CPU
# WORKERS_CPU ORIGIN_CPU" (CPU in seconds)
shared_run() {
  local site=$1 per_host=$2 workers=$3 id=$4 start end before after pids=() i
  local counters origin_before origin_after
  counters=$(redis_counters)
  read -r before_n before_cpu <<< "$counters"
  origin_before=$(origin_cpu)
  start=$(now_ms)
  /usr/bin/time -f '%U %S' -o "$out/w1.time" timeout 300 "$fetcher" crawl --frontier "$redis_url" --crawl-id "$id" -i "$out/$site/seeds.txt" \
    --connect-to "::127.0.0.1:$http_port" --per-host "$per_host" --export "$out/export.jsonl" \
    --color never 2> "$out/w1.err" &
  pids+=($!)
  # The others join once the first has stored the settings (bounded: 10 s).
  for _ in $(seq 1000); do grep -q 'started crawl' "$out/w1.err" && break; sleep 0.01; done
  grep -q 'started crawl' "$out/w1.err" || { echo "shared_crawl.sh: worker 1 did not start crawl $id" >&2; cat "$out/w1.err" >&2; exit 1; }
  for ((i = 2; i <= workers; i++)); do
    /usr/bin/time -f '%U %S' -o "$out/w$i.time" timeout 300 "$fetcher" crawl --frontier "$redis_url" --crawl-id "$id" \
      --connect-to "::127.0.0.1:$http_port" --color never 2> "$out/w$i.err" &
    pids+=($!)
  done
  local failed=0
  for ((i = 0; i < workers; i++)); do
    wait "${pids[$i]}" || { echo "shared_crawl.sh: worker $((i + 1)) of crawl $id exited $?" >&2; cat "$out/w$((i + 1)).err" >&2; failed=1; }
  done
  end=$(now_ms)
  counters=$(redis_counters)
  read -r after_n after_cpu <<< "$counters"
  origin_after=$(origin_cpu)
  ((failed == 0)) || exit 1
  local pages sent
  pages=$(rcli get "fetcher:{$id}:pages")
  sent=$(cat "$out"/w[0-9]*.err | sed -n 's/.*sent \([0-9]*\) Redis commands.*/\1/p' | awk '{s += $1} END {print s}')
  # The export holds the site's expected set, each URL once.
  grep -o '"url":"[^"]*"' "$out/export.jsonl" | sed 's/^"url":"//; s/"$//' | sort > "$out/got.sorted"
  if ! cmp -s "$out/got.sorted" "$out/$site/expected.sorted"; then
    echo "shared_crawl.sh: crawl $id ($workers workers): export differs from expected.txt:" >&2
    diff "$out/got.sorted" "$out/$site/expected.sorted" | head -20 >&2
    exit 1
  fi
  local workers_cpu
  workers_cpu=$(cpu_of "$out"/w[0-9]*.time)
  rm -f "$out"/w[0-9]*.err "$out"/w[0-9]*.time "$out/export.jsonl"
  rcli flushall > /dev/null  # after the counters: this command is not counted
  # before's INFO is counted in the delta (after's is not): take it off.
  echo "$((end - start)) $pages $sent $((after_n - before_n - 1)) $(awk -v a="$after_cpu" -v b="$before_cpu" 'BEGIN {printf "%.6f", a - b}') $workers_cpu $(awk -v a="$origin_after" -v b="$origin_before" 'BEGIN {printf "%.2f", a - b}')"
}

# --- the table --------------------------------------------------------------------------------------
rows=()
measure() {  # measure NAME PAGES LATENCY PER_HOST
  local name=$1 pages=$2 latency=$3 per_host=$4 r res wall got sent run cpu wcpu ocpu
  start_site "$name" "$pages" "$latency"
  local walls=() rates=() wcpus=() ocpus=()
  for ((r = 1; r <= runs; r++)); do
    res=$(single_run "$name" "$per_host")
    read -r wall got wcpu ocpu <<< "$res"
    walls+=("$wall")
    rates+=("$(awk -v p="$got" -v w="$wall" 'BEGIN {printf "%.1f", p * 1000 / w}')")
    wcpus+=("$(awk -v c="$wcpu" -v p="$got" 'BEGIN {printf "%.0f", c * 1e6 / p}')")
    ocpus+=("$(awk -v c="$ocpu" -v p="$got" 'BEGIN {printf "%.0f", c * 1e6 / p}')")
    echo "  $name, single process, run $r: wall $wall ms, $got pages, client CPU $wcpu s, origin CPU $ocpu s" >&2
  done
  local single_wall single_rate
  single_wall=$(median "${walls[@]}")
  single_rate=$(median "${rates[@]}")
  rows+=("| $name | single process | $expected_pages | $single_wall | $single_rate | 1.00 | - | - | $(median "${wcpus[@]}") / - / $(median "${ocpus[@]}") |")
  local one_rate=
  for workers in 1 2 4; do
    walls=() rates=() wcpus=() ocpus=()
    local sents=() runs_=() cpus=()
    for ((r = 1; r <= runs; r++)); do
      res=$(shared_run "$name" "$per_host" "$workers" "perf-$name-$workers-$r-$$")
      read -r wall got sent run cpu wcpu ocpu <<< "$res"
      walls+=("$wall")
      rates+=("$(awk -v p="$got" -v w="$wall" 'BEGIN {printf "%.1f", p * 1000 / w}')")
      sents+=("$(awk -v s="$sent" -v p="$got" 'BEGIN {printf "%.2f", s / p}')")
      runs_+=("$(awk -v s="$run" -v p="$got" 'BEGIN {printf "%.2f", s / p}')")
      cpus+=("$(awk -v c="$cpu" -v p="$got" 'BEGIN {printf "%.0f", c * 1e6 / p}')")
      wcpus+=("$(awk -v c="$wcpu" -v p="$got" 'BEGIN {printf "%.0f", c * 1e6 / p}')")
      ocpus+=("$(awk -v c="$ocpu" -v p="$got" 'BEGIN {printf "%.0f", c * 1e6 / p}')")
      echo "  $name, $workers worker(s), run $r: wall $wall ms, $got pages, sent $sent, run $run commands, CPU s: workers $wcpu, Redis $cpu, origin $ocpu" >&2
    done
    local wall rate
    wall=$(median "${walls[@]}")
    rate=$(median "${rates[@]}")
    [[ -z $one_rate ]] && one_rate=$rate
    rows+=("| $name | $workers worker(s) | $expected_pages | $wall | $rate | $(awk -v a="$wall" -v b="$single_wall" 'BEGIN {printf "%.2f", a / b}') | $(awk -v a="$rate" -v b="$one_rate" 'BEGIN {printf "%.2f", a / b}') | $(median "${sents[@]}") / $(median "${runs_[@]}") | $(median "${wcpus[@]}") / $(median "${cpus[@]}") / $(median "${ocpus[@]}") |")
  done
  stop_site
}

echo "shared_crawl.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start, $runs runs each" >&2
measure zero "$zero_pages" 0ms 8
measure 20ms 2000 20ms 2
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end" >&2

echo "| setting | crawl | pages | wall ms | pages/s | wall / single | pages/s / 1 worker | Redis cmds a page (sent / run) | CPU us a page: fetcher / Redis / origin |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
