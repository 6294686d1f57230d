// run.cpp: run(): one strategy over a fixed list of requests, and the report on it. Every
// strategy but processes:N is the Scheduler's fixed-list case, in arrival (list) order; the
// process pool is in process_pool.cpp.
#include <fetcher/run.hpp>

#include "scheduler_state.hpp"
#include "process_pool.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <string>
#include <system_error>

#include <sys/resource.h>

namespace fetcher {

using namespace detail;

namespace {

// Most fetches the scheduler keeps in flight for run(): async takes the caller's cap (never
// more than the open-files budget, the scheduler's default); a thread per URL starts them all.
std::size_t in_flight_for(const Strategy& strategy, std::size_t requested, std::size_t urls) {
  if (strategy.kind == Strategy::Kind::threads) return std::max<std::size_t>(urls, 1);
  if (strategy.kind != Strategy::Kind::async || requested == 0) return 0;
  const auto budget = open_files_budget();
  return std::max<std::size_t>(1, budget == 0 ? requested : std::min(requested, budget));
}

RunReport run_on_scheduler(const std::vector<FetchRequest>& requests, const Strategy& strategy, Client& client,
                           const RunOptions& run_options, const ResultCallback& on_result) {
  SchedulerOptions options;
  options.strategy = strategy;
  options.max_in_flight = in_flight_for(strategy, run_options.max_in_flight, requests.size());
  options.keep_results = true;
  // run() promises a callback that is never called from two threads at once.
  std::mutex callback_mutex;
  ResultHandler handler;
  if (on_result) {
    handler = [&](const FetchResult& result) {
      std::lock_guard lock(callback_mutex);
      on_result(result);
    };
  }
  SchedulerState state(client, std::move(options), std::move(handler), /*arrival_order=*/true);
  for (const auto& request : requests) state.push(request);
  state.close();
  auto report = state.run(RunStopperAccess::token(run_options.stopper));
  report.latency = summarize_latency(report.results);  // exact, from every result
  return report;
}

// processes:N: worker processes fetch, this process delivers; the connection counters are the
// workers' too.
RunReport run_process_pool(const std::vector<FetchRequest>& requests, const Strategy& strategy, Client& client,
                           const RunOptions& run_options, const ResultCallback& on_result) {
  RunReport report;
  report.strategy = strategy.name();
  report.results.resize(requests.size());
  ResultSink sink(report.results, on_result);
  ThreadCount threads;
  auto* stopper = run_options.stopper;

  const auto counters_before = client.counters();
  Client::Counters worker_counters;
  const auto start = std::chrono::steady_clock::now();
  try {
    worker_counters = run_processes(requests, strategy.workers, client, sink, threads, stopper);
  } catch (const std::system_error& error) {
    // The run could not set up at all (no shared memory): every URL says why.
    sink.fail_undelivered(requests, ErrorKind::resource, std::string("cannot set up the run: ") + error.what());
  }
  if (stopper && stopper->stopped()) sink.cancel_undelivered(requests);
  sink.fail_undelivered(requests, ErrorKind::resource, "no worker could fetch this URL (processes or files exhausted)");
  report.wall = std::chrono::steady_clock::now() - start;
  const auto counters_after = client.counters();
  report.connections_opened =
      counters_after.connections_opened - counters_before.connections_opened + worker_counters.connections_opened;
  report.tls_handshakes =
      counters_after.tls_handshakes - counters_before.tls_handshakes + worker_counters.tls_handshakes;
  report.tls_resumed = counters_after.tls_resumed - counters_before.tls_resumed + worker_counters.tls_resumed;
  report.peak_threads = threads.peak();
  report.requests = report.results.size();
  for (const auto& result : report.results) {
    if (result.ok()) ++report.ok;
    report.bytes += result.body_bytes;
    if (result.status != 0) report.latency_histogram.add(result.timings.total);
  }
  report.failed = report.requests - report.ok;
  report.latency = summarize_latency(report.results);
  if (auto failure = sink.callback_failure()) std::rethrow_exception(failure);
  return report;
}

}  // namespace

RunReport run(const std::vector<FetchRequest>& requests, const Strategy& strategy, Client& client,
              const RunOptions& run_options, const ResultCallback& on_result) {
  if (strategy.kind == Strategy::Kind::processes) {
    return run_process_pool(requests, strategy, client, run_options, on_result);
  }
  return run_on_scheduler(requests, strategy, client, run_options, on_result);
}

void raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace fetcher
