// process_pool.cpp: processes:N. Its workers send their results back in result_wire.hpp's form.
#include "process_pool.hpp"
#include "result_wire.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fetcher::detail {

namespace asio = boost::asio;

namespace {

// --- processes:N ---------------------------------------------------------------------------
//
// Worker processes are forked at the start of the run. A child uses nothing of the parent's
// but the request list (copied on write): it builds its own Client from the same options and
// its own event loop, so it starts its threads (DNS lookups) after the fork and inherits no
// lock or loop of the parent's. Children take URLs from one counter in shared memory, in list
// order, one blocking fetch at a time, and send each result back over a pipe as soon as it is
// done; the parent's event loop reads the pipes and delivers. A child ends with _exit, so
// nothing of the parent's (atexit handlers, stdio buffers) runs twice.

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
    memory_ =
        ::mmap(nullptr, sizeof(std::atomic<std::size_t>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
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
[[noreturn]] void worker_process_main(const std::vector<FetchRequest>& requests, Client& own, SharedCounter& next,
                                      int output) {
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
      const auto content = std::string_view(payload).substr(1);  // after the kind
      if (payload[0] == 'R') {
        auto result = decode_result(content);
        if (result.index < request_count) sink.deliver(std::move(result));
      } else if (payload[0] == 'E') {
        WireReader in(content);
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

// Forks up to `worker_count` workers, each with its pipe; fewer when the machine refuses.
void fork_workers(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& workers_client,
                  SharedCounter& next, std::vector<WorkerProcess>& workers, ThreadCount& threads) {
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
}

// Delivers what the workers send until every pipe has ended, or until a stop (which kills them).
void read_workers(std::vector<WorkerProcess>& workers, ResultSink& sink, std::size_t request_count,
                  Client::Counters& totals, RunStopper* stopper) {
  // The parent's loop is made after the forks, so no child shares its epoll descriptor.
  asio::io_context loop(1);
  for (auto& worker : workers) {
    asio::co_spawn(loop, read_worker(asio::posix::stream_descriptor(loop, worker.input), sink, request_count, totals),
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

// Waits for every worker; how the first one that did not end cleanly ended (empty if all did).
std::string reap_workers(std::vector<WorkerProcess>& workers, ThreadCount& threads) {
  std::string ended;
  for (auto& worker : workers) {
    while (::waitpid(worker.pid, &worker.status, 0) < 0 && errno == EINTR) {
    }
    worker.pid = -1;  // reaped
    const bool clean = WIFEXITED(worker.status) && WEXITSTATUS(worker.status) == 0;
    if (!clean && ended.empty()) ended = describe_exit(worker.status);
    threads.stopped();
  }
  return ended;
}

}  // namespace

// Returns the counters of the workers' own clients, to add to the run's.
Client::Counters run_processes(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client,
                               ResultSink& sink, ThreadCount& threads, RunStopper* stopper) {
  Client::Counters totals;
  if (requests.empty() || (stopper && stopper->stopped())) return totals;
  SharedCounter next;
  // The workers' client, made here once and copied into each worker by the fork, rather than
  // made by each worker: building one (its TLS context above all) costs a freshly forked worker
  // far more than starting with this copy (see docs/performance.md, "Client: the workers'
  // client made before the fork"). Not the caller's client: one of its host lookups may be in
  // flight on a thread the fork does not copy, and its counters are its own.
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
  fork_workers(requests, worker_count, workers_client, next, workers, threads);
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

  read_workers(workers, sink, requests.size(), totals, stopper);
  const std::string ended = reap_workers(workers, threads);
  if (!(stopper && stopper->stopped())) {
    // A worker that died took the URL it was fetching with it.
    sink.fail_undelivered(requests, ErrorKind::resource,
                          "a worker process ended without a result for this URL (" +
                              (ended.empty() ? std::string("exit code 0") : ended) + ")");
  }
  return totals;
}

}  // namespace fetcher::detail
