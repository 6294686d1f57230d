// run_loops.hpp: what every strategy and the scheduler share: the stopper's loop registry,
// failed results, the thread count, the blocking event loop and the open-files budget.
#pragma once

#include <fetcher/client.hpp>
#include <fetcher/run.hpp>

#include "one_fetch_loop.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <optional>
#include <stop_token>
#include <string>

namespace fetcher {

// The run's side of a RunStopper: loops register while they run, so stop() reaches them.
class RunStopperAccess {
 public:
  static void enter(RunStopper* stopper, boost::asio::io_context& loop);
  static void leave(RunStopper* stopper, boost::asio::io_context& loop);
  // Stopped when stop() is called; a token that never stops without a stopper.
  static std::stop_token token(RunStopper* stopper);
};

namespace detail {

FetchResult failed_result(const FetchRequest& request, std::size_t index, ErrorKind kind, std::string message);
FetchResult cancelled_result(const FetchRequest& request, std::size_t index);
// The result of a fetch whose coroutine ended in an exception instead of a result.
FetchResult internal_failure(const FetchRequest& request, std::size_t index, std::exception_ptr error);

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

// The event loop of one thread of a run: blocking fetches, one after another, each complete
// before it returns. Its connection pool lives as long as it does.
class BlockingLoop {
 public:
  explicit BlockingLoop(RunStopper* stopper) : stopper_(stopper) {
    mark_one_fetch_loop(loop_);
    RunStopperAccess::enter(stopper_, loop_);
  }
  ~BlockingLoop() { RunStopperAccess::leave(stopper_, loop_); }
  BlockingLoop(const BlockingLoop&) = delete;
  BlockingLoop& operator=(const BlockingLoop&) = delete;

  // Empty when the run was stopped before or during this fetch.
  std::optional<FetchResult> fetch(Client& client, const FetchRequest& request, std::size_t index);

 private:
  bool stop_requested() const { return stopper_ && stopper_->stopped(); }

  RunStopper* stopper_;
  boost::asio::io_context loop_{1};
};

// Room for sockets under the open-files limit: what the engine lets async runs hold at once,
// leaving a margin for the loops' own descriptors, kept-alive connections and the caller.
// 0 when the limit is infinite or unknown.
std::size_t open_files_budget();

}  // namespace detail
}  // namespace fetcher
