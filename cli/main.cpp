// main.cpp: `fetcher`: parse the command line, run the chosen subcommand, map failures to exit
// codes (0 all fetched, 1 some URLs failed, 2 usage or input error).
#include "commands.hpp"
#include "common/build_info.hpp"
#include "common/help_format.hpp"
#include "common/run_metadata.hpp"
#include "common/units.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace fetcher::cli;

constexpr const char* app_examples = R"(
Examples:
  fetcher bench                                  # time every strategy on the course lists
  fetcher bench urls/python-docs.txt --explain   # ... and read the results in plain sentences
  fetcher get https://example.org/ --save pages/ # fetch URLs, save the bodies
  fetcher serve                                  # the emulated sites, for curl or a browser
  fetcher load http://127.0.0.1:8080/ -c 32 -n 100k   # requests/s over kept-alive connections

Run `fetcher COMMAND --help` for a command's flags and more examples.
)";

constexpr const char* bench_examples = R"(
Columns: wall = first fetch started to last result in; ideal = a zero-overhead client under
the sites' model; eff = ideal / wall; speedup = sequential's wall / this wall; cpu = the
client's user + system time; p50, p95 = latency of whole fetches. '*' marks the fastest.

Examples:
  fetcher bench                                  # the course lists, every strategy, emulated sites
  fetcher bench urls/python-docs.txt --explain   # why 16 workers are no faster than 8
  fetcher bench urls/mipt.txt --strategies sequential,pool:8,async --histogram pool:8
  fetcher bench --report bench.html              # tables, charts and the reading in one HTML file
  fetcher bench my-list.txt --sites my-sites.toml --format json --output run.json
  fetcher bench --live my-list.txt               # the real internet (noisy!)
  fetcher bench --synthetic 10k --hosts 10 --latency 100ms --capacity 0 --strategies async,async:2
)";

constexpr const char* get_examples = R"(
Each line: status (ERR when there was no response), body size, time, URL [-> final URL]
and, for a failure, its kind and message. A summary follows on stderr.

Examples:
  fetcher get https://example.org/ https://example.com/
  fetcher get -i urls.txt --strategy pool:8 --format json --output results.jsonl
  fetcher get -i - --save pages/ < urls.txt
)";

constexpr const char* serve_examples = R"(
Examples:
  fetcher serve                                  # the course sites on free ports
  fetcher serve --sites my-sites.toml --http-port 8080 --https-port 8443
)";

void configure_logging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("fetcher");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
}

}  // namespace

int main(int argc, char** argv) {
  // A child that exits early must not kill us through a pipe write.
  std::signal(SIGPIPE, SIG_IGN);
  record_command_line(argc, argv);  // for the reports' metadata

  CLI::App app{
      "fetcher: fetch URL lists concurrently, and measure how the way you organise "
      "concurrency changes the time an I/O-bound job takes."};
  app.footer(app_examples);
  // Set before the subcommands are added: each takes a copy of its parent's formatter.
  app.formatter(std::make_shared<HelpFormatter>());
  app.set_version_flag("--version", version_text(), "Versions of fetcher, Boost, OpenSSL and the compiler");
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Debug logging on stderr");

  BenchArgs bench;
  auto* bench_app = app.add_subcommand("bench", "Time strategies over URL lists (emulated origin by default)");
  bench_app->footer(bench_examples);
  bench_app->add_option("lists", bench.lists, "URL list files (default: the three course lists)");
  bench_app->add_flag("--live", bench.live, "Fetch the real hosts instead of the emulated origin");
  bench_app->add_option("--shard", bench.shard, "With --live, I/N: only the URLs of this shard's hosts (I from 0)");
  bench_app
      ->add_option("--strategies", bench.strategies,
                   "Comma-separated: sequential,threads,pool:N,processes:N,async,async:N")
      ->capture_default_str();
  bench_app->add_option("--sites", bench.sites, "Sites file for the emulated origin (default urls/sites.toml)");
  auto* synthetic = bench_app
                        ->add_option("--synthetic", bench.synthetic.urls,
                                     "Generate N URLs (e.g. 10k) over --hosts emulated hosts instead of lists")
                        ->group("Synthetic workload (with --synthetic)");
  bench_app->add_option("--hosts", bench.synthetic.hosts, "Synthetic hosts, URLs dealt round-robin")
      ->capture_default_str()
      ->needs(synthetic)
      ->group("Synthetic workload (with --synthetic)");
  bench_app->add_option("--latency", bench.synthetic.latency, "Each host's latency to first byte, e.g. 100ms")
      ->capture_default_str()
      ->needs(synthetic)
      ->group("Synthetic workload (with --synthetic)");
  bench_app->add_option("--jitter", bench.synthetic.jitter, "Uniform +-jitter around the latency, seeded")
      ->capture_default_str()
      ->needs(synthetic)
      ->group("Synthetic workload (with --synthetic)");
  bench_app->add_option("--body", bench.synthetic.body, "Body size of every page: 2KiB is 2048 B, 2KB 2000 B")
      ->capture_default_str()
      ->needs(synthetic)
      ->group("Synthetic workload (with --synthetic)");
  bench_app->add_option("--capacity", bench.synthetic.capacity, "Requests each host serves at once (0 = unlimited)")
      ->capture_default_str()
      ->needs(synthetic)
      ->group("Synthetic workload (with --synthetic)");
  bench_app->add_option("--scheme", bench.synthetic.scheme, "http or https")
      ->capture_default_str()
      ->needs(synthetic)
      ->group("Synthetic workload (with --synthetic)");
  bench_app->add_option("--format", bench.format, "table, md, csv or json")->capture_default_str();
  bench_app->add_option("--output", bench.output, "Write the report to this file");
  bench_app->add_option("--max-in-flight", bench.max_in_flight, "async: most fetches at once (0 = all)")
      ->capture_default_str()
      ->transform(count_units());
  bench_app->add_option("--runs", bench.runs, "Run each strategy N times and report the median run")
      ->capture_default_str()
      ->transform(count_units())
      ->check(CLI::Range(1, 100));
  bench_app->add_flag("--explain", bench.explain, "After each table, a few sentences reading the results");
  bench_app->add_option("--histogram", bench.histogram,
                        "Strategy whose latency histogram is drawn (default async, or the fastest; none = off)");
  bench_app->add_flag("!--no-charts", bench.charts, "No bars or histogram under the tables");
  bench_app->add_option("--report", bench.report, "Also write a self-contained HTML report to this file");
  bench_app
      ->add_option("--huge-pages", bench.huge_pages,
                   "glibc's heap on transparent huge pages in the origin and the measured processes: "
                   "auto (for lists of 1,000 URLs or more), on or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
  bench_app->add_flag("-q,--quiet", bench.quiet, "No progress line on stderr");
  bench_app->add_option("--color", bench.color, "auto, always or never (NO_COLOR is honoured)")->capture_default_str();
  bench.client.add_to(*bench_app);

  GetArgs get;
  get.client.proxy_from_environment = true;
  auto* get_app = app.add_subcommand("get", "Fetch URLs, one line per URL as it completes");
  get_app->footer(get_examples);
  get_app->add_option("urls", get.urls, "URLs to fetch");
  get_app->add_option("-i,--input", get.input_lists, "Read URLs from this list file (- for stdin)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  get_app->add_option("--strategy", get.strategy, "sequential, threads, pool:N, processes:N, async or async:N")
      ->capture_default_str();
  get_app->add_option("--max-in-flight", get.max_in_flight, "async: most fetches at once (0 = all)")
      ->capture_default_str()
      ->transform(count_units());
  get_app->add_option("--format", get.format, "table (one aligned line per URL) or json (one JSON object per line)")
      ->default_str("table");
  get_app->add_option("--output", get.output, "Write the lines to this file instead of standard output");
  get_app->add_option("--save", get.save, "Save bodies under this directory; each line names its file");
  // The old spellings, kept for one release: hidden, each with a deprecation note (common/output_flags.hpp).
  get_app->add_flag("--json", get.old_json)->group("");
  get_app->add_option("-o", get.old_o)->group("");
  get_app->add_option("--output-dir", get.old_output_dir)->group("");
  get_app->add_option("--shard", get.shard, "I/N: only the URLs of this shard's hosts (I from 0), for array jobs");
  get_app->add_flag("-q,--quiet", get.quiet, "No progress line and no summary on stderr");
  get_app->add_option("--color", get.color, "auto, always or never (NO_COLOR is honoured)")->capture_default_str();
  get.client.add_to(*get_app);

  CrawlArgs crawl;
  crawl.client.proxy_from_environment = true;
  crawl.synthetic.latency = "20ms";
  auto* crawl_app = app.add_subcommand("crawl", "Crawl from seed URLs: polite, breadth-first, robots.txt obeyed");
  crawl.add_to(*crawl_app);

  ServeArgs serve;
  auto* serve_app = app.add_subcommand("serve", "Run the emulated origin on loopback until Ctrl-C");
  serve_app->footer(serve_examples);
  serve_app->add_option("--sites", serve.sites, "Sites file (default urls/sites.toml)");
  serve_app->add_option("--address", serve.address, "Address to listen on")->capture_default_str();
  serve_app->add_option("--http-port", serve.http_port, "Plain HTTP port (0 = any free)")->capture_default_str();
  serve_app->add_option("--https-port", serve.https_port, "HTTPS port (0 = any free)")->capture_default_str();
  serve_app->add_flag("--control", serve.control, "Driven by `fetcher bench` over stdin/stdout");

  LoadArgs load;
  auto* load_app = app.add_subcommand("load", "Throughput: one URL many times over kept-alive connections");
  load.add_to(*load_app);

  RunStrategyArgs run_strategy;
  auto* run_app = app.add_subcommand("__run-strategy", "");  // the bench's measured child; hidden
  run_app->group("");
  run_app->add_option("--list", run_strategy.list)->required();
  run_app->add_option("--strategy", run_strategy.strategy)->required();
  run_app->add_option("--max-in-flight", run_strategy.max_in_flight);
  run_strategy.client.add_to(*run_app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    // The command typed is the first argument that is not a flag (global flags may come first).
    std::vector<std::string> arguments(argv + 1, argv + argc);
    const auto typed = std::find_if(arguments.begin(), arguments.end(),
                                    [](const std::string& argument) { return argument.empty() || argument[0] != '-'; });
    const CLI::App* command = nullptr;
    if (typed != arguments.end()) {
      for (const auto* sub : app.get_subcommands({})) {
        if (sub->get_name() == *typed) command = sub;
      }
      if (command == nullptr) {
        std::cerr << "fetcher: unknown command '" << *typed
                  << "' (expected bench, get, crawl, serve or load; see fetcher --help)\n";
        return exit_usage;
      }
    }
    std::cerr << "fetcher: " << usage_error_message(app, command, error, arguments) << "\n";
    return exit_usage;
  }
  configure_logging(verbose);

  try {
    if (*bench_app) return bench_command(bench);
    if (*get_app) return get_command(get);
    if (*crawl_app) return crawl_command(crawl);
    if (*serve_app) return serve_command(serve);
    if (*load_app) return load_command(load);
    if (*run_app) return run_strategy_command(run_strategy);
  } catch (const std::invalid_argument& error) {
    std::cerr << "fetcher: " << error.what() << "\n";
    return exit_usage;
  } catch (const InternalError& error) {
    std::cerr << "fetcher: internal error: " << error.what() << "\n";
    return exit_internal;
  } catch (const std::exception& error) {
    // Start-up failures: unreadable list or sites file, CA file, ports in use.
    std::cerr << "fetcher: " << error.what() << "\n";
    return exit_usage;
  }
  return exit_usage;
}
