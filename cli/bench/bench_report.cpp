// bench_report.cpp: the figures each rendering derives from a list: a row's efficiency and
// spread, the runs per strategy, the speedup against sequential, and the fastest row.
#include "bench/bench_report.hpp"

#include <algorithm>

namespace fetcher::cli {
namespace {

const StrategyRow* sequential_row(const ListReport& list) {
  for (const auto& row : list.strategies) {
    if (row.report.strategy == "sequential") return &row;
  }
  return nullptr;
}

}  // namespace

double StrategyRow::wall_spread() const {
  if (wall_runs_s.size() < 2) return -1;
  const double median = report.wall_seconds();
  return std::max(median - wall_runs_s.front(), wall_runs_s.back() - median);
}

std::size_t runs_of(const ListReport& list) {
  std::size_t runs = 1;
  for (const auto& row : list.strategies) runs = std::max(runs, row.wall_runs_s.size());
  return runs;
}

double StrategyRow::efficiency() const {
  const double wall = report.wall_seconds();
  return ideal_s < 0 || wall <= 0 ? -1 : ideal_s / wall;
}

double speedup(const ListReport& list, const StrategyRow& row) {
  const auto* base = sequential_row(list);
  if (!base || base->report.latency.count == 0 || row.report.wall_seconds() <= 0) return -1;
  return base->report.wall_seconds() / row.report.wall_seconds();
}

const StrategyRow* fastest_row(const ListReport& list) {
  const StrategyRow* best = nullptr;
  for (const auto& row : list.strategies) {
    if (!best || row.report.ok > best->report.ok ||
        (row.report.ok == best->report.ok && row.report.wall < best->report.wall)) {
      best = &row;
    }
  }
  return best;
}

}  // namespace fetcher::cli
