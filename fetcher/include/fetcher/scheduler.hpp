// scheduler.hpp: a run that grows while it runs, for crawlers.
//
// Usage:
//   fetcher::Client client(options);
//   fetcher::Scheduler scheduler(client, {.strategy = fetcher::Strategy::parse("async")},
//                                [&](const fetcher::FetchResult& result) {
//                                  for (auto& link : links_of(result)) scheduler.push({link});
//                                });
//   for (auto& seed : seeds) scheduler.push({seed});
//   scheduler.close();                       // no more input from outside
//   auto report = scheduler.run(stop.get_token());
//
// The flow:
//   1. push() puts a request in its host's queue (the host of its URL, from split_url). A URL
//      that does not split fails at once as bad_url, without waiting for its host.
//   2. The dispatcher takes requests from the hosts round-robin, over the hosts with work ready:
//      a host is ready while it has fewer fetches in flight than its max_in_flight and its
//      min_interval has passed since its last dispatch. A request waiting for its host holds no
//      global in-flight slot and no socket, and its timeouts start only when it is dispatched.
//   3. A dispatched fetch runs through Client::async_fetch. Redirect hops to other hosts inside
//      one fetch are not gated again: the policy applies to the host of the pushed URL.
//   4. Its result goes to the handler, on the thread that ran the fetch, before the fetch counts
//      as finished: a push from the handler keeps the run going.
//   5. run() returns once close() was called and nothing is queued or in flight, or after a stop.
//
// Every pushed request gets exactly one result. After a stop, fetches in flight end as
// ErrorKind::cancelled and requests still queued (or pushed later, while run() is still on its
// way out) are delivered as cancelled too, without being fetched.
//
// Politeness belongs here, not in FetchOptions: the client's own max_per_host and
// min_host_interval still apply inside each fetch (and there, waiting counts against the fetch's
// timeouts), so a crawler on the scheduler leaves them at 0 and sets host_defaults instead.
//
// Memory: once a result is delivered the scheduler keeps nothing of its URL (unless
// keep_results). A host's entry lives while it has requests queued or in flight or an interval
// pending; the policies given to set_host_policy are kept for the scheduler's lifetime.
#pragma once

#include <fetcher/client.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/run_report.hpp>
#include <fetcher/strategy.hpp>
#include <fetcher/url_list.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

namespace fetcher {

// Politeness for one host.
struct HostPolicy {
  unsigned max_in_flight = 0;                 // fetches to the host at once; 0 = no limit
  std::chrono::milliseconds min_interval{0};  // between two dispatches to the host; 0 = none
};

struct SchedulerOptions {
  // async (one loop on the calling thread), async:N (N loops on N threads, the caller's among
  // them), pool:N (N blocking worker threads), sequential (pool:1 on the calling thread) or
  // threads (a thread per request, started as it is dispatched). processes:N is not supported
  // by the scheduler (run() has it): the constructor throws std::invalid_argument.
  Strategy strategy = Strategy::parse("async");
  // Most fetches in flight over the whole run. 0: the open-files budget (what the limit on open
  // files leaves room for; raise_open_files_limit() raises it). pool:N and sequential are
  // bounded by their workers as well.
  std::size_t max_in_flight = 0;
  // The policy of every host without one of its own (set_host_policy).
  HostPolicy host_defaults;
  // Keep every result in RunReport::results (by index). Off: the scheduler holds nothing of a
  // URL once its result is delivered; the report has counters and the latency histogram.
  bool keep_results = false;
};

// Called once per pushed request, on the thread that ran its fetch: a loop's or a worker's (a bad
// URL's result too, never on the pushing thread); results cancelled by a stop are delivered on
// the thread that called run(), after the loops and workers have ended. With async:N, pool:N or
// threads, handlers run concurrently on different threads and must be thread-safe; no lock of
// the scheduler is held while one runs, so a slow handler holds up only its own loop or worker.
// An exception from the handler is kept, the run goes on, and run() rethrows the first one at
// the end.
using ResultHandler = std::function<void(const FetchResult&)>;

class Scheduler {
 public:
  // `client` must outlive the scheduler. Throws std::invalid_argument for processes:N.
  Scheduler(Client& client, SchedulerOptions options, ResultHandler on_result = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a request, from any thread, before or during run(), also from the handler and after
  // close(). Returns its index (FetchResult::index: pushes are numbered from 0), or nothing when
  // run() has already returned: the request is then not accepted and gets no result.
  std::optional<std::size_t> push(FetchRequest request);

  // No more input from outside: run() returns once nothing is queued or in flight.
  void close();

  // Politeness for one host (its URL host, lower-case, as split_url gives it), e.g. from a
  // robots.txt Crawl-delay. From any thread, before or during run(); it applies from the next
  // dispatch on, the interval counted from the host's last dispatch.
  void set_host_policy(const std::string& host, HostPolicy policy);

  // Runs until closed and drained, or stopped. Once per scheduler; a second call throws
  // std::logic_error. The report: strategy, wall, cpu, counters, latency (from the histogram),
  // connection counters of the client during the run, peak_threads; results only with
  // keep_results.
  RunReport run(std::stop_token stop = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fetcher
