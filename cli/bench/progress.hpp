// progress.hpp: the bench's progress on stderr: which list and strategy is being measured, how
// many of all the measurements are done, the time elapsed and an estimate of the time left from
// the model's ideal times. On a terminal, one line redrawn in place and cleared when done; else
// a plain line per strategy as it finishes, for logs. Also the notice before a long bench.
#pragma once

#include "common/terminal_style.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace fetcher::cli {

// Everything one drawing of the line shows.
struct ProgressState {
  std::string list;
  std::string strategy;
  unsigned repeat = 1;  // this strategy's run, 1-based (--runs)
  unsigned repeats = 1;
  std::size_t step = 0;       // the measurement under way, 1-based
  std::size_t steps = 0;      // all measurements of the bench
  double elapsed_s = 0;       // since the bench started measuring
  double step_elapsed_s = 0;  // since this measurement started
  double step_ideal_s = -1;   // this measurement's ideal time; negative when unknown
  double done_ideal_s = 0;    // the ideal time of the measurements finished
  double done_actual_s = 0;   // what they actually took
  double total_ideal_s = -1;  // the ideal time of all measurements; negative when unknown
};

// Seconds left: the ideal time still ahead, scaled by how the finished measurements compared
// with their ideal; without ideal times, the mean measurement so far times those left.
// Negative when there is nothing to go on yet.
double estimate_seconds_left(const ProgressState& state);
// 0..1 of the whole bench, by ideal time when known, else by measurements.
double progress_fraction(const ProgressState& state);
// "0:07", "1:05", "1:02:03".
std::string clock_text(double seconds);
// The line itself, at most `columns` wide.
std::string progress_text(const ProgressState& state, const Style& style, std::size_t columns);

// The plain line for a strategy that finished (its figures are in `state` after its last
// end_step): "progress: 2/10 list.txt pool:2 71.2 ms; 0:04 elapsed, ~0:12 left".
std::string finished_strategy_text(const ProgressState& state, double wall_s);

// The bench runs at least one minute: its expected duration is printed before it starts.
constexpr double long_bench_s = 60;
// The notice for a bench whose ideal total is `total_ideal_s` over `measurements` runs of a
// strategy; empty when it is unknown or shorter than long_bench_s.
std::string long_bench_notice(double total_ideal_s, std::size_t measurements);

// off: nothing; live: the line redrawn in place (a terminal); lines: a plain line per strategy.
enum class ProgressMode { off, live, lines };

// The progress. Off, every call does nothing, so callers need not check. While a step
// runs, a ticker thread redraws the line a few times a second so elapsed time moves; the
// measured strategies run in their own processes, so the ticker does not touch their figures.
class ProgressLine {
 public:
  ProgressLine(std::ostream& out, bool enabled, Style style, std::size_t columns);
  ProgressLine(std::ostream& out, ProgressMode mode, Style style, std::size_t columns);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void start(std::size_t steps, double total_ideal_s);
  void begin_step(const std::string& list, const std::string& strategy, unsigned repeat, unsigned repeats,
                  double ideal_s);
  void end_step();
  // A strategy's runs are all done: in lines mode, its line (wall_s: the reported wall time).
  void strategy_done(double wall_s);
  // Clears the line so other output can be written; the next begin_step shows it again.
  void hide();

 private:
  using Clock = std::chrono::steady_clock;
  void tick(std::stop_token stop);
  void draw_locked();
  void clear_locked();

  std::ostream& out_;
  const ProgressMode mode_;
  const bool enabled_;  // any output at all
  const Style style_;
  const std::size_t columns_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  ProgressState state_;
  Clock::time_point started_{};
  Clock::time_point step_started_{};
  bool visible_ = false;
  std::jthread ticker_;  // last: stops and joins first on destruction
};

}  // namespace fetcher::cli
