# fetcher.bash: bash completion for `fetcher`: its commands, each command's flags, and the values
# of flags that take a fixed set. Installed as share/bash-completion/completions/fetcher.
# tests/e2e/cli_test.cpp checks that each command's flag list here matches its --help. Old spellings kept
# for a release (get --json, crawl --jsonl, -o, --output-dir) are hidden from --help and not offered here.

_fetcher_client_flags="--connect-timeout --tls-timeout --first-byte-timeout --timeout --body-limit
  --max-redirects --user-agent --cacert --insecure --allow-https-downgrade --keep-alive --tls-resume
  --max-per-host --min-interval --retries --retry-base --proxy --no-proxy --connect-to"

_fetcher_commands="bench get crawl serve load"
_fetcher_top_flags="-h --help --version -v --verbose"
_fetcher_bench_flags="-h --help --live --shard --strategies --sites --format --output --max-in-flight --runs
  --explain --histogram --no-charts --report --huge-pages -q --quiet --color --synthetic --hosts --latency
  --jitter --body --capacity --scheme $_fetcher_client_flags"
_fetcher_get_flags="-h --help -i --input --strategy --max-in-flight --format --output --save --shard -q --quiet
  --color $_fetcher_client_flags"
_fetcher_crawl_flags="-h --help -i --input --max-pages --max-depth --scope --per-host --delay --robots --format
  --output --save --warc --strategy --max-in-flight -q --quiet --color --frontier --crawl-id --export --claim-idle
  --redis-timeout --worker --synthetic
  --hosts --latency --jitter --body --capacity --emit-site --links $_fetcher_client_flags"
_fetcher_serve_flags="-h --help --sites --address --http-port --https-port --control"
_fetcher_load_flags="-h --help -c --connections -n --requests -d --duration --threads --format --output
  $_fetcher_client_flags"

_fetcher() {
  local current=${COMP_WORDS[COMP_CWORD]} previous=${COMP_WORDS[COMP_CWORD - 1]}
  local command="" word
  for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case $word in
      bench | get | crawl | serve | load) command=$word; break ;;
    esac
  done
  COMPREPLY=()

  # Values of the flags that take one.
  case $previous in
    --strategies | --strategy)
      COMPREPLY=($(compgen -W "sequential threads pool:8 processes:4 async async:2" -- "$current")); return ;;
    --format)
      if [[ $command == crawl ]]; then COMPREPLY=($(compgen -W "json" -- "$current"))
      elif [[ $command == load || $command == get ]]; then COMPREPLY=($(compgen -W "table json" -- "$current"))
      else COMPREPLY=($(compgen -W "table md csv json" -- "$current")); fi
      return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$current")); return ;;
    --scope) COMPREPLY=($(compgen -W "host domain any" -- "$current")); return ;;
    --robots) COMPREPLY=($(compgen -W "on off" -- "$current")); return ;;
    --jsonl | --warc | --export) COMPREPLY=($(compgen -f -- "$current")); return ;;
    --emit-site) COMPREPLY=($(compgen -d -- "$current")); return ;;
    --huge-pages) COMPREPLY=($(compgen -W "auto on off" -- "$current")); return ;;
    --keep-alive | --tls-resume) COMPREPLY=($(compgen -W "on off" -- "$current")); return ;;
    --scheme) COMPREPLY=($(compgen -W "http https" -- "$current")); return ;;
    --histogram) COMPREPLY=($(compgen -W "none sequential threads async" -- "$current")); return ;;
    --sites | --output | --report | --cacert | -i | --input)
      COMPREPLY=($(compgen -f -- "$current")); return ;;
    --save | -o | --output-dir) COMPREPLY=($(compgen -d -- "$current")); return ;;
    --runs | --max-in-flight | --synthetic | --hosts | --latency | --jitter | --body | --capacity | \
      --address | --http-port | --https-port | -c | --connections | -n | --requests | -d | --duration | --threads | \
      --connect-timeout | --tls-timeout | --first-byte-timeout | --timeout | --body-limit | --max-redirects | \
      --user-agent | --max-per-host | --min-interval | --retries | --retry-base | --proxy | --no-proxy | --connect-to | \
      --max-pages | --max-depth | --per-host | --delay | --links | --frontier | --crawl-id | --shard | \
      --claim-idle | --redis-timeout | --worker)
      return ;;  # a number, duration, size or free text: nothing to offer
  esac

  local flags
  case $command in
    "") flags=$_fetcher_top_flags ;;
    bench) flags=$_fetcher_bench_flags ;;
    get) flags=$_fetcher_get_flags ;;
    crawl) flags=$_fetcher_crawl_flags ;;
    serve) flags=$_fetcher_serve_flags ;;
    load) flags=$_fetcher_load_flags ;;
  esac
  if [[ $current == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$current"))
  elif [[ -z $command ]]; then
    COMPREPLY=($(compgen -W "$_fetcher_commands" -- "$current"))
  elif [[ $command == bench ]]; then
    COMPREPLY=($(compgen -f -- "$current"))  # URL list files
  fi
}
complete -o filenames -o bashdefault -F _fetcher fetcher
