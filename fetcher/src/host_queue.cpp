// host_queue.cpp: per-host queues, the ring of ready hosts and the timers of hosts waiting for
// their interval.
#include "host_queue.hpp"

#include <algorithm>

namespace fetcher::detail {

HostPolicy HostQueue::policy_for(const std::string& host) const {
  const auto found = policies_.find(host);
  return found == policies_.end() ? defaults_ : found->second;
}

void HostQueue::unplace(Host& host) {
  if (host.timer) {
    timers_.erase(*host.timer);
    host.timer.reset();
  }
  if (host.in_ring) {
    std::erase(ring_, &host);
    host.in_ring = false;
  }
}

void HostQueue::place(Host& host, clock_type::time_point now) {
  const auto policy = policy_for(host.name);
  const auto ready_at = host.last_dispatch ? *host.last_dispatch + policy.min_interval : now;
  if (host.queued.empty()) {
    if (host.in_flight > 0) return;  // finish() places it again
    if (ready_at > now) {
      host.timer = timers_.emplace(ready_at, &host);  // its interval still binds a push to come
    } else {
      hosts_.erase(host.name);  // nothing left to remember
    }
    return;
  }
  if (policy.max_in_flight != 0 && host.in_flight >= policy.max_in_flight) return;
  if (ready_at > now) {
    host.timer = timers_.emplace(ready_at, &host);
    return;
  }
  ring_.push_back(&host);
  host.in_ring = true;
}

void HostQueue::fire_timers(clock_type::time_point now) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    Host& host = *timers_.begin()->second;
    timers_.erase(timers_.begin());
    host.timer.reset();
    place(host, now);
  }
}

void HostQueue::push(QueuedRequest item, clock_type::time_point now) {
  ++queued_;
  if (item.host.empty() || arrival_order_) {
    immediate_.push_back(std::move(item));
    return;
  }
  auto [entry, added] = hosts_.try_emplace(item.host);
  Host& host = entry->second;
  if (added) host.name = item.host;
  host.queued.push_back(std::move(item));
  if (host.in_ring) return;
  unplace(host);
  place(host, now);
}

std::optional<QueuedRequest> HostQueue::take(clock_type::time_point now) {
  if (!immediate_.empty()) {
    auto item = std::move(immediate_.front());
    immediate_.pop_front();
    --queued_;
    return item;
  }
  fire_timers(now);
  if (ring_.empty()) return std::nullopt;
  Host& host = *ring_.front();
  ring_.pop_front();
  host.in_ring = false;
  auto item = std::move(host.queued.front());
  host.queued.pop_front();
  --queued_;
  ++host.in_flight;
  host.last_dispatch = now;
  place(host, now);  // to the back of the ring, to the timers, or at its limit
  return item;
}

void HostQueue::finish(const std::string& host_name, clock_type::time_point now) {
  const auto found = hosts_.find(host_name);
  if (found == hosts_.end()) return;
  Host& host = found->second;
  if (host.in_flight > 0) --host.in_flight;
  if (host.in_ring) return;
  unplace(host);
  place(host, now);
}

void HostQueue::set_policy(const std::string& host_name, HostPolicy policy, clock_type::time_point now) {
  policies_[host_name] = policy;
  const auto found = hosts_.find(host_name);
  if (found == hosts_.end()) return;
  Host& host = found->second;
  unplace(host);
  place(host, now);
}

std::optional<HostQueue::clock_type::time_point> HostQueue::next_wake() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first;
}

std::vector<QueuedRequest> HostQueue::drain() {
  std::vector<QueuedRequest> items(std::make_move_iterator(immediate_.begin()),
                                   std::make_move_iterator(immediate_.end()));
  immediate_.clear();
  for (auto& [name, host] : hosts_) {
    for (auto& item : host.queued) items.push_back(std::move(item));
    host.queued.clear();
  }
  ring_.clear();
  for (auto& [name, host] : hosts_) host.in_ring = false;
  queued_ = 0;
  return items;
}

}  // namespace fetcher::detail
