// run.cpp: the strategies. They decide only who runs each fetch and when; every fetch goes
// through the same Client.
#include <fetcher/run.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>

#include <sys/resource.h>

namespace fetcher {
namespace {

namespace asio = boost::asio;

FetchResult failed_result(const FetchRequest& request, std::size_t index, ErrorKind kind, std::string message) {
  FetchResult result;
  result.index = index;
  result.url = request.url;
  result.final_url = request.url;
  result.source = request.source;
  result.error = kind;
  result.message = request.source.empty() ? std::move(message) : request.source + ": " + message;
  return result;
}

// Hands each result to the caller's callback and stores it, one thread at a time.
class ResultSink {
 public:
  ResultSink(std::vector<FetchResult>& results, const ResultCallback& on_result)
      : results_(results), on_result_(on_result) {}

  void deliver(FetchResult result) {
    std::lock_guard lock(mutex_);
    if (on_result_) {
      // A throwing callback is the caller's bug; it must not take the other URLs down with it,
      // so it is kept and rethrown once the run is complete.
      try {
        on_result_(result);
      } catch (...) {
        if (!callback_failure_) callback_failure_ = std::current_exception();
      }
    }
    auto& slot = results_[result.index];
    slot = std::move(result);
  }

  std::exception_ptr callback_failure() const { return callback_failure_; }

 private:
  std::mutex mutex_;
  std::vector<FetchResult>& results_;
  const ResultCallback& on_result_;
  std::exception_ptr callback_failure_;
};

// Counts the threads a strategy has alive (the calling thread included) and their peak.
class ThreadCount {
 public:
  void started() {
    const unsigned now = ++alive_;
    unsigned peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
  }
  void stopped() { --alive_; }
  unsigned peak() const { return peak_.load(); }

 private:
  std::atomic<unsigned> alive_{1};
  std::atomic<unsigned> peak_{1};
};

// A blocking fetch that turns an unexpected exception (a bug, or memory exhaustion) into a
// result instead of taking the whole run down.
FetchResult fetch_blocking(Client& client, const FetchRequest& request, std::size_t index) {
  try {
    return client.fetch(request, index);
  } catch (const std::exception& error) {
    return failed_result(request, index, ErrorKind::resource, std::string("internal error: ") + error.what());
  }
}

void run_sequential(const std::vector<FetchRequest>& requests, Client& client, ResultSink& sink) {
  for (std::size_t i = 0; i < requests.size(); ++i) sink.deliver(fetch_blocking(client, requests[i], i));
}

void run_thread_per_url(const std::vector<FetchRequest>& requests, Client& client, ResultSink& sink,
                        ThreadCount& threads) {
  std::vector<std::thread> workers;
  workers.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    try {
      threads.started();
      workers.emplace_back([&, i] {
        sink.deliver(fetch_blocking(client, requests[i], i));
        threads.stopped();
      });
    } catch (const std::system_error& error) {
      threads.stopped();
      sink.deliver(failed_result(requests[i], i, ErrorKind::resource,
                                 std::string("cannot start a thread for this URL: ") + error.what()));
    }
  }
  for (auto& worker : workers) worker.join();
}

void run_pool(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client,
              ResultSink& sink, ThreadCount& threads) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < requests.size(); i = next++) sink.deliver(fetch_blocking(client, requests[i], i));
  };
  std::vector<std::thread> workers;
  workers.reserve(worker_count);
  for (unsigned w = 0; w < worker_count; ++w) {
    try {
      threads.started();
      workers.emplace_back([&] {
        work();
        threads.stopped();
      });
    } catch (const std::system_error&) {
      // Fewer workers than asked for still finish the queue; with none, the caller's thread does.
      threads.stopped();
      break;
    }
  }
  if (workers.empty()) work();
  for (auto& worker : workers) worker.join();
}

void run_async(const std::vector<FetchRequest>& requests, Client& client, std::size_t max_in_flight,
               ResultSink& sink) {
  asio::io_context loop(1);
  const auto spawn_fetch = [&](std::size_t i, auto&& then) {
    asio::co_spawn(loop, client.async_fetch(requests[i], i),
                   [&, i, then](std::exception_ptr error, FetchResult result) {
                     if (error) {
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         result = failed_result(requests[i], i, ErrorKind::resource,
                                                std::string("internal error: ") + e.what());
                       }
                     }
                     sink.deliver(std::move(result));
                     then();
                   });
  };
  // With a limit, a fixed number of lanes, each starting its next URL when its last one
  // finished: the limit on fetches in flight is the number of lanes. These live until run()
  // returns, because completion handlers call start_next.
  std::size_t next = 0;
  std::function<void()> start_next = [&] {
    if (next < requests.size()) spawn_fetch(next++, start_next);
  };
  if (max_in_flight == 0 || max_in_flight >= requests.size()) {
    for (std::size_t i = 0; i < requests.size(); ++i) spawn_fetch(i, [] {});
  } else {
    for (std::size_t lane = 0; lane < max_in_flight; ++lane) start_next();
  }
  loop.run();
}

double seconds(const timeval& value) {
  return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
}

}  // namespace

RunReport run(const std::vector<FetchRequest>& requests, const Strategy& strategy, Client& client,
              const RunOptions& run_options, const ResultCallback& on_result) {
  RunReport report;
  report.strategy = strategy.name();
  report.results.resize(requests.size());
  ResultSink sink(report.results, on_result);
  ThreadCount threads;

  const auto counters_before = client.counters();
  rusage usage_before{};
  getrusage(RUSAGE_SELF, &usage_before);
  const auto start = std::chrono::steady_clock::now();
  switch (strategy.kind) {
    case Strategy::Kind::sequential: run_sequential(requests, client, sink); break;
    case Strategy::Kind::threads: run_thread_per_url(requests, client, sink, threads); break;
    case Strategy::Kind::pool: run_pool(requests, strategy.workers, client, sink, threads); break;
    case Strategy::Kind::async: run_async(requests, client, run_options.max_in_flight, sink); break;
  }
  report.wall = std::chrono::steady_clock::now() - start;
  rusage usage_after{};
  getrusage(RUSAGE_SELF, &usage_after);

  report.cpu_user_s = seconds(usage_after.ru_utime) - seconds(usage_before.ru_utime);
  report.cpu_sys_s = seconds(usage_after.ru_stime) - seconds(usage_before.ru_stime);
  report.peak_rss_kb = usage_after.ru_maxrss;
  const auto counters_after = client.counters();
  report.connections_opened = counters_after.connections_opened - counters_before.connections_opened;
  report.tls_handshakes = counters_after.tls_handshakes - counters_before.tls_handshakes;
  report.peak_threads = threads.peak();
  report.requests = report.results.size();
  for (const auto& result : report.results) {
    if (result.ok()) ++report.ok;
    report.bytes += result.body_bytes;
  }
  report.failed = report.requests - report.ok;
  report.latency = summarize_latency(report.results);
  if (auto failure = sink.callback_failure()) std::rethrow_exception(failure);
  return report;
}

void raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace fetcher
