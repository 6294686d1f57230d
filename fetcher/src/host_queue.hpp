// host_queue.hpp: the scheduler's queue of requests, one queue per host, served round-robin
// over the hosts with work ready. A host is ready while it has fewer fetches in flight than its
// policy allows and its interval since its last dispatch has passed. Not thread-safe: the
// scheduler guards it with its mutex.
#pragma once

#include <fetcher/scheduler.hpp>
#include <fetcher/url_list.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace fetcher::detail {

struct QueuedRequest {
  FetchRequest request;
  std::size_t index = 0;
  std::string host;  // empty: the URL did not split; `error` says why
  std::string error;
};

class HostQueue {
 public:
  using clock_type = std::chrono::steady_clock;

  // In arrival order, hosts and policies are ignored: requests are taken first in, first out
  // (run()'s fixed lists, whose strategies promise list order).
  HostQueue(HostPolicy defaults, bool arrival_order) : defaults_(defaults), arrival_order_(arrival_order) {}
  HostQueue(const HostQueue&) = delete;
  HostQueue& operator=(const HostQueue&) = delete;

  void push(QueuedRequest item, clock_type::time_point now);
  // The next request to dispatch, counted in flight for its host; nothing when no host is ready.
  // Requests without a host come first: they fail at once and wait for nothing.
  std::optional<QueuedRequest> take(clock_type::time_point now);
  // A dispatched request of `host` is finished: its slot is free.
  void finish(const std::string& host, clock_type::time_point now);
  void set_policy(const std::string& host, HostPolicy policy, clock_type::time_point now);

  // When a host waiting for its interval becomes ready (or its entry can be dropped).
  std::optional<clock_type::time_point> next_wake() const;
  std::size_t queued() const { return queued_; }
  // Host entries held: hosts with requests queued or in flight or an interval pending.
  std::size_t host_count() const { return hosts_.size(); }
  // Takes every queued request out (after a stop); in-flight counts stay.
  std::vector<QueuedRequest> drain();

 private:
  struct Host;
  using Timers = std::multimap<clock_type::time_point, Host*>;
  struct Host {
    std::string name;
    std::deque<QueuedRequest> queued;
    unsigned in_flight = 0;
    std::optional<clock_type::time_point> last_dispatch;
    bool in_ring = false;
    std::optional<Timers::iterator> timer;
  };

  HostPolicy policy_for(const std::string& host) const;
  // Puts a host where its state says it belongs: the ring (ready), the timers (interval pending),
  // nowhere (at its limit: finish() places it again), or drops it (nothing left to remember).
  void place(Host& host, clock_type::time_point now);
  void unplace(Host& host);
  void fire_timers(clock_type::time_point now);

  HostPolicy defaults_;
  std::unordered_map<std::string, HostPolicy> policies_;
  std::unordered_map<std::string, Host> hosts_;  // nodes: Host addresses stay valid
  std::deque<Host*> ring_;
  Timers timers_;
  // Requests that wait for no host: those without one, and every request in arrival order.
  std::deque<QueuedRequest> immediate_;
  bool arrival_order_ = false;
  std::size_t queued_ = 0;
};

}  // namespace fetcher::detail
