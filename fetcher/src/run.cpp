// run.cpp: the strategies. They decide only who runs each fetch and when; every fetch goes
// through the same Client coroutine. Each thread of a run drives an event loop of its own (so
// its kept-alive connections are its own), registered with the RunStopper so that a stop from
// any thread reaches every loop.
#include <fetcher/run.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <sys/resource.h>

namespace fetcher {

namespace asio = boost::asio;

struct RunStopper::Loops {
  std::mutex mutex;
  std::atomic<bool> stopped{false};
  std::vector<asio::io_context*> active;
};

// The run's side of a RunStopper: loops register while they run.
class RunStopperAccess {
 public:
  static void enter(RunStopper* stopper, asio::io_context& loop) {
    if (!stopper) return;
    std::lock_guard lock(stopper->loops_->mutex);
    stopper->loops_->active.push_back(&loop);
    if (stopper->loops_->stopped) loop.stop();
  }
  static void leave(RunStopper* stopper, asio::io_context& loop) {
    if (!stopper) return;
    std::lock_guard lock(stopper->loops_->mutex);
    std::erase(stopper->loops_->active, &loop);
  }
};

RunStopper::RunStopper() : loops_(std::make_unique<Loops>()) {}
RunStopper::~RunStopper() = default;

void RunStopper::stop() {
  std::lock_guard lock(loops_->mutex);
  loops_->stopped = true;
  for (auto* loop : loops_->active) loop->stop();  // io_context::stop is safe from any thread
}

bool RunStopper::stopped() const { return loops_->stopped; }

namespace {

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

FetchResult cancelled_result(const FetchRequest& request, std::size_t index) {
  return failed_result(request, index, ErrorKind::cancelled, "cancelled: the run was stopped");
}

// Hands each result to the caller's callback and stores it, one thread at a time.
class ResultSink {
 public:
  ResultSink(std::vector<FetchResult>& results, const ResultCallback& on_result)
      : results_(results), on_result_(on_result), delivered_(results.size(), false) {}

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
    delivered_[result.index] = true;
    auto& slot = results_[result.index];
    slot = std::move(result);
  }

  // After a stop: every request without a result gets a cancelled one.
  void cancel_undelivered(const std::vector<FetchRequest>& requests) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      bool missing = false;
      {
        std::lock_guard lock(mutex_);
        missing = !delivered_[i];
      }
      if (missing) deliver(cancelled_result(requests[i], i));
    }
  }

  std::exception_ptr callback_failure() const { return callback_failure_; }

 private:
  std::mutex mutex_;
  std::vector<FetchResult>& results_;
  const ResultCallback& on_result_;
  std::vector<bool> delivered_;
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

FetchResult internal_failure(const FetchRequest& request, std::size_t index, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return failed_result(request, index, ErrorKind::resource, std::string("internal error: ") + e.what());
  } catch (...) {
    return failed_result(request, index, ErrorKind::resource, "internal error");
  }
}

// The event loop of one thread of a run: blocking fetches, one after another, each complete
// before it returns. Its connection pool lives as long as it does.
class BlockingLoop {
 public:
  explicit BlockingLoop(RunStopper* stopper) : stopper_(stopper) { RunStopperAccess::enter(stopper_, loop_); }
  ~BlockingLoop() { RunStopperAccess::leave(stopper_, loop_); }

  // Empty when the run was stopped before or during this fetch.
  std::optional<FetchResult> fetch(Client& client, const FetchRequest& request, std::size_t index) {
    // A loop also counts as stopped once it ran out of work; only the stopper's word counts
    // here, checked again after the restart so that a stop in between is not lost.
    if (stop_requested()) return std::nullopt;
    loop_.restart();
    if (stop_requested()) return std::nullopt;
    std::optional<FetchResult> result;
    asio::co_spawn(loop_, client.async_fetch(request, index), [&](std::exception_ptr error, FetchResult value) {
      result = error ? internal_failure(request, index, error) : std::move(value);
    });
    // Until this fetch is done, not until the loop is idle: work left by an earlier fetch (a DNS
    // answer nobody waits for any more) must not hold this one up.
    while (!result && loop_.run_one() > 0) {
    }
    return result;  // a stopped loop keeps the suspended fetch; it is destroyed with the loop
  }

 private:
  bool stop_requested() const { return stopper_ && stopper_->stopped(); }

  RunStopper* stopper_;
  asio::io_context loop_{1};
};

void run_sequential(const std::vector<FetchRequest>& requests, Client& client, ResultSink& sink, RunStopper* stopper) {
  BlockingLoop loop(stopper);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto result = loop.fetch(client, requests[i], i);
    if (!result) return;
    sink.deliver(std::move(*result));
  }
}

void run_thread_per_url(const std::vector<FetchRequest>& requests, Client& client, ResultSink& sink,
                        ThreadCount& threads, RunStopper* stopper) {
  std::vector<std::thread> workers;
  workers.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (stopper && stopper->stopped()) break;
    try {
      threads.started();
      workers.emplace_back([&, i] {
        {
          BlockingLoop loop(stopper);
          if (auto result = loop.fetch(client, requests[i], i)) sink.deliver(std::move(*result));
        }
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

void run_pool(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client, ResultSink& sink,
              ThreadCount& threads, RunStopper* stopper) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    BlockingLoop loop(stopper);
    for (std::size_t i = next++; i < requests.size(); i = next++) {
      auto result = loop.fetch(client, requests[i], i);
      if (!result) return;
      sink.deliver(std::move(*result));
    }
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
               ResultSink& sink, RunStopper* stopper) {
  asio::io_context loop(1);
  RunStopperAccess::enter(stopper, loop);
  const auto spawn_fetch = [&](std::size_t i, auto&& then) {
    asio::co_spawn(loop, client.async_fetch(requests[i], i),
                   [&, i, then](std::exception_ptr error, FetchResult result) {
                     sink.deliver(error ? internal_failure(requests[i], i, error) : std::move(result));
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
  loop.run();  // returns when every fetch is done, or at once after a stop
  RunStopperAccess::leave(stopper, loop);
  // Leaving scope destroys the loop and with it any fetch still suspended: its sockets close.
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
  auto* stopper = run_options.stopper;

  const auto counters_before = client.counters();
  rusage usage_before{};
  getrusage(RUSAGE_SELF, &usage_before);
  const auto start = std::chrono::steady_clock::now();
  switch (strategy.kind) {
    case Strategy::Kind::sequential: run_sequential(requests, client, sink, stopper); break;
    case Strategy::Kind::threads: run_thread_per_url(requests, client, sink, threads, stopper); break;
    case Strategy::Kind::pool: run_pool(requests, strategy.workers, client, sink, threads, stopper); break;
    case Strategy::Kind::async: run_async(requests, client, run_options.max_in_flight, sink, stopper); break;
  }
  if (stopper && stopper->stopped()) sink.cancel_undelivered(requests);
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
