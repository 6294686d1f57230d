// run_report.hpp: what one strategy's run over one list measured.
#pragma once

#include <fetcher/fetch_result.hpp>

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

struct RunReport {
  std::string strategy;
  std::chrono::nanoseconds wall{0};  // first fetch started -> last result delivered
  double cpu_user_s = 0;             // CPU of this process during the run
  double cpu_sys_s = 0;
  std::size_t requests = 0;  // == results.size()
  std::size_t ok = 0;        // transfer completed with status < 400
  std::size_t failed = 0;    // requests - ok (http_status failures included)
  std::uint64_t bytes = 0;   // body bytes over all results
  LatencySummary latency;
  std::uint64_t connections_opened = 0;  // during this run; keep-alive makes it < requests
  std::uint64_t tls_handshakes = 0;      // during this run
  std::uint64_t tls_resumed = 0;         // of those, resumed sessions (no certificate checks)
  unsigned peak_threads = 0;  // most threads alive in this process during the run
  long peak_rss_kb = 0;       // the process's peak resident set so far (getrusage)
  std::vector<FetchResult> results;  // in list order

  double wall_seconds() const { return std::chrono::duration<double>(wall).count(); }
  double requests_per_second() const;
};

}  // namespace fetcher
