#!/usr/bin/env bash
# Installs fetcher from BUILD_DIR into a scratch prefix and builds, with find_package(fetcher),
# tests/consumer and the README's library example (the C++ block of its "## The library"
# section, extracted as it is). Runs them against emulated origins started by `fetcher serve`:
# consumer over the course sites; the crawler over a small site graph, where it must find links,
# fetch each page once, read text/html from the headers, and stop after the pages it was given;
# crawl_consumer, on fetcher::crawl (robots.txt, links, WARC, Crawler, SharedCrawler), over the
# same graph.
#   run_consumer_test.sh SOURCE_DIR BUILD_DIR FETCHER_BINARY
set -euo pipefail
source_dir=$1 build_dir=$2 fetcher=$3
scratch=$(mktemp -d)
serve_pids=()
cleanup() {
  for pid in "${serve_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# The README's example, byte for byte: the first ```cpp block after "## The library".
awk '/^## The library/ {section = 1} section && /^```cpp$/ {copy = 1; next} copy && /^```$/ {exit} copy' \
  "$source_dir/README.md" > "$scratch/crawler.cpp"
[[ -s $scratch/crawler.cpp ]] || { echo "no C++ example under '## The library' in README.md"; exit 1; }

cmake --install "$build_dir" --prefix "$scratch/prefix" --component Unspecified > /dev/null
cmake -S "$source_dir/tests/consumer" -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCRAWLER_SOURCE="$scratch/crawler.cpp" > "$scratch/configure.log" ||
  { cat "$scratch/configure.log"; exit 1; }
cmake --build "$scratch/build" > "$scratch/build.log" || { cat "$scratch/build.log"; exit 1; }

# Starts `fetcher serve --sites FILE` writing to OUT, and waits for its CA line.
serve() {
  "$fetcher" serve --sites "$1" > "$2" &
  serve_pids+=($!)
  for _ in $(seq 100); do grep -q "CA:" "$2" 2>/dev/null && break; sleep 0.05; done
}

serve "$source_dir/urls/sites.toml" "$scratch/serve.out"
https_port=$(awk '/https:/ {split($2, a, ":"); print a[2]}' "$scratch/serve.out")
ca_file=$(awk '/CA:/ {print $2}' "$scratch/serve.out")
"$scratch/build/consumer" "::127.0.0.1:$https_port" "$ca_file" \
  https://docs.python.org/3/ https://docs.python.org/3/faq/index.html https://isocpp.org/

# A site graph: 40 pages, 4 links each; the crawler is to stop after 12 of them.
cat > "$scratch/graph.toml" <<'SITES'
[[site]]
host = "site.example"
latency_ms = 2
body_bytes = 3000
links = 4
pages = 40
SITES
serve "$scratch/graph.toml" "$scratch/graph.out"
http_port=$(awk '/http:/ && !/https:/ {split($2, a, ":"); print a[2]}' "$scratch/graph.out")
graph_ca=$(awk '/CA:/ {print $2}' "$scratch/graph.out")
FETCHER_CA_FILE=$graph_ca FETCHER_CONNECT_TO="::127.0.0.1:$http_port" \
  "$scratch/build/crawler" 12 http://site.example/ > "$scratch/crawl.out"
cat "$scratch/crawl.out"
pages=$(grep -c '^200 text/html http://site.example/' "$scratch/crawl.out" || true)
distinct=$(grep '^200 ' "$scratch/crawl.out" | sort -u | wc -l)
[[ $pages -eq 12 ]] || { echo "crawler: expected 12 pages of text/html, got $pages"; exit 1; }
[[ $distinct -eq 12 ]] || { echo "crawler: a page was fetched twice"; exit 1; }
grep -q '^200 text/html http://site.example/page/' "$scratch/crawl.out" ||
  { echo "crawler: no page found through a link"; exit 1; }
grep -q '^12 pages, ' "$scratch/crawl.out" || { echo "crawler: no summary line"; exit 1; }

# The crawl layer: crawl_consumer checks its own results and exits non-zero on any failure.
"$scratch/build/crawl_consumer" "::127.0.0.1:$http_port" "$graph_ca" http://site.example/ 8 "$scratch/consumer.warc"
