// scheduler_e2e_test.cpp: the Scheduler against a real origin on loopback, for an event-loop and a
// worker-thread strategy: pushes from the handler, stops, host fairness, per-host limits and
// intervals (also set while running), waiting that does not count against timeouts, and results
// kept only when asked.
#include "event_count.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/scheduler.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fetcher {
namespace {

using namespace std::chrono_literals;
using testing::scaled;
using testing::TestOrigin;
using clock_type = std::chrono::steady_clock;

std::string site(const std::string& host, std::chrono::milliseconds latency) {
  return "[[site]]\nhost = \"" + host + "\"\nlatency_ms = " + std::to_string(latency.count()) +
         "\nbody_bytes = 200\ncapacity = 0\n\n";
}

// The origin frees a request's place in its concurrency count only once its response's write has
// completed, which the client's next request on another connection can beat by a little: a peak
// can read one over a limit that held. Tests check limits exactly through wall time instead.
origin::HostStats stats_of(TestOrigin& origin, const std::string& host) {
  for (const auto& stats : origin.server().stats()) {
    if (stats.host == host) return stats;
  }
  throw std::runtime_error("no such site: " + host);
}

FetchRequest request_for(const std::string& url) { return FetchRequest{url, "test", ""}; }

// Results as the handler saw them, in delivery order; handlers may run on several threads.
class Delivered {
 public:
  void add(const FetchResult& result) {
    std::lock_guard lock(mutex_);
    results_.push_back(result);
  }
  std::vector<FetchResult> all() const {
    std::lock_guard lock(mutex_);
    return results_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<FetchResult> results_;
};

// Every index from 0 to count - 1 exactly once.
void expect_one_result_each(const std::vector<FetchResult>& results, std::size_t count) {
  std::multiset<std::size_t> indexes;
  for (const auto& result : results) indexes.insert(result.index);
  EXPECT_EQ(results.size(), count);
  for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(indexes.count(i), 1u) << "index " << i;
}

class SchedulerTest : public ::testing::TestWithParam<const char*> {
 protected:
  SchedulerOptions options() const {
    SchedulerOptions options;
    options.strategy = Strategy::parse(GetParam());
    return options;
  }
};

TEST_P(SchedulerTest, HandlerPushesAChainUntilItsEnd) {
  TestOrigin origin(site("chain.test", 2ms));
  Client client(origin.client_options());
  constexpr std::size_t length = 25;
  Delivered delivered;
  Scheduler* self = nullptr;
  Scheduler scheduler(client, options(), [&](const FetchResult& result) {
    delivered.add(result);
    if (result.index + 1 < length) self->push(request_for("http://chain.test/" + std::to_string(result.index + 1)));
  });
  self = &scheduler;
  ASSERT_EQ(scheduler.push(request_for("http://chain.test/0")), 0u);
  scheduler.close();  // the chain goes on from the handler after close
  const auto report = scheduler.run();
  const auto results = delivered.all();
  expect_one_result_each(results, length);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].index, i);  // each link is pushed by the one before
    EXPECT_TRUE(results[i].ok()) << results[i].message;
  }
  EXPECT_EQ(report.requests, length);
  EXPECT_EQ(report.ok, length);
  EXPECT_EQ(report.latency.count, length);
  EXPECT_EQ(stats_of(origin, "chain.test").requests, length);
  if (options().strategy.kind != Strategy::Kind::threads) {
    // Kept alive from one fetch to the next (a thread per request has a loop of its own each).
    EXPECT_LE(report.connections_opened, 4u);
  }
  EXPECT_FALSE(scheduler.push(request_for("http://chain.test/late")));  // the run is over
}

TEST_P(SchedulerTest, StopCancelsInFlightAndQueuedAndGivesEachRequestOneResult) {
  const auto slow_latency = scaled(std::chrono::milliseconds(5000));
  TestOrigin origin(site("fast.test", 1ms) + site("slow.test", slow_latency));
  Client client(origin.client_options());
  std::stop_source stop;
  std::atomic<int> fast_seen{0};
  Delivered delivered;
  auto scheduler_options = options();
  scheduler_options.host_defaults.max_in_flight = 2;
  Scheduler scheduler(client, scheduler_options, [&](const FetchResult& result) {
    delivered.add(result);
    if (result.url.starts_with("http://fast.test/") && ++fast_seen == 6) stop.request_stop();
  });
  for (int i = 0; i < 10; ++i) scheduler.push(request_for("http://slow.test/" + std::to_string(i)));
  for (int i = 0; i < 6; ++i) scheduler.push(request_for("http://fast.test/" + std::to_string(i)));
  scheduler.close();
  const auto start = clock_type::now();
  const auto report = scheduler.run(stop.get_token());
  const auto elapsed = clock_type::now() - start;
  const auto results = delivered.all();
  expect_one_result_each(results, 16);
  std::size_t slow_cancelled = 0;
  for (const auto& result : results) {
    if (result.url.starts_with("http://fast.test/")) {
      EXPECT_TRUE(result.ok()) << result.message;
    } else {
      EXPECT_EQ(result.error, ErrorKind::cancelled) << result.url;
      slow_cancelled += result.error == ErrorKind::cancelled;
    }
  }
  EXPECT_EQ(slow_cancelled, 10u);
  EXPECT_EQ(report.requests, 16u);
  EXPECT_EQ(report.ok, 6u);
  // Whether a slow request has reached the origin when the stop comes is a race the stop may
  // win, so the origin's count is not asserted; that the stop did not wait for the slow fetches
  // is.
  EXPECT_LT(elapsed, slow_latency);  // the stop did not wait for them
}

TEST_P(SchedulerTest, StopFromAnotherThreadEndsARunWaitingForInput) {
  TestOrigin origin(site("idle.test", 1ms));
  Client client(origin.client_options());
  std::stop_source stop;
  std::atomic<int> seen{0};
  Scheduler scheduler(client, options(), [&](const FetchResult& result) {
    EXPECT_TRUE(result.ok()) << result.message;
    if (++seen == 3) stop.request_stop();  // never closed: only the stop ends the run
  });
  for (int i = 0; i < 3; ++i) scheduler.push(request_for("http://idle.test/" + std::to_string(i)));
  const auto report = scheduler.run(stop.get_token());
  EXPECT_EQ(report.requests, 3u);
  EXPECT_EQ(report.ok, 3u);
}

// A run fed from another thread (as a shared crawl's worker feeds it) ends when that thread
// closes it, also after every fetch is over and the loops wait for nothing.
TEST_P(SchedulerTest, CloseFromAnotherThreadEndsAnIdleRun) {
  TestOrigin origin(site("idle.test", 1ms));
  Client client(origin.client_options());
  testing::EventCount seen;
  Scheduler scheduler(client, options(), [&](const FetchResult& result) {
    EXPECT_TRUE(result.ok()) << result.message;
    seen.add();
  });
  RunReport report;
  std::thread running([&] { report = scheduler.run(); });
  for (int i = 0; i < 3; ++i) scheduler.push(request_for("http://idle.test/" + std::to_string(i)));
  // Closed only once all three are over: the run is idle, waiting for input, when it closes.
  EXPECT_TRUE(seen.wait_for(3, 10s));
  EXPECT_EQ(seen.count(), 3u);
  scheduler.close();
  running.join();  // hangs (and the test times out) if an idle run misses the close
  EXPECT_EQ(report.requests, 3u);
  EXPECT_EQ(report.ok, 3u);
}

TEST_P(SchedulerTest, AFastHostIsNotHeldBackByASlowOne) {
  const auto slow_latency = scaled(std::chrono::milliseconds(200));
  TestOrigin origin(site("slow.test", slow_latency) + site("fast.test", 5ms));
  Client client(origin.client_options());
  Delivered delivered;
  auto scheduler_options = options();
  scheduler_options.host_defaults.max_in_flight = 2;
  Scheduler scheduler(client, scheduler_options, [&](const FetchResult& result) { delivered.add(result); });
  // The slow host's requests are pushed first: a first-in, first-out queue would serve them first.
  for (int i = 0; i < 10; ++i) scheduler.push(request_for("http://slow.test/" + std::to_string(i)));
  for (int i = 0; i < 10; ++i) scheduler.push(request_for("http://fast.test/" + std::to_string(i)));
  scheduler.close();
  const auto report = scheduler.run();
  const auto results = delivered.all();
  expect_one_result_each(results, 20);
  EXPECT_EQ(report.ok, 20u);
  std::size_t slow_before_last_fast = 0;
  std::size_t slow_so_far = 0;
  for (const auto& result : results) {
    if (result.url.starts_with("http://slow.test/")) ++slow_so_far;
    if (result.url.starts_with("http://fast.test/")) slow_before_last_fast = slow_so_far;
  }
  // The fast host's ten take about five of its round trips; the slow host's first pair takes one
  // slow round trip, forty times longer.
  EXPECT_LE(slow_before_last_fast, 2u);
  EXPECT_GE(stats_of(origin, "slow.test").peak_concurrent, 2u);  // the limit was used
  EXPECT_LE(stats_of(origin, "slow.test").peak_concurrent, 3u);
  EXPECT_LE(stats_of(origin, "fast.test").peak_concurrent, 3u);
  EXPECT_GE(report.wall, slow_latency * 5);  // ten slow fetches, two at a time
}

TEST_P(SchedulerTest, WaitingForTheHostDoesNotCountAgainstTheTimeout) {
  const auto latency = scaled(std::chrono::milliseconds(100));
  TestOrigin origin(site("one.test", latency));
  auto fetch_options = origin.client_options();
  fetch_options.total_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(latency * 3);
  Client client(fetch_options);
  auto scheduler_options = options();
  scheduler_options.host_defaults.max_in_flight = 1;
  scheduler_options.keep_results = true;
  Scheduler scheduler(client, scheduler_options);
  // Eight fetches one at a time take eight latencies, more than twice the total timeout.
  for (int i = 0; i < 8; ++i) scheduler.push(request_for("http://one.test/" + std::to_string(i)));
  scheduler.close();
  const auto report = scheduler.run();
  ASSERT_EQ(report.results.size(), 8u);
  for (const auto& result : report.results) EXPECT_TRUE(result.ok()) << result.message;
  EXPECT_LE(stats_of(origin, "one.test").peak_concurrent, 2u);
  EXPECT_GE(report.wall, latency * 8);  // one at a time
}

TEST_P(SchedulerTest, HostIntervalSpacesTheStarts) {
  const auto interval = scaled(std::chrono::milliseconds(60));
  TestOrigin origin(site("polite.test", 1ms) + site("other.test", 1ms));
  Client client(origin.client_options());
  auto scheduler_options = options();
  scheduler_options.host_defaults.min_interval = interval;
  Scheduler scheduler(client, scheduler_options);
  scheduler.set_host_policy("other.test", {});  // no interval for this one
  for (int i = 0; i < 6; ++i) scheduler.push(request_for("http://polite.test/" + std::to_string(i)));
  for (int i = 0; i < 6; ++i) scheduler.push(request_for("http://other.test/" + std::to_string(i)));
  scheduler.close();
  const auto report = scheduler.run();
  EXPECT_EQ(report.ok, 12u);
  EXPECT_EQ(stats_of(origin, "polite.test").requests, 6u);
  EXPECT_EQ(stats_of(origin, "polite.test").peak_concurrent, 1u);
  EXPECT_GE(report.wall, interval * 5);  // six starts, each an interval after the one before
}

TEST_P(SchedulerTest, HostPolicySetWhileRunningAppliesToTheNextDispatch) {
  const auto interval = scaled(std::chrono::milliseconds(100));
  TestOrigin origin(site("crawl.test", 50ms));
  Client client(origin.client_options());
  Delivered delivered;
  std::vector<clock_type::time_point> delivered_at;
  std::mutex times_mutex;
  Scheduler* self = nullptr;
  Scheduler scheduler(client, options(), [&](const FetchResult& result) {
    {
      std::lock_guard lock(times_mutex);
      delivered_at.push_back(clock_type::now());
    }
    delivered.add(result);
    if (result.index == 0) {
      // As a crawler does on reading robots.txt's Crawl-delay.
      self->set_host_policy("crawl.test", {1, interval});
      for (int i = 1; i <= 4; ++i) self->push(request_for("http://crawl.test/" + std::to_string(i)));
    }
  });
  self = &scheduler;
  scheduler.push(request_for("http://crawl.test/robots.txt"));
  scheduler.close();
  const auto report = scheduler.run();
  EXPECT_EQ(report.ok, 5u);
  ASSERT_EQ(delivered_at.size(), 5u);
  // Without the policy the four would overlap and end within one latency of each other.
  EXPECT_EQ(stats_of(origin, "crawl.test").peak_concurrent, 1u);
  EXPECT_GE(delivered_at.back() - delivered_at.front(), interval * 3);
}

TEST_P(SchedulerTest, ResultsAreKeptOnlyWhenAsked) {
  TestOrigin origin(site("a.test", 2ms) + site("b.test", 2ms));
  for (const bool keep : {false, true}) {
    Client client(origin.client_options());
    auto scheduler_options = options();
    scheduler_options.keep_results = keep;
    std::atomic<std::size_t> seen{0};
    Scheduler scheduler(client, scheduler_options, [&](const FetchResult&) { ++seen; });
    for (int i = 0; i < 20; ++i) {
      scheduler.push(request_for(std::string(i % 2 ? "http://a.test/" : "http://b.test/") + std::to_string(i)));
    }
    scheduler.close();
    const auto report = scheduler.run();
    EXPECT_EQ(seen, 20u);
    EXPECT_EQ(report.requests, 20u);
    EXPECT_EQ(report.ok, 20u);
    EXPECT_EQ(report.bytes, 20u * 200u);
    EXPECT_EQ(report.latency.count, 20u);
    EXPECT_EQ(report.latency_histogram.count(), 20u);
    if (keep) {
      ASSERT_EQ(report.results.size(), 20u);
      for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(report.results[i].index, i);
    } else {
      EXPECT_TRUE(report.results.empty());
    }
  }
}

TEST_P(SchedulerTest, ABadUrlFailsAtOnceWithoutWaitingForAHost) {
  const auto latency = scaled(std::chrono::milliseconds(300));
  TestOrigin origin(site("busy.test", latency));
  Client client(origin.client_options());
  Delivered delivered;
  auto scheduler_options = options();
  scheduler_options.host_defaults.max_in_flight = 1;
  Scheduler scheduler(client, scheduler_options, [&](const FetchResult& result) { delivered.add(result); });
  scheduler.push(request_for("http://busy.test/1"));
  scheduler.push(request_for("http://busy.test/2"));
  scheduler.push(request_for("not a url"));
  scheduler.push(FetchRequest{"http://busy.test/3", "list.txt:4", "rejected by the list"});
  scheduler.close();
  const auto report = scheduler.run();
  const auto results = delivered.all();
  expect_one_result_each(results, 4);
  ASSERT_EQ(results.size(), 4u);
  // The two bad requests come before the busy host's first fetch is done.
  EXPECT_EQ(results[0].error, ErrorKind::bad_url);
  EXPECT_EQ(results[1].error, ErrorKind::bad_url);
  EXPECT_EQ(report.ok, 2u);
  EXPECT_EQ(stats_of(origin, "busy.test").requests, 2u);
}

INSTANTIATE_TEST_SUITE_P(Strategies, SchedulerTest, ::testing::Values("async", "async:2", "pool:4", "threads"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           std::string name = param.param;
                           for (auto& c : name) {
                             if (c == ':') c = '_';
                           }
                           return name;
                         });

TEST(Scheduler, GlobalInFlightLimitHoldsAcrossHosts) {
  const auto latency = scaled(std::chrono::milliseconds(50));
  TestOrigin origin(site("a.test", latency) + site("b.test", latency) + site("c.test", latency));
  Client client(origin.client_options());
  SchedulerOptions options;
  options.strategy = Strategy::parse("async:2");
  options.max_in_flight = 3;
  std::mutex mutex;
  std::vector<FetchResult> results;
  Scheduler scheduler(client, options, [&](const FetchResult& result) {
    std::lock_guard lock(mutex);
    results.push_back(result);
  });
  for (const char* host : {"a", "b", "c"}) {
    for (int i = 0; i < 4; ++i)
      scheduler.push(request_for(std::string("http://") + host + ".test/" + std::to_string(i)));
  }
  scheduler.close();
  const auto report = scheduler.run();
  EXPECT_EQ(report.ok, 12u);
  // Three at a time over three hosts, served round-robin: about one per host at once, never the
  // four each host's requests would make without the limit.
  for (const char* host : {"a.test", "b.test", "c.test"}) EXPECT_LE(stats_of(origin, host).peak_concurrent, 2u) << host;
  EXPECT_GE(report.wall, latency * 4);  // twelve fetches, three at a time
}

TEST(Scheduler, SequentialRunsOneFetchAtATimeOnTheCallingThread) {
  TestOrigin origin(site("a.test", 5ms) + site("b.test", 5ms));
  Client client(origin.client_options());
  SchedulerOptions options;
  options.strategy = Strategy::parse("sequential");
  const auto caller = std::this_thread::get_id();
  std::size_t seen = 0;
  Scheduler scheduler(client, options, [&](const FetchResult& result) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    EXPECT_TRUE(result.ok()) << result.message;
    ++seen;
  });
  for (int i = 0; i < 6; ++i)
    scheduler.push(request_for(std::string(i % 2 ? "http://a.test/" : "http://b.test/") + std::to_string(i)));
  scheduler.close();
  const auto report = scheduler.run();
  EXPECT_EQ(seen, 6u);
  EXPECT_EQ(report.peak_threads, 1u);
  EXPECT_EQ(stats_of(origin, "a.test").peak_concurrent, 1u);
}

TEST(Scheduler, RefusesProcessesAndASecondRun) {
  TestOrigin origin(site("a.test", 1ms));
  Client client(origin.client_options());
  SchedulerOptions options;
  options.strategy = Strategy::parse("processes:2");
  EXPECT_THROW(Scheduler(client, options), std::invalid_argument);
  options.strategy = Strategy::parse("async");
  Scheduler scheduler(client, options);
  scheduler.close();
  const auto report = scheduler.run();  // closed with nothing pushed: returns at once
  EXPECT_EQ(report.requests, 0u);
  EXPECT_THROW(scheduler.run(), std::logic_error);
}

}  // namespace
}  // namespace fetcher
