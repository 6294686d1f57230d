// run.cpp: the strategies. They decide only who runs each fetch and when; every fetch goes
// through the same Client coroutine. Each thread of a run drives an event loop of its own (so
// its kept-alive connections are its own), registered with the RunStopper so that a stop from
// any thread reaches every loop.
#include <fetcher/run.hpp>

#include "one_fetch_loop.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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
      if (!delivered(i)) deliver(cancelled_result(requests[i], i));
    }
  }

  // After the workers are done: a request left without a result (its worker could not run or
  // died) fails with `kind` and `message`, so that every request still gets exactly one.
  void fail_undelivered(const std::vector<FetchRequest>& requests, ErrorKind kind, const std::string& message) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (!delivered(i)) deliver(failed_result(requests[i], i, kind, message));
    }
  }

  std::exception_ptr callback_failure() const { return callback_failure_; }

 private:
  bool delivered(std::size_t index) {
    std::lock_guard lock(mutex_);
    return delivered_[index];
  }

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
  unsigned alive() const { return alive_.load(); }
  unsigned peak() const { return peak_.load(); }

 private:
  std::atomic<unsigned> alive_{1};
  std::atomic<unsigned> peak_{1};
};

FetchResult internal_failure(const FetchRequest& request, std::size_t index, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::system_error& e) {
    // The machine refused something the fetch needed (a descriptor, a thread, memory).
    return failed_result(request, index, ErrorKind::resource, std::string("out of a resource: ") + e.what());
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
  explicit BlockingLoop(RunStopper* stopper) : stopper_(stopper) {
    detail::mark_one_fetch_loop(loop_);
    RunStopperAccess::enter(stopper_, loop_);
  }
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
        try {
          BlockingLoop loop(stopper);
          if (auto result = loop.fetch(client, requests[i], i)) sink.deliver(std::move(*result));
        } catch (const std::system_error& error) {
          // The thread started but its event loop could not be made (out of file descriptors).
          sink.deliver(failed_result(requests[i], i, ErrorKind::resource,
                                     std::string("cannot set up this thread's event loop: ") + error.what()));
        }
        threads.stopped();
      });
    } catch (const std::system_error& error) {
      // The thread limit (RLIMIT_NPROC, kernel.threads-max, or memory for stacks) is reached.
      threads.stopped();
      const unsigned alive = threads.alive() - 1;  // the caller's thread is not one of them
      sink.deliver(failed_result(requests[i], i, ErrorKind::resource,
                                 "cannot start a thread for this URL (thread limit reached with " +
                                     std::to_string(alive) + " of this run's threads alive): " + error.what()));
    }
  }
  for (auto& worker : workers) worker.join();
}

void run_pool(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client, ResultSink& sink,
              ThreadCount& threads, RunStopper* stopper) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    try {
      BlockingLoop loop(stopper);
      for (std::size_t i = next++; i < requests.size(); i = next++) {
        auto result = loop.fetch(client, requests[i], i);
        if (!result) return;
        sink.deliver(std::move(*result));
      }
    } catch (const std::system_error&) {
      // This worker's event loop could not be made; the other workers take the queue, and
      // run() fails whatever none of them could fetch.
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

// Room for sockets under the open-files limit: what the engine lets async runs hold at once,
// leaving a margin for the loops' own descriptors, kept-alive connections and the caller.
std::size_t open_files_budget() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  std::size_t open_now = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++open_now;
  }
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  if (soft <= open_now + 64) return 1;
  return std::max<std::size_t>(1, (soft - open_now - 64) * 3 / 4);
}

// Most fetches an async run keeps in flight: the caller's cap, and never more than the
// open-files limit allows (the rest queue instead of failing with "too many open files").
std::size_t async_in_flight(std::size_t requested, std::size_t urls) {
  std::size_t cap = requested == 0 ? urls : std::min(requested, urls);
  if (const auto budget = open_files_budget(); budget > 0) cap = std::min(cap, budget);
  return std::max<std::size_t>(cap, 1);
}

// `loop_count` event loops, the caller's thread running the first. Uncapped, URL i goes to
// loop i % loop_count and every fetch starts at once; capped, a fixed number of lanes (lane k
// on loop k % loop_count) each start the next URL in list order when their last one finished:
// the cap on fetches in flight is the number of lanes.
void run_async(const std::vector<FetchRequest>& requests, Client& client, unsigned loop_count,
               std::size_t max_in_flight, ResultSink& sink, ThreadCount& threads, RunStopper* stopper) {
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (unsigned l = 0; l < std::max(1u, loop_count); ++l) {
    try {
      loops.push_back(std::make_unique<asio::io_context>(1));
    } catch (const std::system_error&) {
      if (loops.empty()) throw;  // not even one loop: run() reports every URL as a resource failure
      break;                     // fewer loops than asked for still fetch every URL
    }
  }
  const auto spawn_fetch = [&](asio::io_context& loop, std::size_t i, auto&& then) {
    asio::co_spawn(loop, client.async_fetch(requests[i], i),
                   [&, i, then](std::exception_ptr error, FetchResult result) {
                     sink.deliver(error ? internal_failure(requests[i], i, error) : std::move(result));
                     then();
                   });
  };
  const std::size_t lanes = async_in_flight(max_in_flight, requests.size());
  // These live until every loop has returned, because completion handlers call them.
  std::atomic<std::size_t> next{0};
  std::vector<std::function<void()>> start_next(loops.size());
  for (std::size_t l = 0; l < loops.size(); ++l) {
    start_next[l] = [&, l] {
      if (const std::size_t i = next++; i < requests.size()) spawn_fetch(*loops[l], i, start_next[l]);
    };
  }
  if (lanes >= requests.size()) {
    for (std::size_t i = 0; i < requests.size(); ++i) spawn_fetch(*loops[i % loops.size()], i, [] {});
  } else {
    for (std::size_t lane = 0; lane < lanes; ++lane) start_next[lane % loops.size()]();
  }

  const auto drive = [&](asio::io_context& loop) {
    RunStopperAccess::enter(stopper, loop);
    loop.run();  // returns when the loop's fetches are done, or at once after a stop
    RunStopperAccess::leave(stopper, loop);
  };
  std::vector<std::thread> workers;
  std::vector<asio::io_context*> unstarted;  // loops whose thread the machine refused
  for (std::size_t l = 1; l < loops.size(); ++l) {
    try {
      threads.started();
      workers.emplace_back([&, l] {
        drive(*loops[l]);
        threads.stopped();
      });
    } catch (const std::system_error&) {
      threads.stopped();
      unstarted.push_back(loops[l].get());
    }
  }
  drive(*loops[0]);
  for (auto* loop : unstarted) drive(*loop);  // late, on this thread, but every URL is fetched
  for (auto& worker : workers) worker.join();
  // Destroying the loops destroys any fetch still suspended after a stop: its sockets close.
  // That happens here, while the lanes and the counter their handlers refer to still exist.
  loops.clear();
}

// --- processes:N ---------------------------------------------------------------------------
//
// Worker processes are forked at the start of the run. A child uses nothing of the parent's
// but the request list (copied on write): it builds its own Client from the same options and
// its own event loop, so it starts its threads (DNS lookups) after the fork and inherits no
// lock or loop of the parent's. Children take URLs from one counter in shared memory, in list
// order, one blocking fetch at a time, and send each result back over a pipe as soon as it is
// done; the parent's event loop reads the pipes and delivers. A child ends with _exit, so
// nothing of the parent's (atexit handlers, stdio buffers) runs twice.

// Results on the pipe: [u32 size][payload]; payload 'R' + result fields, or 'E' + counters.
class WireWriter {
 public:
  void number(std::uint64_t value) { data_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  void text(const std::string& value) {
    number(value.size());
    data_ += value;
  }
  std::string message(char kind) const {
    const auto size = static_cast<std::uint32_t>(data_.size() + 1);
    std::string out(reinterpret_cast<const char*>(&size), sizeof size);
    out += kind;
    return out + data_;
  }

 private:
  std::string data_;
};

class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}
  std::uint64_t number() {
    std::uint64_t value = 0;
    if (data_.size() < sizeof value) throw std::runtime_error("truncated message from a worker process");
    std::memcpy(&value, data_.data(), sizeof value);
    data_.remove_prefix(sizeof value);
    return value;
  }
  std::string text() {
    const auto size = number();
    if (size > data_.size()) throw std::runtime_error("truncated message from a worker process");
    std::string value(data_.substr(0, size));
    data_.remove_prefix(size);
    return value;
  }

 private:
  std::string_view data_;
};

std::uint64_t nanoseconds_of(std::chrono::nanoseconds value) { return static_cast<std::uint64_t>(value.count()); }
std::chrono::nanoseconds nanoseconds_from(std::uint64_t value) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(value));
}

std::string encode_result(const FetchResult& result) {
  WireWriter out;
  out.number(result.index);
  for (const auto* text : {&result.url, &result.final_url, &result.source, &result.body_sha256, &result.message,
                           &result.body}) {
    out.text(*text);
  }
  out.number(result.status);
  out.number(result.body_bytes);
  out.number(result.wire_bytes);
  out.number(static_cast<std::uint64_t>(result.redirects));
  out.number(static_cast<std::uint64_t>(result.attempts));
  out.number(result.reused_connection ? 1 : 0);
  for (const auto value : {result.timings.connect, result.timings.tls, result.timings.first_byte, result.timings.total}) {
    out.number(nanoseconds_of(value));
  }
  out.number(static_cast<std::uint64_t>(result.error));
  return out.message('R');
}

FetchResult decode_result(WireReader in) {
  FetchResult result;
  result.index = in.number();
  for (auto* text : {&result.url, &result.final_url, &result.source, &result.body_sha256, &result.message,
                     &result.body}) {
    *text = in.text();
  }
  result.status = static_cast<unsigned>(in.number());
  result.body_bytes = in.number();
  result.wire_bytes = in.number();
  result.redirects = static_cast<int>(in.number());
  result.attempts = static_cast<int>(in.number());
  result.reused_connection = in.number() != 0;
  for (auto* value : {&result.timings.connect, &result.timings.tls, &result.timings.first_byte, &result.timings.total}) {
    *value = nanoseconds_from(in.number());
  }
  const auto error = in.number();
  if (error > static_cast<std::uint64_t>(ErrorKind::internal)) throw std::runtime_error("bad error kind from a worker");
  result.error = static_cast<ErrorKind>(error);
  return result;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// The shared counter the worker processes take URL indexes from.
class SharedCounter {
 public:
  SharedCounter() {
    static_assert(std::atomic<std::size_t>::is_always_lock_free, "needs a lock-free counter to share across fork");
    memory_ = ::mmap(nullptr, sizeof(std::atomic<std::size_t>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
    if (memory_ == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    counter_ = new (memory_) std::atomic<std::size_t>(0);
  }
  ~SharedCounter() { ::munmap(memory_, sizeof(std::atomic<std::size_t>)); }
  SharedCounter(const SharedCounter&) = delete;
  SharedCounter& operator=(const SharedCounter&) = delete;
  std::size_t take() { return counter_->fetch_add(1); }

 private:
  void* memory_ = nullptr;
  std::atomic<std::size_t>* counter_ = nullptr;
};

// What a worker process does, start to _exit: fetch URLs in turn, send each result. `own` is
// this process's copy of a client made for the workers just before the forks.
[[noreturn]] void worker_process_main(const std::vector<FetchRequest>& requests, Client& own,
                                      SharedCounter& next, int output) {
  int code = 0;
  try {
    BlockingLoop loop(nullptr);
    for (std::size_t i = next.take(); i < requests.size(); i = next.take()) {
      auto result = loop.fetch(own, requests[i], i);
      if (!result || !write_all(output, encode_result(*result))) break;
    }
    WireWriter totals;
    totals.number(own.counters().connections_opened);
    totals.number(own.counters().tls_handshakes);
    totals.number(own.counters().tls_resumed);
    if (!write_all(output, totals.message('E'))) code = 3;
  } catch (...) {
    code = 3;  // the parent reports every URL this process took but did not answer
  }
  ::_exit(code);
}

struct WorkerProcess {
  pid_t pid = -1;
  int input = -1;  // the parent's end of the pipe
  int status = 0;
};

// Describes how a worker process ended, for the URLs it left without a result.
std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  return "status " + std::to_string(status);
}

asio::awaitable<void> read_worker(asio::posix::stream_descriptor pipe, ResultSink& sink, std::size_t request_count,
                                  Client::Counters& totals) {
  try {
    while (true) {
      std::uint32_t size = 0;
      co_await asio::async_read(pipe, asio::buffer(&size, sizeof size), asio::use_awaitable);
      if (size == 0 || size > (std::uint32_t{1} << 31)) co_return;
      std::string payload(size, '\0');
      co_await asio::async_read(pipe, asio::buffer(payload), asio::use_awaitable);
      WireReader in(std::string_view(payload).substr(1));
      if (payload[0] == 'R') {
        auto result = decode_result(in);
        if (result.index < request_count) sink.deliver(std::move(result));
      } else if (payload[0] == 'E') {
        totals.connections_opened += in.number();
        totals.tls_handshakes += in.number();
        totals.tls_resumed += in.number();
        co_return;
      }
    }
  } catch (const std::exception&) {
    // End of the pipe (the worker is gone) or a garbled message: the URLs it left are failed below.
  }
}

// Returns the counters of the workers' own clients, to add to the run's.
Client::Counters run_processes(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client,
                               ResultSink& sink, ThreadCount& threads, RunStopper* stopper) {
  Client::Counters totals;
  if (requests.empty() || (stopper && stopper->stopped())) return totals;
  SharedCounter next;
  // The workers' client, made here once and copied into each worker by the fork, rather than
  // made by each worker: building one (its TLS context above all) took 12-26 ms in each
  // freshly forked worker, four at once on this 2-core VM, against 0.02-0.2 ms to start with
  // this copy. Not the caller's client: one of its host lookups may be
  // in flight on a thread the fork does not copy, and its counters are its own.
  Client workers_client(client.options());
  std::vector<WorkerProcess> workers;
  // However this function ends, no worker is left running or unreaped.
  struct Reaper {
    std::vector<WorkerProcess>& workers;
    ~Reaper() {
      for (auto& worker : workers) {
        if (worker.input >= 0) ::close(worker.input);
        if (worker.pid <= 0) continue;
        ::kill(worker.pid, SIGKILL);
        while (::waitpid(worker.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
      }
    }
  } reaper{workers};
  for (unsigned w = 0; w < worker_count && w < requests.size(); ++w) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) break;
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      for (const auto& earlier : workers) ::close(earlier.input);
      worker_process_main(requests, workers_client, next, fds[1]);
    }
    ::close(fds[1]);
    if (pid < 0) {
      ::close(fds[0]);
      break;  // fewer workers than asked for still finish the queue
    }
    workers.push_back({pid, fds[0], 0});
    threads.started();  // counted as one thread each: a worker process fetches on one thread
  }
  if (workers.empty()) {
    // The machine refused every process: fetch on this thread instead, as pool:1 would.
    BlockingLoop loop(stopper);
    for (std::size_t i = next.take(); i < requests.size(); i = next.take()) {
      auto result = loop.fetch(client, requests[i], i);
      if (!result) break;
      sink.deliver(std::move(*result));
    }
    return totals;
  }

  {
    // The parent's loop is made after the forks, so no child shares its epoll descriptor.
    asio::io_context loop(1);
    for (auto& worker : workers) {
      asio::co_spawn(loop, read_worker(asio::posix::stream_descriptor(loop, worker.input), sink, requests.size(), totals),
                     [](std::exception_ptr) {});
      worker.input = -1;  // owned by the stream descriptor now
    }
    RunStopperAccess::enter(stopper, loop);
    loop.run();  // until every pipe has ended, or at once after a stop
    RunStopperAccess::leave(stopper, loop);
    if (stopper && stopper->stopped()) {
      for (auto& worker : workers) ::kill(worker.pid, SIGKILL);
    }
  }
  std::string ended;
  for (auto& worker : workers) {
    while (::waitpid(worker.pid, &worker.status, 0) < 0 && errno == EINTR) {
    }
    worker.pid = -1;  // reaped
    const bool clean = WIFEXITED(worker.status) && WEXITSTATUS(worker.status) == 0;
    if (!clean && ended.empty()) ended = describe_exit(worker.status);
    threads.stopped();
  }
  if (!(stopper && stopper->stopped())) {
    // A worker that died took the URL it was fetching with it.
    sink.fail_undelivered(requests, ErrorKind::resource,
                          "a worker process ended without a result for this URL (" +
                              (ended.empty() ? std::string("exit code 0") : ended) + ")");
  }
  return totals;
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
  Client::Counters worker_counters;  // processes: what the workers' own clients counted
  rusage usage_before{};
  rusage children_before{};
  getrusage(RUSAGE_SELF, &usage_before);
  getrusage(RUSAGE_CHILDREN, &children_before);
  const auto start = std::chrono::steady_clock::now();
  try {
    switch (strategy.kind) {
      case Strategy::Kind::sequential: run_sequential(requests, client, sink, stopper); break;
      case Strategy::Kind::threads: run_thread_per_url(requests, client, sink, threads, stopper); break;
      case Strategy::Kind::pool: run_pool(requests, strategy.workers, client, sink, threads, stopper); break;
      case Strategy::Kind::async:
        run_async(requests, client, strategy.workers, run_options.max_in_flight, sink, threads, stopper);
        break;
      case Strategy::Kind::processes:
        worker_counters = run_processes(requests, strategy.workers, client, sink, threads, stopper);
        break;
    }
  } catch (const std::system_error& error) {
    // The run could not set up at all (no event loop, no shared memory): every URL says why.
    sink.fail_undelivered(requests, ErrorKind::resource, std::string("cannot set up the run: ") + error.what());
  }
  if (stopper && stopper->stopped()) sink.cancel_undelivered(requests);
  sink.fail_undelivered(requests, ErrorKind::resource, "no worker could fetch this URL (threads or files exhausted)");
  report.wall = std::chrono::steady_clock::now() - start;
  rusage usage_after{};
  rusage children_after{};
  getrusage(RUSAGE_SELF, &usage_after);
  getrusage(RUSAGE_CHILDREN, &children_after);

  report.cpu_user_s = seconds(usage_after.ru_utime) - seconds(usage_before.ru_utime);
  report.cpu_sys_s = seconds(usage_after.ru_stime) - seconds(usage_before.ru_stime);
  report.peak_rss_kb = usage_after.ru_maxrss;
  if (strategy.kind == Strategy::Kind::processes) {
    // The workers' CPU is the run's too; their peak is the largest worker's.
    report.cpu_user_s += seconds(children_after.ru_utime) - seconds(children_before.ru_utime);
    report.cpu_sys_s += seconds(children_after.ru_stime) - seconds(children_before.ru_stime);
    report.peak_rss_kb = std::max(report.peak_rss_kb, children_after.ru_maxrss);
  }
  const auto counters_after = client.counters();
  report.connections_opened = counters_after.connections_opened - counters_before.connections_opened +
                              worker_counters.connections_opened;
  report.tls_handshakes =
      counters_after.tls_handshakes - counters_before.tls_handshakes + worker_counters.tls_handshakes;
  report.tls_resumed = counters_after.tls_resumed - counters_before.tls_resumed + worker_counters.tls_resumed;
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
