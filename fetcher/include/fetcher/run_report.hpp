// run_report.hpp: what one strategy's run over one list measured.
#pragma once

#include <fetcher/fetch_result.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace fetcher {

// Latency of whole fetches (redirects included), in seconds. Computed over the fetches that
// got a response (ok or http_status); failures without a response would only measure their
// timeout.
struct LatencySummary {
  std::size_t count = 0;
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

// Nearest-rank percentile (p in [0, 100]) of an ascending-sorted sample; 0 for an empty one.
double percentile(const std::vector<double>& sorted, double p);
LatencySummary summarize_latency(const std::vector<FetchResult>& results);

// Latencies in constant memory: log-spaced buckets, 8 per doubling from 1 ns to about 19 hours,
// so a percentile estimate is within one bucket (about 9%) of the true value; count, mean, min
// and max are exact. For runs that do not keep every result.
class LatencyHistogram {
 public:
  void add(std::chrono::nanoseconds value);
  void merge(const LatencyHistogram& other);

  std::size_t count() const { return count_; }
  // In seconds; 0 for an empty histogram.
  double mean() const;
  double min() const;
  double max() const;
  // Nearest-rank percentile (p in [0, 100]): the geometric middle of the bucket holding that
  // rank, clamped to [min, max]; the top rank is max exactly; 0 for an empty histogram.
  double percentile(double p) const;
  LatencySummary summary() const;

  static constexpr int buckets_per_doubling = 8;
  static constexpr std::size_t bucket_count = 46 * buckets_per_doubling + 1;

 private:
  static std::size_t bucket_of(std::int64_t nanoseconds);
  static double bucket_middle_seconds(std::size_t bucket);

  std::array<std::uint64_t, bucket_count> buckets_{};
  std::size_t count_ = 0;
  double sum_seconds_ = 0;
  std::int64_t min_ns_ = 0;
  std::int64_t max_ns_ = 0;
};

struct RunReport {
  std::string strategy;
  std::chrono::nanoseconds wall{0};  // first fetch started -> last result delivered
  std::size_t requests = 0;          // results delivered (== results.size() when results are kept)
  std::size_t ok = 0;                // transfer completed with status < 400
  std::size_t failed = 0;            // requests - ok (http_status failures included)
  std::uint64_t bytes = 0;           // body bytes over all results
  LatencySummary latency;
  // The same latencies (fetches that got a response) as a histogram; the scheduler's report,
  // which need not keep results, computes `latency` from it.
  LatencyHistogram latency_histogram;
  std::uint64_t connections_opened = 0;  // during this run; keep-alive makes it < requests
  std::uint64_t tls_handshakes = 0;      // during this run
  std::uint64_t tls_resumed = 0;         // of those, resumed sessions (no certificate checks)
  unsigned peak_threads = 0;             // most threads alive in this process during the run
  std::vector<FetchResult> results;      // run(): in list order; Scheduler: only with keep_results, by index

  double wall_seconds() const { return std::chrono::duration<double>(wall).count(); }
  double requests_per_second() const;
};

}  // namespace fetcher
