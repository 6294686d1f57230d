// host_queue.cpp: capacity slots handed over first come first served, and the per-host counters.
#include "host_queue.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <chrono>
#include <tuple>
#include <utility>

namespace fetcher::origin {

HostQueue::HostQueue(const SiteSet& sites) {
  for (const auto& site : sites.sites) {
    HostState host;
    host.capacity = site.capacity;
    host.stats.host = site.host;
    hosts_.push_back(std::move(host));
  }
}

namespace {

// Shortens the host's shortest start gap if this start came sooner after the previous one.
void note_start(HostState& host, ServiceClock::time_point start) {
  if (host.last_start) {
    const auto gap = std::chrono::duration_cast<std::chrono::microseconds>(start - *host.last_start);
    if (!host.stats.min_start_gap || gap < *host.stats.min_start_gap) host.stats.min_start_gap = gap;
  }
  host.last_start = start;
}

}  // namespace

std::uint64_t HostQueue::record_arrival(std::size_t site_index, const std::string& path, bool first_on_connection) {
  std::lock_guard lock(mutex_);
  auto& host = hosts_[site_index];
  ++host.stats.requests;
  if (first_on_connection) ++host.stats.connections;
  // Read under the lock, so that starts are dated in the order they are counted and no gap is negative.
  note_start(host, ServiceClock::now());
  return repeats_[path_key(site_index, path)]++;
}

asio::awaitable<ServiceClock::time_point> HostQueue::acquire_slot(std::size_t site_index,
                                                                  ServiceClock::time_point arrived) {
  const auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<SlotWaiter> waiter;
  {
    std::lock_guard lock(mutex_);
    auto& host = hosts_[site_index];
    if (host.capacity == 0 || host.busy < host.capacity) {
      ++host.busy;
      host.stats.peak_concurrent = std::max(host.stats.peak_concurrent, host.busy);
      co_return arrived;
    }
    waiter = std::make_shared<SlotWaiter>(executor, arrived);
    host.waiting.push_back(waiter);
  }
  for (;;) {
    error_code cancelled;  // the wake-up is a cancellation; nothing else cancels this timer
    co_await waiter->wake.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
    std::lock_guard lock(mutex_);
    if (waiter->granted) co_return waiter->service_start;
  }
}

// A queued request's service starts when the previous one's ended by the model (its deadline),
// not when this thread got round to handing the slot over after writing that response: the
// model's server at capacity 1 serves back to back, and the emulator's own hand-over time
// would otherwise add up along a queue and be billed to the client under test as overhead
// over the ideal. See docs/performance.md, "Origin: what it does not bill to the client".
void HostQueue::release_slot(std::size_t site_index, std::optional<ServiceClock::time_point> service_end) {
  std::lock_guard lock(mutex_);
  auto& host = hosts_[site_index];
  if (host.waiting.empty() || stopping_) {
    --host.busy;
    return;
  }
  // The slot passes straight to the head of the queue: busy and the peak stay as they are.
  auto waiter = std::move(host.waiting.front());
  host.waiting.pop_front();
  waiter->granted = true;
  waiter->service_start = std::max(waiter->arrived, service_end.value_or(ServiceClock::now()));
  auto waiter_executor = waiter->wake.get_executor();
  asio::post(waiter_executor, [waiter = std::move(waiter)] { waiter->wake.cancel(); });
}

void HostQueue::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
}

void HostQueue::abandon_waiters() {
  std::deque<std::shared_ptr<SlotWaiter>> abandoned;
  {
    std::lock_guard lock(mutex_);
    for (auto& host : hosts_) {
      for (auto& waiter : host.waiting) abandoned.push_back(std::move(waiter));
      host.waiting.clear();
    }
  }
  abandoned.clear();
}

std::vector<HostStats> HostQueue::stats() const {
  std::lock_guard lock(mutex_);
  std::vector<HostStats> result;
  for (const auto& host : hosts_) result.push_back(host.stats);
  return result;
}

std::vector<PathCount> HostQueue::request_counts() const {
  std::vector<std::pair<std::size_t, PathCount>> counts;
  {
    std::lock_guard lock(mutex_);
    counts.reserve(repeats_.size());
    for (const auto& [key, requests] : repeats_) {
      const auto newline = key.find('\n');
      const auto site_index = static_cast<std::size_t>(std::stoull(key.substr(0, newline)));
      counts.push_back({site_index, PathCount{hosts_[site_index].stats.host, key.substr(newline + 1), requests}});
    }
  }
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.target) < std::tie(b.first, b.second.target);
  });
  std::vector<PathCount> result;
  result.reserve(counts.size());
  for (auto& entry : counts) result.push_back(std::move(entry.second));
  return result;
}

void HostQueue::reset() {
  std::lock_guard lock(mutex_);
  for (auto& host : hosts_) {
    host.stats.requests = 0;
    host.stats.connections = 0;
    host.stats.peak_concurrent = 0;
    host.stats.min_start_gap.reset();
    host.last_start.reset();  // a request before the reset is no neighbour of one after it
  }
  repeats_.clear();
}

}  // namespace fetcher::origin
