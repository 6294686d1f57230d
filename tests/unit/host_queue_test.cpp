// host_queue_test.cpp: the scheduler's host-aware queue on its own, with the clock passed in:
// round-robin over ready hosts, per-host limits and intervals, policies changed while requests
// wait, host entries dropped once there is nothing to remember, and arrival order for run().
#include "host_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace fetcher::detail {
namespace {

using namespace std::chrono_literals;
using clock_type = HostQueue::clock_type;

const clock_type::time_point start{};

QueuedRequest request(const std::string& host, std::size_t index) {
  QueuedRequest item;
  item.request.url = host.empty() ? "not a url" : "http://" + host + "/" + std::to_string(index);
  item.index = index;
  item.host = host;
  if (host.empty()) item.error = "not a URL";
  return item;
}

// The indexes take() gives at `now` until it gives nothing.
std::vector<std::size_t> take_all(HostQueue& queue, clock_type::time_point now) {
  std::vector<std::size_t> indexes;
  while (auto item = queue.take(now)) indexes.push_back(item->index);
  return indexes;
}

TEST(HostQueue, ServesReadyHostsRoundRobin) {
  HostQueue queue({}, false);
  for (std::size_t i = 0; i < 3; ++i) queue.push(request("a.test", i), start);
  queue.push(request("b.test", 3), start);
  queue.push(request("b.test", 4), start);
  EXPECT_EQ(queue.queued(), 5u);
  EXPECT_EQ(take_all(queue, start), (std::vector<std::size_t>{0, 3, 1, 4, 2}));
  EXPECT_EQ(queue.queued(), 0u);
}

TEST(HostQueue, RequestsWithoutAHostComeFirst) {
  HostQueue queue({1, 0ms}, false);
  queue.push(request("a.test", 0), start);
  queue.push(request("a.test", 1), start);
  queue.push(request("", 2), start);
  EXPECT_EQ(take_all(queue, start), (std::vector<std::size_t>{2, 0}));  // a.test at its limit
}

TEST(HostQueue, AHostAtItsLimitWaitsForAFinish) {
  HostQueue queue({1, 0ms}, false);
  queue.push(request("a.test", 0), start);
  queue.push(request("a.test", 1), start);
  queue.push(request("b.test", 2), start);
  EXPECT_EQ(take_all(queue, start), (std::vector<std::size_t>{0, 2}));
  queue.finish("b.test", start);
  EXPECT_EQ(take_all(queue, start), std::vector<std::size_t>{});
  queue.finish("a.test", start);
  EXPECT_EQ(take_all(queue, start), std::vector<std::size_t>{1});
}

TEST(HostQueue, AnIntervalSpacesDispatchesToOneHostOnly) {
  HostQueue queue({0, 100ms}, false);
  queue.push(request("a.test", 0), start);
  queue.push(request("a.test", 1), start);
  queue.push(request("b.test", 2), start);
  EXPECT_EQ(take_all(queue, start), (std::vector<std::size_t>{0, 2}));
  ASSERT_TRUE(queue.next_wake());
  EXPECT_EQ(*queue.next_wake(), start + 100ms);
  EXPECT_EQ(take_all(queue, start + 99ms), std::vector<std::size_t>{});
  EXPECT_EQ(take_all(queue, start + 100ms), std::vector<std::size_t>{1});
}

TEST(HostQueue, APolicySetWhileRequestsWaitAppliesAtOnce) {
  HostQueue queue({1, 0ms}, false);
  for (std::size_t i = 0; i < 3; ++i) queue.push(request("a.test", i), start);
  EXPECT_EQ(take_all(queue, start), std::vector<std::size_t>{0});
  queue.set_policy("a.test", {2, 0ms}, start);
  EXPECT_EQ(take_all(queue, start), std::vector<std::size_t>{1});
  // An interval counts from the host's last dispatch.
  queue.set_policy("a.test", {0, 50ms}, start + 10ms);
  EXPECT_EQ(take_all(queue, start + 49ms), std::vector<std::size_t>{});
  EXPECT_EQ(take_all(queue, start + 50ms), std::vector<std::size_t>{2});
}

TEST(HostQueue, HostEntriesAreDroppedWhenNothingIsLeftToRemember) {
  HostQueue queue({}, false);
  queue.push(request("a.test", 0), start);
  queue.push(request("b.test", 1), start);
  EXPECT_EQ(queue.host_count(), 2u);
  EXPECT_EQ(take_all(queue, start).size(), 2u);
  EXPECT_EQ(queue.host_count(), 2u);  // in flight
  queue.finish("a.test", start);
  queue.finish("b.test", start);
  EXPECT_EQ(queue.host_count(), 0u);

  // With an interval the entry stays until the interval has passed: a later push still waits.
  queue.set_policy("c.test", {0, 100ms}, start);
  queue.push(request("c.test", 2), start);
  EXPECT_EQ(take_all(queue, start), std::vector<std::size_t>{2});
  queue.finish("c.test", start + 10ms);
  EXPECT_EQ(queue.host_count(), 1u);
  EXPECT_EQ(take_all(queue, start + 100ms), std::vector<std::size_t>{});
  EXPECT_EQ(queue.host_count(), 0u);
}

TEST(HostQueue, ArrivalOrderIgnoresHostsAndPolicies) {
  HostQueue queue({1, 100ms}, true);
  queue.push(request("a.test", 0), start);
  queue.push(request("a.test", 1), start);
  queue.push(request("", 2), start);
  queue.push(request("b.test", 3), start);
  EXPECT_EQ(take_all(queue, start), (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(queue.host_count(), 0u);
}

TEST(HostQueue, DrainTakesEveryQueuedRequest) {
  HostQueue queue({1, 0ms}, false);
  for (std::size_t i = 0; i < 4; ++i) queue.push(request(i % 2 ? "a.test" : "b.test", i), start);
  queue.push(request("", 4), start);
  EXPECT_EQ(take_all(queue, start).size(), 3u);  // the bad one, then one per host
  const auto drained = queue.drain();
  EXPECT_EQ(drained.size(), 2u);
  EXPECT_EQ(queue.queued(), 0u);
  EXPECT_EQ(take_all(queue, start), std::vector<std::size_t>{});
}

}  // namespace
}  // namespace fetcher::detail
