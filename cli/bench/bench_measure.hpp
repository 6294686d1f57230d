// bench_measure.hpp: the bench's measurements. The emulated origin runs in a child process of
// its own, and each strategy runs over each list in a fresh child too (`fetcher __run-strategy`,
// results as JSON lines on stdout), so CPU and peak RSS are that strategy's alone.
#pragma once

#include "bench/bench_plan.hpp"
#include "bench/bench_report.hpp"
#include "bench/progress.hpp"
#include "commands.hpp"
#include "common/interrupt.hpp"
#include "common/origin_process.hpp"

#include <fetcher/bench/process_usage.hpp>
#include <fetcher/run_report.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fetcher::cli {

// Without --live: the emulated origin serving the plan's sites file, its heap on huge pages when
// the largest list wants them (`huge_pages` is --huge-pages), with plan.client pointed at it: its
// connect-to rules go first, and its CA is trusted unless --cacert names one. Null with --live.
std::unique_ptr<OriginProcess> start_origin(BenchPlan& plan, const std::string& huge_pages);

// Ends the measuring child running now, if any: an interrupt's action. Ctrl-C at a terminal
// reaches the child anyway, a signal sent to the bench alone does not.
void stop_measuring_child();

// Measures a plan's lists one at a time with a progress line on stderr (from construction, after
// the notice of a long bench). Each strategy runs --runs times, each in a fresh process against
// a freshly reset origin; its median run is kept whole (not a mix of medians), so its figures
// belong together. An interrupt drops the strategy being measured.
class BenchMeasurer {
 public:
  BenchMeasurer(const BenchArgs& args, const BenchPlan& plan, OriginProcess* origin, const InterruptWatcher& interrupt);

  // List `index` measured by every strategy, with what their runs say together; nothing when an
  // interrupt came before its first strategy finished. Throws InternalError when a measuring
  // child or the origin fails of itself.
  std::optional<ListReport> measure_list(std::size_t index);
  // Some URL failed in some strategy's reported run.
  bool any_failed() const { return any_failed_; }

 private:
  // A run, what it cost its process, and what the origin's hosts saw during it.
  struct Repeat {
    RunReport report;
    bench::ProcessUsage usage;
    nlohmann::json seen;  // null with --live
  };

  // Every run of one strategy over one list; nothing when interrupted.
  std::optional<std::vector<Repeat>> measure_repeats(const std::string& list_name, std::size_t list,
                                                     std::size_t strategy, const std::vector<std::string>& environment);
  // One run in a child against a freshly reset origin.
  Repeat measure_once(std::size_t list, std::size_t strategy, const std::vector<std::string>& environment);
  // The table row of a strategy's repeats (sorted by wall time): the median's figures, every wall.
  StrategyRow row_of(std::vector<Repeat>& repeats, double ideal_s);
  // After a run that opened many connections, the next waits for their TIME_WAIT ports.
  void pause_after_many_connections() const;

  const BenchArgs& args_;
  const BenchPlan& plan_;
  OriginProcess* origin_;
  const InterruptWatcher& interrupt_;
  ProgressLine progress_;
  std::uint64_t connections_of_last_run_ = 0;
  bool any_failed_ = false;
};

}  // namespace fetcher::cli
