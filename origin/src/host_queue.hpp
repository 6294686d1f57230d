// host_queue.hpp: each host's capacity slots, the requests queued for them, and what each host
// saw (requests, connections, peak concurrency, the shortest gap between request starts, the
// repeat of each host+path).
#pragma once

#include "server_common.hpp"

#include <fetcher/origin/server.hpp>
#include <fetcher/origin/sites.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace fetcher::origin {

// A request waiting for one of its host's capacity slots. The releaser hands the slot over
// directly (`granted`) and then cancels `wake` on the waiter's own strand, so the wake-up
// can never overtake the waiter's async_wait.
struct SlotWaiter {
  SlotWaiter(const asio::any_io_executor& executor, ServiceClock::time_point arrival)
      : wake(executor, asio::steady_timer::time_point::max()), arrived(arrival) {}
  asio::steady_timer wake;
  bool granted = false;
  ServiceClock::time_point arrived;
  ServiceClock::time_point service_start;  // set with granted
};

struct HostState {
  unsigned capacity = 0;  // 0 = unlimited
  unsigned busy = 0;      // requests holding a slot (being served)
  std::deque<std::shared_ptr<SlotWaiter>> waiting;
  HostStats stats;
  std::optional<ServiceClock::time_point> last_start;  // of the latest request, for stats.min_start_gap
};

class HostQueue {
 public:
  explicit HostQueue(const SiteSet& sites);

  // Counts the request, notes when it started, and returns which repeat of its host+path it is.
  std::uint64_t record_arrival(std::size_t site_index, const std::string& path, bool first_on_connection);
  // Returns when the request's service starts, by the model's clock (see release_slot).
  asio::awaitable<ServiceClock::time_point> acquire_slot(std::size_t site_index, ServiceClock::time_point arrived);
  void release_slot(std::size_t site_index, std::optional<ServiceClock::time_point> service_end);

  // From now on a released slot goes to nobody: the server is stopping.
  void stop();
  // Drops the queued waiters, which own timers of the io_context: call while it still exists.
  void abandon_waiters();

  std::vector<HostStats> stats() const;
  // From the repeat counters, which count every request of each host+path.
  std::vector<PathCount> request_counts() const;
  void reset();  // clears the counters and the repeats

 private:
  mutable std::mutex mutex_;
  std::vector<HostState> hosts_;
  std::unordered_map<std::string, std::uint64_t> repeats_;  // key: path_key
  bool stopping_ = false;
};

// Holds one capacity slot for the lifetime of a request, whatever way the request ends.
class SlotHold {
 public:
  SlotHold(HostQueue& queue, std::size_t site_index) : queue_(queue), site_index_(site_index) {}
  ~SlotHold() { queue_.release_slot(site_index_, service_end_); }
  SlotHold(const SlotHold&) = delete;
  SlotHold& operator=(const SlotHold&) = delete;
  void served_until(ServiceClock::time_point end) { service_end_ = end; }

 private:
  HostQueue& queue_;
  std::size_t site_index_;
  std::optional<ServiceClock::time_point> service_end_;  // unset: the request ended early
};

}  // namespace fetcher::origin
