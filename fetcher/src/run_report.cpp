// run_report.cpp: percentiles and latency summaries.
#include <fetcher/run_report.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fetcher {

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest value with at least p% of the sample at or below it.
  // The small allowance keeps p * n / 100 from landing a rank too high through rounding error
  // (55 * 100 / 100 computed as 55.000000000000007).
  const double exact_rank = p / 100.0 * static_cast<double>(sorted.size());
  const auto rank = static_cast<std::size_t>(std::ceil(exact_rank - 1e-9 * std::max(1.0, exact_rank)));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

LatencySummary summarize_latency(const std::vector<FetchResult>& results) {
  std::vector<double> seconds;
  seconds.reserve(results.size());
  for (const auto& result : results) {
    if (result.status != 0) seconds.push_back(std::chrono::duration<double>(result.timings.total).count());
  }
  std::sort(seconds.begin(), seconds.end());
  LatencySummary summary;
  summary.count = seconds.size();
  if (seconds.empty()) return summary;
  summary.mean = std::accumulate(seconds.begin(), seconds.end(), 0.0) / static_cast<double>(seconds.size());
  summary.p50 = percentile(seconds, 50);
  summary.p95 = percentile(seconds, 95);
  summary.p99 = percentile(seconds, 99);
  summary.max = seconds.back();
  return summary;
}

double RunReport::requests_per_second() const {
  const double seconds = wall_seconds();
  return seconds > 0 ? static_cast<double>(requests) / seconds : 0;
}

}  // namespace fetcher
