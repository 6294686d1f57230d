#!/usr/bin/env bash
# Installs fetcher from BUILD_DIR into a scratch prefix, builds tests/consumer against it with
# find_package(fetcher), and runs it against an emulated origin started by `fetcher serve`.
#   run_consumer_test.sh SOURCE_DIR BUILD_DIR FETCHER_BINARY
set -euo pipefail
source_dir=$1 build_dir=$2 fetcher=$3
scratch=$(mktemp -d)
serve_pid=
cleanup() { [[ -n $serve_pid ]] && kill "$serve_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT

cmake --install "$build_dir" --prefix "$scratch/prefix" --component Unspecified > /dev/null
cmake -S "$source_dir/tests/consumer" -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$scratch/prefix" > "$scratch/configure.log" || { cat "$scratch/configure.log"; exit 1; }
cmake --build "$scratch/build" > "$scratch/build.log" || { cat "$scratch/build.log"; exit 1; }

"$fetcher" serve --sites "$source_dir/urls/sites.toml" > "$scratch/serve.out" &
serve_pid=$!
for _ in $(seq 100); do grep -q "CA:" "$scratch/serve.out" 2>/dev/null && break; sleep 0.05; done
https_port=$(awk '/https:/ {split($2, a, ":"); print a[2]}' "$scratch/serve.out")
ca_file=$(awk '/CA:/ {print $2}' "$scratch/serve.out")
"$scratch/build/consumer" "::127.0.0.1:$https_port" "$ca_file" \
  https://docs.python.org/3/ https://docs.python.org/3/faq/index.html https://isocpp.org/
