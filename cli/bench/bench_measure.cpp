// bench_measure.cpp: the origin process, the measuring children and the loop over strategies and
// repeats (bench_measure.hpp); and the child's side, `fetcher __run-strategy`.
#include "bench/bench_measure.hpp"

#include "bench/bench_list.hpp"
#include "bench/huge_pages.hpp"
#include "common/child_process.hpp"
#include "common/result_json.hpp"

#include <fetcher/run.hpp>
#include <fetcher/url_list.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
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

// The measuring child running now (or -1), for an interrupt to end it.
std::atomic<pid_t> measuring_child{-1};

// One strategy over one list in a child process.
struct ChildRun {
  RunReport report;           // with a result per URL
  bench::ProcessUsage usage;  // the child's CPU and peak memory over the run
};

ChildRun measure_in_child(const std::string& list_path, const Strategy& strategy, std::size_t max_in_flight,
                          const ClientFlags& client, const std::vector<std::string>& environment) {
  std::vector<std::string> arguments = {
      self_executable(), "__run-strategy", "--list",          list_path,
      "--strategy",      strategy.name(),  "--max-in-flight", std::to_string(max_in_flight)};
  const auto flags = client.to_arguments();
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  ChildProcess child(arguments, environment);
  measuring_child = child.pid();
  child.close_input();
  ChildRun run;
  std::string line;
  bool have_report = false;
  while (child.read_line(line)) {
    auto json = nlohmann::json::parse(line);
    if (json.contains("report")) {
      auto results = std::move(run.report.results);
      run.report = report_from_json(json["report"]);
      run.report.results = std::move(results);
      run.usage = usage_from_json(json["report"]);
      have_report = true;
    } else {
      run.report.results.push_back(result_from_json(json));
    }
  }
  measuring_child = -1;  // before it is reaped, so an interrupt never signals a reused pid
  const int exit_code = child.wait();
  if (!have_report) {
    throw InternalError(strategy.name() + ": measuring process ended without a report (exit " +
                        std::to_string(exit_code) + ")");
  }
  return run;
}

// A line redrawn in place on a terminal; else a line per strategy, so a log shows the run going.
ProgressMode progress_mode(bool quiet) {
  return quiet ? ProgressMode::off : is_terminal(STDERR_FILENO) ? ProgressMode::live : ProgressMode::lines;
}

// The median of repeats sorted by wall time (the lower one of an even count).
template <typename Repeat>
Repeat& median_of(std::vector<Repeat>& repeats) {
  return repeats[(repeats.size() - 1) / 2];
}

}  // namespace

std::unique_ptr<OriginProcess> start_origin(BenchPlan& plan, const std::string& huge_pages) {
  if (!plan.sites) return nullptr;
  std::size_t largest_list = 0;
  for (const auto& list : plan.lists) largest_list = std::max(largest_list, list.size());
  auto origin = std::make_unique<OriginProcess>(
      plan.sites_path,
      huge_page_environment(std::getenv("GLIBC_TUNABLES"), wants_huge_pages(huge_pages, largest_list)));
  const auto rules = origin->connect_to_rules();
  plan.client.connect_to.insert(plan.client.connect_to.begin(), rules.begin(), rules.end());
  if (plan.client.cacert.empty()) plan.client.cacert = origin->ca_file();
  return origin;
}

void stop_measuring_child() {
  if (const pid_t child = measuring_child.load(); child > 0) ::kill(child, SIGKILL);
}

BenchMeasurer::BenchMeasurer(const BenchArgs& args, const BenchPlan& plan, OriginProcess* origin,
                             const InterruptWatcher& interrupt)
    : args_(args), plan_(plan), origin_(origin), interrupt_(interrupt),
      progress_(std::cerr, progress_mode(args.quiet), detect_style(plan.color, STDERR_FILENO),
                terminal_columns(STDERR_FILENO)) {
  const auto measurements = plan.lists.size() * plan.strategies.size() * args.runs;
  if (const auto notice = long_bench_notice(plan.total_ideal_s, measurements); !notice.empty() && !args.quiet) {
    std::cerr << "fetcher: " << notice << "\n";
  }
  progress_.start(measurements, plan.total_ideal_s);
}

std::optional<ListReport> BenchMeasurer::measure_list(std::size_t index) {
  ListReport list;
  list.name =
      plan_.synthetic ? std::string("synthetic") : std::filesystem::path(plan_.list_paths[index]).filename().string();
  list.urls = plan_.lists[index].size();
  list.origin_note = plan_.synthetic ? "emulated origin (" + describe(*plan_.synthetic) + ")"
                     : plan_.sites   ? describe_sites(*plan_.sites, plan_.lists[index])
                                     : "live";
  const auto environment =
      huge_page_environment(std::getenv("GLIBC_TUNABLES"), wants_huge_pages(args_.huge_pages, list.urls));
  list.huge_pages = !environment.empty();
  if (list.huge_pages) list.origin_note += ", heap on huge pages";
  std::size_t slowest_index = 0;
  if (plan_.sites) std::tie(list.model, slowest_index) = model_of(*plan_.sites, plan_.urls[index]);

  std::vector<RunReport> runs;  // each strategy's median run, with its results
  for (std::size_t s = 0; s < plan_.strategies.size(); ++s) {
    auto repeats = measure_repeats(list.name, index, s, environment);
    if (!repeats) break;
    list.strategies.push_back(row_of(*repeats, plan_.ideals[index][s]));
    auto& run = median_of(*repeats).report;
    if (run.failed > 0) {
      any_failed_ = true;
      for (const auto& result : run.results) {
        if (!result.ok()) {
          spdlog::debug("{}: {}: {} {}", list.name, plan_.strategies[s].name(), to_string(result.error),
                        result.message);
        }
      }
    }
    progress_.strategy_done(list.strategies.back().report.wall_seconds());
    runs.push_back(std::move(run));
  }
  progress_.hide();
  if (list.strategies.empty()) return std::nullopt;
  compare_runs(list, runs, slowest_index);
  return list;
}

std::optional<std::vector<BenchMeasurer::Repeat>> BenchMeasurer::measure_repeats(
    const std::string& list_name, std::size_t list, std::size_t strategy, const std::vector<std::string>& environment) {
  std::vector<Repeat> repeats;
  for (unsigned repeat = 0; repeat < args_.runs; ++repeat) {
    progress_.begin_step(list_name, plan_.strategies[strategy].name(), repeat + 1, args_.runs,
                         plan_.ideals[list][strategy]);
    pause_after_many_connections();
    try {
      repeats.push_back(measure_once(list, strategy, environment));
    } catch (const InternalError&) {
      if (!interrupt_.interrupted()) throw;  // the child or the origin died of the interrupt
      break;
    }
    progress_.end_step();
  }
  if (interrupt_.interrupted()) return std::nullopt;
  std::sort(repeats.begin(), repeats.end(), [](const auto& a, const auto& b) { return a.report.wall < b.report.wall; });
  return repeats;
}

BenchMeasurer::Repeat BenchMeasurer::measure_once(std::size_t list, std::size_t strategy,
                                                  const std::vector<std::string>& environment) {
  if (origin_) origin_->command("reset");
  auto run = measure_in_child(plan_.list_paths[list], plan_.strategies[strategy], args_.max_in_flight, plan_.client,
                              environment);
  connections_of_last_run_ = run.report.connections_opened;
  auto seen = origin_ ? origin_->command("stats").value("hosts", nlohmann::json()) : nlohmann::json();
  return {std::move(run.report), run.usage, std::move(seen)};
}

StrategyRow BenchMeasurer::row_of(std::vector<Repeat>& repeats, double ideal_s) {
  auto& [run, usage, seen] = median_of(repeats);
  StrategyRow row;
  row.report = run;
  row.report.results.clear();
  row.usage = usage;
  row.latencies_s = latencies_of(run);
  for (const auto& repeat : repeats) row.wall_runs_s.push_back(repeat.report.wall_seconds());
  row.ideal_s = ideal_s;
  row.origin_seen = std::move(seen);
  return row;
}

void BenchMeasurer::pause_after_many_connections() const {
  if (connections_of_last_run_ < many_connections) return;
  const auto until = std::chrono::steady_clock::now() + time_wait_pause;
  while (!interrupt_.interrupted() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int run_strategy_command(const RunStrategyArgs& args) {
  raise_open_files_limit();
  const auto requests = load_url_list(args.list);
  const auto strategy = Strategy::parse(args.strategy);
  Client client(args.client.to_options());
  RunOptions run_options;
  run_options.max_in_flight = args.max_in_flight;
  // The measurement is of this whole process, which does nothing else meanwhile; processes:N
  // reaps its workers before run() returns, so their CPU and peak memory count too.
  const bench::ProcessUsageMeter meter;
  const auto report = run(requests, strategy, client, run_options);
  const auto usage = meter.usage();
  // Results are written after the clock stopped, so writing them is not measured.
  std::string out;
  for (const auto& result : report.results) {
    out += json_line(result_to_json(result));
    out += '\n';
  }
  nlohmann::json last;
  last["report"] = report_to_json(report, usage);
  out += json_line(last);
  out += '\n';
  std::cout << out << std::flush;
  return exit_ok;
}

}  // namespace fetcher::cli
