// bench_command.cpp: `fetcher bench`. Starts the emulated origin in a child process, runs each
// strategy over each list in a child process of its own (so CPU and peak RSS are that
// strategy's alone), checks that the strategies agree, and prints the tables.
#include "bench/bench_report.hpp"
#include "bench/explain.hpp"
#include "bench/html_report.hpp"
#include "bench/huge_pages.hpp"
#include "bench/progress.hpp"
#include "commands.hpp"
#include "common/shard.hpp"
#include "common/child_process.hpp"
#include "common/interrupt.hpp"
#include "common/origin_process.hpp"
#include "common/result_json.hpp"
#include "common/run_metadata.hpp"
#include "common/saved_bodies.hpp"
#include "common/synthetic.hpp"
#include "common/terminal_charts.hpp"
#include "common/terminal_style.hpp"
#include "common/units.hpp"

#include <fetcher/bench/ideal.hpp>
#include <fetcher/origin/sites.hpp>
#include <fetcher/run.hpp>
#include <fetcher/strategy.hpp>
#include <fetcher/url.hpp>
#include <fetcher/url_list.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <unistd.h>

namespace fetcher::cli {
namespace {

// After a run that opened many connections, the next waits this long. The run's client closed
// them first, so each left a TIME_WAIT socket on its port; Linux lets a new connection to the
// same address take such a port over only once it is a second old (tcp_tw_reuse), and until
// then every connect() searches the ephemeral range past them, which slows a following run of
// thousands of connects severalfold. The pause is a little over that second.
// See docs/performance.md, "Bench: the pause after many connections".
constexpr std::uint64_t many_connections = 1000;
constexpr auto time_wait_pause = std::chrono::milliseconds(1100);

struct MeasuredRun {
  RunReport report;  // with results
  int exit_code = 0;
};

// The measuring child running now (or -1), for an interrupt to end it: Ctrl-C at a terminal
// reaches it anyway, a signal sent to the bench alone does not.
std::atomic<pid_t> measuring_child{-1};

MeasuredRun measure_in_child(const std::string& list_path, const Strategy& strategy, std::size_t max_in_flight,
                             const ClientFlags& client, const std::vector<std::string>& environment) {
  std::vector<std::string> arguments = {
      self_executable(), "__run-strategy", "--list",          list_path,
      "--strategy",      strategy.name(),  "--max-in-flight", std::to_string(max_in_flight)};
  const auto flags = client.to_arguments();
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  ChildProcess child(arguments, environment);
  measuring_child = child.pid();
  child.close_input();
  MeasuredRun run;
  std::string line;
  bool have_report = false;
  while (child.read_line(line)) {
    auto json = nlohmann::json::parse(line);
    if (json.contains("report")) {
      auto results = std::move(run.report.results);
      run.report = report_from_json(json["report"]);
      run.report.results = std::move(results);
      have_report = true;
    } else {
      run.report.results.push_back(result_from_json(json));
    }
  }
  measuring_child = -1;  // before it is reaped, so an interrupt never signals a reused pid
  run.exit_code = child.wait();
  if (!have_report) {
    throw InternalError(strategy.name() + ": measuring process ended without a report (exit " +
                        std::to_string(run.exit_code) + ")");
  }
  return run;
}

// Compares each URL's outcome across strategies; returns the differences (empty: agreed).
std::vector<std::string> find_disagreements(const std::vector<MeasuredRun>& runs) {
  std::vector<std::string> differences;
  if (runs.empty()) return differences;
  const auto& first = runs.front().report;
  for (std::size_t r = 1; r < runs.size(); ++r) {
    const auto& other = runs[r].report;
    for (std::size_t i = 0; i < first.results.size() && i < other.results.size(); ++i) {
      const auto& a = first.results[i];
      const auto& b = other.results[i];
      if (a.status != b.status || a.body_bytes != b.body_bytes || a.body_sha256 != b.body_sha256) {
        if (differences.size() < 5) {
          differences.push_back(a.url + ": " + first.strategy + " got " + std::to_string(a.status) + "/" +
                                std::to_string(a.body_bytes) + " B, " + other.strategy + " got " +
                                std::to_string(b.status) + "/" + std::to_string(b.body_bytes) + " B");
        } else if (differences.size() == 5) {
          differences.emplace_back("...");
        }
      }
    }
  }
  return differences;
}

// The warning for URLs the emulated origin cannot answer as their sites would (it has no model of
// their hosts, so they fail with a certificate or a 404 that says nothing of why); empty when
// every good URL's host is modelled. Names up to three hosts.
std::string unmodelled_hosts_warning(const origin::SiteSet& sites,
                                     const std::vector<std::vector<FetchRequest>>& lists) {
  std::size_t count = 0;
  std::vector<std::string> hosts;
  for (const auto& list : lists) {
    for (const auto& request : list) {
      UrlParts parts;
      std::string error;
      if (!request.error.empty() || !split_url(request.url, parts, error) || sites.find(parts.host)) continue;
      ++count;
      if (std::find(hosts.begin(), hosts.end(), parts.host) == hosts.end()) hosts.push_back(parts.host);
    }
  }
  if (count == 0) return {};
  std::string named;
  for (std::size_t i = 0; i < hosts.size() && i < 3; ++i) named += (i ? ", " : "") + hosts[i];
  if (hosts.size() > 3) named += " and " + std::to_string(hosts.size() - 3) + " more";
  return std::to_string(count) + (count == 1 ? " URL is on a host" : " URLs are on hosts") +
         " the emulated origin does not model (" + named + "); use --live or add them to a sites file";
}

// The failures named on stderr per list; the JSON report carries them all.
constexpr std::size_t shown_failures = 5;

// Every distinct failure message of a list's runs, in order of first appearance, with its count.
std::vector<FailureCount> failures_of(const std::vector<MeasuredRun>& runs) {
  std::vector<FailureCount> failures;
  std::map<std::string, std::size_t> index;
  for (const auto& run : runs) {
    for (const auto& result : run.report.results) {
      if (result.ok()) continue;
      const auto [at, added] = index.try_emplace(result.message, failures.size());
      if (added) failures.push_back({result.message, 0});
      ++failures[at->second].count;
    }
  }
  return failures;
}

// How many URLs some strategy got a response for: what agreement is checked over.
std::size_t fetched_by_any(const std::vector<MeasuredRun>& runs) {
  std::size_t fetched = 0;
  for (std::size_t i = 0; !runs.empty() && i < runs.front().report.results.size(); ++i) {
    fetched += std::any_of(runs.begin(), runs.end(), [&](const MeasuredRun& run) {
      return i < run.report.results.size() && run.report.results[i].status != 0;
    });
  }
  return fetched;
}

// The host of a URL as the list spells it ("" when it has none).
std::string host_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {};
  auto host = url.substr(scheme_end + 3);
  return host.substr(0, host.find_first_of(":/?#"));
}

// A one-line note of where a list's hosts live in the model, e.g. "cs.mipt.ru: 66 ms, capacity 1".
std::string describe_sites(const origin::SiteSet& sites, const std::vector<FetchRequest>& requests) {
  std::vector<std::string> seen;
  std::string note = "emulated origin (";
  for (const auto& request : requests) {
    const auto* site = sites.find(host_of(request.url));
    if (!site || std::find(seen.begin(), seen.end(), site->host) != seen.end()) continue;
    seen.push_back(site->host);
  }
  if (seen.size() == 1) {
    const auto* site = sites.find(seen.front());
    note += site->host + ": " + std::to_string(site->latency.count()) + " ms, capacity " +
            (site->capacity ? std::to_string(site->capacity) : std::string("unlimited"));
  } else {
    note += std::to_string(seen.size()) + " hosts";
  }
  return note + ")";
}

// What the sites model says about a list: its hosts, its slowest URL, its floor. The index of
// the slowest URL comes back too, so its redirects can be read from the results later.
std::pair<ListModel, std::size_t> model_of(const origin::SiteSet& sites, const std::vector<std::string>& urls) {
  ListModel model;
  std::size_t slowest_index = 0;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (const auto* site = sites.find(host_of(urls[i]))) {
      auto found = std::find_if(model.hosts.begin(), model.hosts.end(),
                                [&](const HostModel& host) { return host.host == site->host; });
      if (found == model.hosts.end()) {
        found = model.hosts.insert(
            model.hosts.end(),
            HostModel{site->host, 0, static_cast<double>(site->latency.count()) / 1e3, site->capacity});
      }
      ++found->urls;
    }
    const double alone = bench::ideal_seconds(sites, {urls[i]}, 1);
    if (alone > model.slowest_url_s) {
      model.slowest_url_s = alone;
      model.slowest_url = urls[i];
      slowest_index = i;
    }
  }
  model.all_at_once_s = bench::ideal_seconds(sites, urls, 0);
  return {model, slowest_index};
}

// Each fetch's latency, for the charts: the fetches that got a response, as the summary counts them.
std::vector<double> latencies_of(const RunReport& report) {
  std::vector<double> seconds;
  for (const auto& result : report.results) {
    if (result.status != 0) seconds.push_back(std::chrono::duration<double>(result.timings.total).count());
  }
  return seconds;
}

// --histogram names one of the strategies run, or "none"; empty picks async or the fastest.
void check_histogram_choice(const std::string& choice, const std::vector<Strategy>& strategies) {
  if (choice.empty() || choice == "none") return;
  const auto wanted = Strategy::parse(choice);
  if (std::find(strategies.begin(), strategies.end(), wanted) == strategies.end()) {
    throw std::invalid_argument("--histogram: '" + choice + "' is not among the strategies run");
  }
}

// Everything a list prints after its measurements, in the chosen format's place.
struct ListOutput {
  OutputFormat format;
  Style style;
  std::size_t width;
  bool charts;
  std::string histogram;
  bool explain;
};

std::string list_text(const ListReport& list, const ListOutput& how) {
  std::string text = render_table(list, how.style);
  if (how.charts) {
    text += "\n" + render_wall_bars(list, how.style, how.width);
    const auto strategy = how.histogram.empty() ? default_histogram_strategy(list) : how.histogram;
    if (strategy != "none") {
      if (const auto histogram = render_latency_histogram(list, strategy, how.style, how.width); !histogram.empty()) {
        text += "\n" + histogram;
      }
    }
  }
  if (how.explain) {
    if (const auto reading = render_explanation(list, how.width); !reading.empty()) text += "\n" + reading;
  }
  return text;
}

// The whole bench in a non-table format; --explain adds the reading where the format allows.
std::string bench_text(const BenchReport& bench, const ListOutput& how) {
  if (how.format == OutputFormat::json && how.explain) {
    auto json = bench_to_json(bench);
    for (std::size_t i = 0; i < bench.lists.size(); ++i) json["lists"][i]["explanation"] = explain(bench.lists[i]);
    return json.dump(2) + "\n";
  }
  auto text = render(bench, how.format, how.style);
  if (how.format == OutputFormat::markdown && how.explain) {
    for (const auto& list : bench.lists) {
      text += "\n**Reading " + list.name + "**\n\n";
      for (const auto& paragraph : explain(list)) text += "- " + paragraph + "\n";
    }
  }
  return text;
}

// The bench's options in effect, defaults included, for the report's metadata.
nlohmann::json bench_options(const BenchArgs& args, const std::vector<std::string>& list_paths,
                             const std::string& sites_path, const std::optional<SyntheticSpec>& synthetic) {
  nlohmann::json options = {{"lists", synthetic ? std::vector<std::string>() : list_paths},
                            {"live", args.live},
                            {"sites", args.live || synthetic ? std::string() : sites_path},
                            {"strategies", args.strategies},
                            {"max_in_flight", args.max_in_flight},
                            {"runs", args.runs},
                            {"huge_pages", args.huge_pages},
                            {"client", client_options_json(args.client)}};
  if (synthetic) {
    options["synthetic"] = {{"urls", synthetic->urls},
                            {"hosts", synthetic->hosts},
                            {"latency_ms", synthetic->latency.count()},
                            {"jitter_ms", synthetic->jitter.count()},
                            {"body_bytes", synthetic->body_bytes},
                            {"capacity", synthetic->capacity},
                            {"scheme", synthetic->scheme}};
  }
  return options;
}

}  // namespace

std::string urls_directory() {
  if (const char* dir = std::getenv("FETCHER_URLS_DIR"); dir && *dir) return dir;
  return FETCHER_DEFAULT_URLS_DIR;
}

int bench_command(const BenchArgs& args) {
  const auto started = std::chrono::system_clock::now();
  // Validate everything before starting anything: a usage error costs no time.
  std::vector<std::string> list_paths = args.lists;
  // --synthetic: the list and the sites are generated into a directory removed at the end.
  std::optional<SyntheticSpec> synthetic;
  std::unique_ptr<TemporaryDirectory> synthetic_files;
  std::string sites_path;
  if (!args.synthetic.urls.empty()) {
    if (!args.lists.empty()) throw std::invalid_argument("--synthetic: give URL lists or --synthetic, not both");
    if (!args.sites.empty()) throw std::invalid_argument("--synthetic: generates its own sites; drop --sites");
    if (args.live) throw std::invalid_argument("--synthetic: runs against the emulated origin; drop --live");
    synthetic = parse_synthetic(args.synthetic);
    synthetic_files = std::make_unique<TemporaryDirectory>("fetcher-synthetic-");
    sites_path = (synthetic_files->path() / "sites.toml").string();
    write_file(sites_path, synthetic_sites_toml(*synthetic));
    std::string lines;
    for (const auto& url : synthetic_urls(*synthetic)) lines += url + "\n";
    list_paths.push_back((synthetic_files->path() / "synthetic.txt").string());
    write_file(list_paths.back(), lines);
  }
  if (list_paths.empty()) {
    for (const char* name : {"mipt.txt", "python-docs.txt", "popular.txt"}) {
      list_paths.push_back(urls_directory() + "/" + name);
    }
  }
  std::optional<Shard> shard;
  std::unique_ptr<TemporaryDirectory> shard_files;
  if (!args.shard.empty()) {
    if (!args.live) throw std::invalid_argument("--shard: splits a live run over machines; add --live");
    shard = parse_shard(args.shard);
    shard_files = std::make_unique<TemporaryDirectory>("fetcher-shard-");
  }
  std::vector<std::vector<FetchRequest>> lists;
  for (auto& path : list_paths) {
    if (path == "-") throw std::invalid_argument("bench: lists must be files (the list is read once per strategy)");
    lists.push_back(load_url_list(path));
    if (shard) {
      // The measured children read the list by path: they get this shard's lines only.
      lists.back() = select_shard(std::move(lists.back()), *shard);
      std::string lines;
      for (const auto& request : lists.back()) lines += request.url + "\n";
      path =
          (shard_files->path() / (std::to_string(lists.size()) + "-" + std::filesystem::path(path).filename().string()))
              .string();
      write_file(path, lines);
    }
    for (const auto& request : lists.back()) {
      if (!request.error.empty()) std::cerr << request.source << ": " << request.error << "\n";
    }
  }
  const auto strategies = parse_strategies(args.strategies);
  const auto format = parse_output_format(args.format);
  const auto color = parse_color_mode(args.color);
  check_histogram_choice(args.histogram, strategies);
  auto client = args.client;
  (void)client.to_options();  // validates the flags now, in this process
  if (client.insecure) std::cerr << "fetcher: warning: --insecure: TLS certificates are NOT verified\n";

  std::optional<origin::SiteSet> sites;
  if (!args.live) {
    if (sites_path.empty()) sites_path = args.sites.empty() ? urls_directory() + "/sites.toml" : args.sites;
    sites = origin::load_sites(sites_path);
    if (const auto warning = unmodelled_hosts_warning(*sites, lists); !warning.empty()) {
      std::cerr << "fetcher: warning: " << warning << "\n";
    }
  }

  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output);
    if (!file) throw std::runtime_error(cannot_write(args.output));
  }
  std::ofstream report_file;
  if (!args.report.empty()) {
    report_file.open(args.report);
    if (!report_file) throw std::runtime_error(cannot_write(args.report));
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  const int out_fd = args.output.empty() ? STDOUT_FILENO : -1;
  const ListOutput how{format,
                       detect_style(color, out_fd),
                       std::min(table_width_limit, terminal_columns(out_fd, table_width_limit)),
                       args.charts,
                       args.histogram,
                       args.explain};

  // Ctrl-C: the strategy being measured is dropped, what finished is printed, exit 130.
  InterruptWatcher interrupt([] {
    if (const pid_t child = measuring_child.load(); child > 0) ::kill(child, SIGKILL);
  });
  std::unique_ptr<OriginProcess> origin;
  if (sites) {
    std::size_t largest_list = 0;
    for (const auto& list : lists) largest_list = std::max(largest_list, list.size());
    origin = std::make_unique<OriginProcess>(
        sites_path,
        huge_page_environment(std::getenv("GLIBC_TUNABLES"), wants_huge_pages(args.huge_pages, largest_list)));
    const auto rules = origin->connect_to_rules();
    client.connect_to.insert(client.connect_to.begin(), rules.begin(), rules.end());
    if (client.cacert.empty()) client.cacert = origin->ca_file();
  }

  // The model's ideal of every measurement, known before any runs: the table's ideal column
  // and the progress line's estimate of the time left.
  std::vector<std::vector<std::string>> list_urls(lists.size());
  std::vector<std::vector<double>> ideals(lists.size(), std::vector<double>(strategies.size(), -1));
  double total_ideal = sites ? 0 : -1;
  for (std::size_t l = 0; l < lists.size(); ++l) {
    for (const auto& request : lists[l]) list_urls[l].push_back(request.url);
    for (std::size_t s = 0; s < strategies.size() && sites; ++s) {
      ideals[l][s] = bench::ideal_seconds(*sites, list_urls[l], strategies[s], args.max_in_flight);
      total_ideal += ideals[l][s] * args.runs;
    }
  }
  // A line redrawn in place on a terminal; else a line per strategy, so a log shows the run going.
  const auto progress_mode = args.quiet                   ? ProgressMode::off
                             : is_terminal(STDERR_FILENO) ? ProgressMode::live
                                                          : ProgressMode::lines;
  ProgressLine progress(std::cerr, progress_mode, detect_style(color, STDERR_FILENO), terminal_columns(STDERR_FILENO));
  const auto measurements = lists.size() * strategies.size() * args.runs;
  if (const auto notice = long_bench_notice(total_ideal, measurements); !notice.empty() && !args.quiet) {
    std::cerr << "fetcher: " << notice << "\n";
  }
  progress.start(measurements, total_ideal);

  BenchReport bench;
  bench.metadata = run_metadata(started, bench_options(args, list_paths, sites_path, synthetic));
  bool any_failed = false;
  std::uint64_t connections_of_last_run = 0;
  for (std::size_t l = 0; l < lists.size(); ++l) {
    ListReport list;
    list.name = synthetic ? std::string("synthetic") : std::filesystem::path(list_paths[l]).filename().string();
    list.urls = lists[l].size();
    list.origin_note = synthetic ? "emulated origin (" + describe(*synthetic) + ")"
                       : sites   ? describe_sites(*sites, lists[l])
                                 : "live";
    const auto child_environment =
        huge_page_environment(std::getenv("GLIBC_TUNABLES"), wants_huge_pages(args.huge_pages, lists[l].size()));
    list.huge_pages = !child_environment.empty();
    if (list.huge_pages) list.origin_note += ", heap on huge pages";
    std::size_t slowest_index = 0;
    if (sites) std::tie(list.model, slowest_index) = model_of(*sites, list_urls[l]);

    std::vector<MeasuredRun> runs;
    for (std::size_t s = 0; s < strategies.size(); ++s) {
      const auto& strategy = strategies[s];
      // Each repeat in a fresh process against a freshly reset origin; the median run is kept
      // whole (not a mix of medians), so its figures belong together.
      std::vector<std::pair<MeasuredRun, nlohmann::json>> repeats;
      for (unsigned repeat = 0; repeat < args.runs; ++repeat) {
        progress.begin_step(list.name, strategy.name(), repeat + 1, args.runs, ideals[l][s]);
        if (connections_of_last_run >= many_connections) {
          const auto until = std::chrono::steady_clock::now() + time_wait_pause;
          while (!interrupt.interrupted() && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }
        try {
          if (origin) origin->command("reset");
          auto measured = measure_in_child(list_paths[l], strategy, args.max_in_flight, client, child_environment);
          connections_of_last_run = measured.report.connections_opened;
          auto seen = origin ? origin->command("stats").value("hosts", nlohmann::json()) : nlohmann::json();
          repeats.emplace_back(std::move(measured), std::move(seen));
        } catch (const InternalError&) {
          if (!interrupt.interrupted()) throw;  // the child or the origin died of the interrupt
          break;
        }
        progress.end_step();
      }
      if (interrupt.interrupted()) break;
      std::sort(repeats.begin(), repeats.end(),
                [](const auto& a, const auto& b) { return a.first.report.wall < b.first.report.wall; });
      auto& [run, seen] = repeats[(repeats.size() - 1) / 2];
      StrategyRow row;
      row.report = run.report;
      row.report.results.clear();
      row.latencies_s = latencies_of(run.report);
      for (const auto& repeat : repeats) row.wall_runs_s.push_back(repeat.first.report.wall_seconds());
      row.ideal_s = ideals[l][s];
      row.origin_seen = std::move(seen);
      if (run.report.failed > 0) {
        any_failed = true;
        for (const auto& result : run.report.results) {
          if (!result.ok()) {
            spdlog::debug("{}: {}: {} {}", list.name, strategy.name(), to_string(result.error), result.message);
          }
        }
      }
      progress.strategy_done(row.report.wall_seconds());
      list.strategies.push_back(std::move(row));
      runs.push_back(std::move(run));
    }
    progress.hide();
    if (list.strategies.empty()) break;  // interrupted before this list's first strategy finished
    if (!runs.empty() && slowest_index < runs.front().report.results.size()) {
      list.model.slowest_url_requests = static_cast<unsigned>(runs.front().report.results[slowest_index].redirects) + 1;
    }
    list.disagreements = find_disagreements(runs);
    list.agree = list.disagreements.empty();
    list.fetched_urls = fetched_by_any(runs);
    list.failures = failures_of(runs);
    // Name the first few failures once per list, so a failed column never goes unexplained, and
    // say how many more there are and where to read them.
    for (std::size_t i = 0; i < list.failures.size() && i < shown_failures; ++i) {
      const auto& failure = list.failures[i];
      std::cerr << "failed: " << printable(failure.message)
                << (failure.count > 1 ? " (" + std::to_string(failure.count) + " times)" : std::string()) << "\n";
    }
    if (list.failures.size() > shown_failures) {
      std::cerr << "failed: and " << list.failures.size() - shown_failures << " more (see --format json)\n";
    }
    if (format == OutputFormat::table) {
      out << (l ? "\n" : "") << list_text(list, how) << std::flush;
    } else if (format == OutputFormat::csv && args.explain) {
      std::cerr << render_explanation(list, how.width);  // CSV stays parseable: the reading goes aside
    }
    bench.lists.push_back(std::move(list));
    if (interrupt.interrupted()) break;
  }
  if (format != OutputFormat::table) out << bench_text(bench, how) << std::flush;
  if (report_file.is_open()) {
    report_file << render_html_report(bench);
    report_file.close();
    if (!report_file) throw std::runtime_error(cannot_write(args.report));
    // On stderr, so the table or the --format output on stdout stays whole; the absolute path,
    // to open or copy whatever the working directory.
    std::error_code error;
    const auto where = std::filesystem::absolute(args.report, error);
    std::cerr << "fetcher: HTML report written to " << printable(error ? args.report : where.string()) << "\n";
  }
  if (interrupt.interrupted()) {
    std::cerr << "fetcher: interrupted: the tables above hold the strategies that finished\n";
    return exit_code_for_signal(interrupt.signal());
  }
  return any_failed ? exit_some_failed : exit_ok;
}

int run_strategy_command(const RunStrategyArgs& args) {
  raise_open_files_limit();
  const auto requests = load_url_list(args.list);
  const auto strategy = Strategy::parse(args.strategy);
  Client client(args.client.to_options());
  RunOptions run_options;
  run_options.max_in_flight = args.max_in_flight;
  const auto report = run(requests, strategy, client, run_options);
  // Results are written after the clock stopped, so writing them is not measured.
  std::string out;
  for (const auto& result : report.results) {
    out += json_line(result_to_json(result));
    out += '\n';
  }
  nlohmann::json last;
  last["report"] = report_to_json(report);
  out += json_line(last);
  out += '\n';
  std::cout << out << std::flush;
  return exit_ok;
}

}  // namespace fetcher::cli
