// run_report.cpp: percentiles, latency summaries and the latency histogram.
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

std::size_t LatencyHistogram::bucket_of(std::int64_t nanoseconds) {
  if (nanoseconds <= 1) return 0;
  const double position = std::log2(static_cast<double>(nanoseconds)) * buckets_per_doubling;
  return std::min(static_cast<std::size_t>(position), bucket_count - 1);
}

double LatencyHistogram::bucket_middle_seconds(std::size_t bucket) {
  // Bucket b holds [2^(b/8), 2^((b+1)/8)) ns; its geometric middle is 2^((b+0.5)/8) ns.
  const double exponent = (static_cast<double>(bucket) + 0.5) / buckets_per_doubling;
  return std::exp2(exponent) / 1e9;
}

void LatencyHistogram::add(std::chrono::nanoseconds value) {
  const std::int64_t nanoseconds = std::max<std::int64_t>(0, value.count());
  ++buckets_[bucket_of(nanoseconds)];
  min_ns_ = count_ == 0 ? nanoseconds : std::min(min_ns_, nanoseconds);
  max_ns_ = count_ == 0 ? nanoseconds : std::max(max_ns_, nanoseconds);
  ++count_;
  sum_seconds_ += static_cast<double>(nanoseconds) / 1e9;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t b = 0; b < bucket_count; ++b) buckets_[b] += other.buckets_[b];
  min_ns_ = count_ == 0 ? other.min_ns_ : std::min(min_ns_, other.min_ns_);
  max_ns_ = count_ == 0 ? other.max_ns_ : std::max(max_ns_, other.max_ns_);
  count_ += other.count_;
  sum_seconds_ += other.sum_seconds_;
}

double LatencyHistogram::mean() const { return count_ == 0 ? 0 : sum_seconds_ / static_cast<double>(count_); }
double LatencyHistogram::min() const { return static_cast<double>(min_ns_) / 1e9; }
double LatencyHistogram::max() const { return static_cast<double>(max_ns_) / 1e9; }

double LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  const double exact_rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(count_);
  const auto rank = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::ceil(exact_rank - 1e-9 * std::max(1.0, exact_rank))), 1, count_);
  if (rank == count_) return max();
  std::size_t seen = 0;
  for (std::size_t b = 0; b < bucket_count; ++b) {
    seen += buckets_[b];
    if (seen < rank) continue;
    if (b == 0) return min();                 // below 1 ns
    if (b == bucket_count - 1) return max();  // the open-ended last bucket
    return std::clamp(bucket_middle_seconds(b), min(), max());
  }
  return max();
}

LatencySummary LatencyHistogram::summary() const {
  LatencySummary summary;
  summary.count = count_;
  if (count_ == 0) return summary;
  summary.mean = mean();
  summary.p50 = percentile(50);
  summary.p95 = percentile(95);
  summary.p99 = percentile(99);
  summary.max = max();
  return summary;
}

double RunReport::requests_per_second() const {
  const double seconds = wall_seconds();
  return seconds > 0 ? static_cast<double>(requests) / seconds : 0;
}

}  // namespace fetcher
