// scheduler_state.hpp: what the Scheduler's strategies share: the host queue under one mutex
// (held only to take or finish requests, never while a fetch or a handler runs), the in-flight
// count and the requests in flight (to cancel them after a stop), close and stop, and the tallies.
#pragma once

#include "host_queue.hpp"
#include "run_loops.hpp"

#include <fetcher/run_report.hpp>
#include <fetcher/scheduler.hpp>

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <unordered_map>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace fetcher::detail {

// What one thread delivered, merged into the run's after it ends: no lock while delivering.
struct Tally {
  std::size_t requests = 0;
  std::size_t ok = 0;
  std::uint64_t bytes = 0;
  LatencyHistogram histogram;
  std::vector<FetchResult> results;  // only with keep_results

  void add(FetchResult result, bool keep);
  void merge(Tally&& other);
};

class SchedulerState {
 public:
  using clock_type = std::chrono::steady_clock;

  // arrival_order: requests are dispatched first in, first out, without host policies (run()).
  SchedulerState(Client& client, SchedulerOptions options, ResultHandler on_result, bool arrival_order = false);

  std::optional<std::size_t> push(FetchRequest request);
  void close();
  void set_host_policy(const std::string& host, HostPolicy policy);
  RunReport run(std::stop_token stop);

 private:
  struct AsyncLoops;

  void request_stop();
  void drive();
  void drive_async();
  void drive_pool(unsigned workers);
  bool work_in_pool();
  void fail_without_workers();
  void drive_thread_per_request();

  // With the mutex held: the next request to dispatch, counted in flight; nothing when the run
  // is stopped or finished, the global limit is reached, or no host is ready.
  std::optional<QueuedRequest> take_locked();
  bool drained_locked() const;
  // With the mutex held: tells the dispatchers that something changed (a push, a finished
  // fetch, a policy, close or stop). post_pump: false when the caller pumps itself.
  void wake_locked(bool post_pump = true);
  // Blocking strategies: waits for a request to dispatch; nothing once the run is over.
  std::optional<QueuedRequest> wait_for_request(std::unique_lock<std::mutex>& lock);
  // A dispatched request is done (its result delivered): frees its slots. post_pump as above.
  void finish(const QueuedRequest& item, bool post_pump = true);

  FetchResult result_without_fetch(const QueuedRequest& item) const;
  void deliver(FetchResult result, Tally& tally);
  void merge_tally(Tally&& tally);
  // After the strategy returned: every request still queued or in flight is delivered as failed
  // with `kind` (cancelled after a stop; resource when the strategy could not set up).
  void fail_remaining(ErrorKind kind, const std::string& message);

  // Async strategy (scheduler_async.cpp).
  // Dispatches what may be dispatched. `here`: the loop this pump runs on, which gets the first
  // request (a fetch that just finished there left its kept-alive connection idle there).
  void pump(std::optional<std::size_t> here = std::nullopt);
  void arm_timer(clock_type::time_point when);
  void fetch_on_loop(QueuedRequest item, std::size_t loop_number);

  Client& client_;
  const SchedulerOptions options_;
  const ResultHandler on_result_;
  std::size_t max_in_flight_ = 0;
  RunStopper stopper_;
  ThreadCount threads_;

  std::mutex mutex_;
  std::condition_variable changed_;
  HostQueue queue_;
  std::size_t next_index_ = 0;
  std::size_t in_flight_ = 0;
  std::unordered_map<std::size_t, FetchRequest> in_flight_requests_;
  bool closed_ = false;
  bool stopped_ = false;
  bool finished_ = false;
  AsyncLoops* async_loops_ = nullptr;  // while the async strategy runs
  bool pump_posted_ = false;
  std::optional<clock_type::time_point> timer_armed_at_;

  std::mutex failure_mutex_;  // also guards `total`
  std::exception_ptr handler_failure_;
  Tally total_;
};

}  // namespace fetcher::detail
