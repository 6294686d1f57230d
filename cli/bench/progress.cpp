// progress.cpp: the progress line's text and its redrawing.
#include "bench/progress.hpp"

#include "common/units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fetcher::cli {
namespace {

constexpr auto redraw_every = std::chrono::milliseconds(200);
constexpr std::size_t bar_cells = 16;

double seconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string bar(double fraction, const Style& style) {
  const auto filled = static_cast<std::size_t>(std::lround(std::clamp(fraction, 0.0, 1.0) * bar_cells));
  std::string done, left;
  for (std::size_t i = 0; i < filled; ++i) done += style.unicode ? "\u2588" : "#";
  for (std::size_t i = filled; i < bar_cells; ++i) left += style.unicode ? "\u2591" : ".";
  return paint(style, Paint::cyan, done) + left;
}

}  // namespace

double estimate_seconds_left(const ProgressState& state) {
  if (state.total_ideal_s >= 0 && state.step_ideal_s >= 0) {
    // Finished measurements tell how much slower than ideal this machine runs (process start,
    // overhead); at least 1, since nothing beats the ideal by much.
    const double scale = state.done_ideal_s > 0 ? std::max(1.0, state.done_actual_s / state.done_ideal_s) : 1.0;
    const double this_step_left = std::max(0.0, state.step_ideal_s * scale - state.step_elapsed_s);
    const double after = std::max(0.0, state.total_ideal_s - state.done_ideal_s - state.step_ideal_s);
    return this_step_left + after * scale;
  }
  const std::size_t finished = state.step > 0 ? state.step - 1 : 0;
  if (finished == 0) return -1;
  const double mean = state.done_actual_s / static_cast<double>(finished);
  return std::max(0.0, mean - state.step_elapsed_s) + mean * static_cast<double>(state.steps - state.step);
}

double progress_fraction(const ProgressState& state) {
  if (state.total_ideal_s > 0 && state.step_ideal_s >= 0) {
    return std::clamp((state.done_ideal_s + std::min(state.step_elapsed_s, state.step_ideal_s)) / state.total_ideal_s,
                      0.0, 1.0);
  }
  return state.steps ? static_cast<double>(state.step > 0 ? state.step - 1 : 0) / static_cast<double>(state.steps) : 0;
}

std::string clock_text(double seconds) {
  const auto total = static_cast<long long>(std::max(0.0, std::round(seconds)));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  }
  return text;
}

std::string progress_text(const ProgressState& state, const Style& style, std::size_t columns) {
  // Times before names: a narrow terminal cuts the end of the line, and the estimate matters most.
  std::string text = bar(progress_fraction(state), style) + " " + std::to_string(state.step) + "/" +
                     std::to_string(state.steps) + "  " + clock_text(state.elapsed_s);
  if (const double left = estimate_seconds_left(state); left >= 0) text += ", ~" + clock_text(left) + " left";
  text += "  " + state.list + "  " + paint(style, Paint::bold, state.strategy);
  if (state.repeats > 1) text += " run " + std::to_string(state.repeat) + "/" + std::to_string(state.repeats);
  return truncate_to_width(text, columns);
}

std::string finished_strategy_text(const ProgressState& state, double wall_s) {
  std::string text = "progress: " + std::to_string(state.step) + "/" + std::to_string(state.steps) + " " + state.list +
                     " " + state.strategy + " " + format_seconds(wall_s);
  if (state.repeats > 1) text += " (median of " + std::to_string(state.repeats) + ")";
  text += "; " + clock_text(state.elapsed_s) + " elapsed";
  // Every measurement so far is done: what is left is the ideal still ahead, scaled as the
  // finished ones ran, or without ideal times the mean measurement times those left.
  double left = -1;
  if (state.total_ideal_s >= 0) {
    const double scale = state.done_ideal_s > 0 ? std::max(1.0, state.done_actual_s / state.done_ideal_s) : 1.0;
    left = std::max(0.0, state.total_ideal_s - state.done_ideal_s) * scale;
  } else if (state.step > 0) {
    left = state.done_actual_s / static_cast<double>(state.step) * static_cast<double>(state.steps - state.step);
  }
  if (left >= 0 && state.step < state.steps) text += ", ~" + clock_text(left) + " left";
  return text;
}

std::string long_bench_notice(double total_ideal_s, std::size_t measurements) {
  if (total_ideal_s < long_bench_s) return {};
  return "this bench takes at least " + clock_text(total_ideal_s) + " (the sites' ideal time of its " +
         std::to_string(measurements) + (measurements == 1 ? " measurement" : " measurements") +
         "); Ctrl-C stops it and prints what finished";
}

ProgressLine::ProgressLine(std::ostream& out, bool enabled, Style style, std::size_t columns)
    : ProgressLine(out, enabled ? ProgressMode::live : ProgressMode::off, style, columns) {}

ProgressLine::ProgressLine(std::ostream& out, ProgressMode mode, Style style, std::size_t columns)
    : out_(out), mode_(mode), enabled_(mode != ProgressMode::off), style_(style),
      columns_(columns > 1 ? columns - 1 : 1) {
  if (mode_ == ProgressMode::live) ticker_ = std::jthread([this](std::stop_token stop) { tick(stop); });
}

ProgressLine::~ProgressLine() {
  if (mode_ != ProgressMode::live) return;
  ticker_.request_stop();
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard lock(mutex_);
  clear_locked();
}

void ProgressLine::start(std::size_t steps, double total_ideal_s) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  state_.steps = steps;
  state_.total_ideal_s = total_ideal_s;
  started_ = Clock::now();
}

void ProgressLine::begin_step(const std::string& list, const std::string& strategy, unsigned repeat, unsigned repeats,
                              double ideal_s) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  state_.list = list;
  state_.strategy = strategy;
  state_.repeat = repeat;
  state_.repeats = repeats;
  state_.step += 1;
  state_.step_ideal_s = ideal_s;
  step_started_ = Clock::now();
  if (mode_ != ProgressMode::live) return;
  visible_ = true;
  draw_locked();
}

void ProgressLine::end_step() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (state_.step_ideal_s >= 0) state_.done_ideal_s += state_.step_ideal_s;
  state_.done_actual_s += seconds_between(step_started_, Clock::now());
}

void ProgressLine::strategy_done(double wall_s) {
  if (mode_ != ProgressMode::lines) return;
  std::lock_guard lock(mutex_);
  state_.elapsed_s = seconds_between(started_, Clock::now());
  out_ << finished_strategy_text(state_, wall_s) << "\n" << std::flush;
}

void ProgressLine::hide() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  clear_locked();
}

void ProgressLine::tick(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    wake_.wait_for(lock, stop, redraw_every, [] { return false; });
    if (!stop.stop_requested() && visible_) draw_locked();
  }
}

void ProgressLine::draw_locked() {
  const auto now = Clock::now();
  state_.elapsed_s = seconds_between(started_, now);
  state_.step_elapsed_s = seconds_between(step_started_, now);
  out_ << "\r" << progress_text(state_, style_, columns_) << "\033[K" << std::flush;
}

void ProgressLine::clear_locked() {
  if (!visible_) return;
  out_ << "\r\033[K" << std::flush;
  visible_ = false;
}

}  // namespace fetcher::cli
