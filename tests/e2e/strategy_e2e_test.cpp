// strategy_e2e_test.cpp: every strategy fetches the same mixed list (HTTP, HTTPS, a redirect, a
// bad line, an unknown host) from a real origin on loopback and reports identical results.
#include "event_count.hpp"
#include "process_origin.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/run.hpp>

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <thread>

namespace fetcher {
namespace {

using testing::ProcessOrigin;
using testing::TestOrigin;

const char* const sites = R"(
[[site]]
host = "a.test"
latency_ms = 20
jitter_ms = 5
body_bytes = 3000
capacity = 2

[[site]]
host = "b.test"
latency_ms = 10
body_bytes = 40000
capacity = 0

[[site]]
host = "www.python.org"
latency_ms = 5
body_bytes = 500
redirect = "https://www.python.org/"
)";

const char* const list = R"(# a mixed list
http://a.test/1
https://a.test/2
https://b.test/
not a url
http://www.python.org
http://a.test/1
https://b.test/big?q=2
http://missing.test/

https://a.test/3
http://a.test/4
)";

struct Case {
  const char* strategy;
  std::size_t max_in_flight;
};

// The origin runs in a process of its own here, as under `fetcher bench`: processes:N forks this
// test process, which must then have no other busy thread (process_origin.hpp).
class StrategyTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { origin_ = new ProcessOrigin(FETCHER_CLI_PATH, sites); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }
  static ProcessOrigin* origin_;
};
ProcessOrigin* StrategyTest::origin_ = nullptr;

std::vector<FetchRequest> requests() {
  std::istringstream in(list);
  return parse_url_list(in, "mixed.txt");
}

TEST_P(StrategyTest, FetchesEveryUrlOnceWithTheRightOutcome) {
  origin_->reset();
  Client client(origin_->client_options());
  RunOptions run_options;
  run_options.max_in_flight = GetParam().max_in_flight;
  std::multiset<std::size_t> delivered;
  const auto report = run(requests(), Strategy::parse(GetParam().strategy), client, run_options,
                          [&](const FetchResult& result) { delivered.insert(result.index); });

  ASSERT_EQ(report.results.size(), 10u);
  ASSERT_EQ(delivered.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(delivered.count(i), 1u) << "index " << i;
  EXPECT_EQ(report.strategy, GetParam().strategy);
  EXPECT_EQ(report.requests, 10u);
  EXPECT_EQ(report.ok, 8u);
  EXPECT_EQ(report.failed, 2u);

  const auto& r = report.results;
  for (std::size_t i = 0; i < r.size(); ++i) EXPECT_EQ(r[i].index, i);
  EXPECT_EQ(r[0].body_sha256, origin_->expected_digest("a.test", "/1"));
  EXPECT_EQ(r[1].body_sha256, origin_->expected_digest("a.test", "/2"));
  EXPECT_EQ(r[2].body_sha256, origin_->expected_digest("b.test", "/"));
  EXPECT_EQ(r[2].body_bytes, 40000u);
  EXPECT_EQ(r[3].error, ErrorKind::bad_url);
  EXPECT_EQ(r[3].message.rfind("mixed.txt:5: ", 0), 0u) << r[3].message;
  EXPECT_EQ(r[4].final_url, "https://www.python.org/");
  EXPECT_EQ(r[4].redirects, 1);
  EXPECT_EQ(r[5].body_sha256, r[0].body_sha256);
  EXPECT_EQ(r[6].body_sha256, origin_->expected_digest("b.test", "/big?q=2"));
  EXPECT_EQ(r[7].error, ErrorKind::http_status);
  EXPECT_EQ(r[7].status, 404u);
  EXPECT_EQ(r[8].body_sha256, origin_->expected_digest("a.test", "/3"));
  EXPECT_EQ(r[9].body_sha256, origin_->expected_digest("a.test", "/4"));

  // The origin saw each request once, and a.test never served more than its capacity.
  for (const auto& host : origin_->stats()) {
    if (host.host == "a.test") {
      EXPECT_EQ(host.requests, 5u);
      EXPECT_LE(host.peak_concurrent, 2u);
    }
    if (host.host == "b.test") {
      EXPECT_EQ(host.requests, 2u);
    }
    if (host.host == "www.python.org") {
      EXPECT_EQ(host.requests, 2u);
    }
  }
  EXPECT_GE(report.latency.count, 8u);
  EXPECT_GT(report.latency.p50, 0.0);
  EXPECT_GE(report.peak_threads, 1u);
}

INSTANTIATE_TEST_SUITE_P(Every, StrategyTest,
                         ::testing::Values(Case{"sequential", 0}, Case{"threads", 0}, Case{"pool:1", 0},
                                           Case{"pool:3", 0}, Case{"pool:32", 0}, Case{"async", 0}, Case{"async", 3},
                                           Case{"async:2", 0}, Case{"async:3", 3}, Case{"processes:1", 0},
                                           Case{"processes:3", 0}),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string name = param_info.param.strategy;
                           for (auto& c : name) {
                             if (c == ':') c = '_';
                           }
                           return name + (param_info.param.max_in_flight ? "_capped" : "");
                         });

TEST(StrategyThreads, ThreadsStrategyStartsOneThreadPerUrl) {
  // Each fetch waits `latency` at the origin: long enough that all 30 threads are started while
  // the first ones still wait, even where starting a thread is slow (tens of milliseconds each
  // under TSan on a loaded machine, hence the scale). A strategy that fetched one URL at a time
  // would peak at 2 threads (the caller and one) however long the latency.
  const auto latency = testing::scaled(std::chrono::milliseconds(250));
  TestOrigin origin(std::string(sites) + "\n[[site]]\nhost = \"wait.test\"\nlatency_ms = " +
                    std::to_string(latency.count()) + "\nbody_bytes = 1000\ncapacity = 0\n");
  Client client(origin.client_options());
  const std::vector<FetchRequest> waiting(30, FetchRequest{"http://wait.test/", "", ""});
  const auto report = run(waiting, Strategy::parse("threads"), client);
  EXPECT_EQ(report.ok, 30u);
  EXPECT_GT(report.peak_threads, 10u);  // all 30 overlap on the latency; more than a third did
  const std::vector<FetchRequest> many(30, FetchRequest{"http://b.test/", "", ""});
  const auto pool = run(many, Strategy::parse("pool:4"), client);
  EXPECT_EQ(pool.ok, 30u);
  EXPECT_LE(pool.peak_threads, 5u);  // four workers and the caller
}

TEST(StrategyAsync, OneThousandFetchesOnOneThread) {
  TestOrigin origin(R"(
[[site]]
host = "many.test"
latency_ms = 100
body_bytes = 1000
capacity = 0
)");
  raise_open_files_limit();
  Client client(origin.client_options());
  std::vector<FetchRequest> many(1000, FetchRequest{"http://many.test/", "", ""});
  const auto report = run(many, Strategy::parse("async"), client);
  EXPECT_EQ(report.ok, 1000u) << (report.failed ? report.results[0].message : "");
  EXPECT_EQ(report.peak_threads, 1u);
}

const char* const one_host = R"(
[[site]]
host = "one.test"
latency_ms = 20
body_bytes = 700
capacity = 0
)";

std::vector<FetchRequest> numbered(const std::string& prefix, std::size_t count) {
  std::vector<FetchRequest> requests;
  for (std::size_t i = 0; i < count; ++i) requests.push_back({prefix + std::to_string(i), "", ""});
  return requests;
}

std::size_t count_errors(const RunReport& report, ErrorKind kind) {
  std::size_t count = 0;
  for (const auto& result : report.results) count += result.error == kind;
  return count;
}

TEST(StrategyAsyncLoops, EveryLoopRunsOnItsOwnThread) {
  TestOrigin origin(one_host);
  Client client(origin.client_options());
  const auto report = run(numbered("http://one.test/", 40), Strategy::parse("async:4"), client);
  EXPECT_EQ(report.ok, 40u);
  EXPECT_EQ(report.peak_threads, 4u);  // the caller's loop and three more
  EXPECT_EQ(report.strategy, "async:4");
}

TEST(StrategyAsyncLoops, TheCapHoldsOverAllLoops) {
  TestOrigin origin(one_host);
  Client client(origin.client_options());
  RunOptions options;
  options.max_in_flight = 3;
  const auto report = run(numbered("http://one.test/", 30), Strategy::parse("async:2"), client, options);
  EXPECT_EQ(report.ok, 30u);
  ASSERT_EQ(origin.server().stats().size(), 1u);
  EXPECT_EQ(origin.server().stats()[0].requests, 30u);
  EXPECT_LE(origin.server().stats()[0].peak_concurrent, 3u);
  EXPECT_GE(origin.server().stats()[0].peak_concurrent, 2u);  // both loops had fetches in flight
}

TEST(StrategyProcesses, WorkersFetchInTheirOwnProcesses) {
  ProcessOrigin origin(FETCHER_CLI_PATH, one_host);
  Client client(origin.client_options());
  std::set<std::size_t> delivered;
  const auto report = run(numbered("https://one.test/", 24), Strategy::parse("processes:3"), client, {},
                          [&](const FetchResult& result) { delivered.insert(result.index); });
  EXPECT_EQ(report.ok, 24u);
  EXPECT_EQ(delivered.size(), 24u);
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    EXPECT_EQ(report.results[i].body_sha256, origin.expected_digest("one.test", "/" + std::to_string(i))) << i;
  }
  // Each worker kept one TLS connection alive for its share; their counters came back over the
  // pipes, and this process's client fetched nothing itself.
  EXPECT_EQ(report.connections_opened, 3u);
  EXPECT_EQ(report.tls_handshakes, 3u);
  EXPECT_EQ(client.counters().connections_opened, 0u);
  ASSERT_EQ(origin.stats().size(), 1u);
  EXPECT_EQ(origin.stats()[0].connections, 3u);
  EXPECT_EQ(report.peak_threads, 4u);  // this thread and one per worker
  // Every worker was reaped: the origin is this process's only child.
  EXPECT_EQ(testing::child_processes(), std::vector<pid_t>{origin.pid()});
}

TEST(StrategyProcesses, MoreWorkersThanUrls) {
  ProcessOrigin origin(FETCHER_CLI_PATH, one_host);
  Client client(origin.client_options());
  const auto report = run(numbered("http://one.test/", 2), Strategy::parse("processes:8"), client);
  EXPECT_EQ(report.ok, 2u);
  const auto empty = run({}, Strategy::parse("processes:2"), client);
  EXPECT_EQ(empty.requests, 0u);
}

TEST(StrategyProcesses, StoppingKillsTheWorkersAndCancelsTheRest) {
  ProcessOrigin origin(FETCHER_CLI_PATH, R"(
[[site]]
host = "slow.test"
latency_ms = 100
body_bytes = 100
)");
  Client client(origin.client_options());
  RunStopper stopper;
  RunOptions options;
  options.stopper = &stopper;
  std::size_t seen = 0;
  const auto report =
      run(numbered("http://slow.test/", 40), Strategy::parse("processes:2"), client, options, [&](const FetchResult&) {
        if (++seen == 3) stopper.stop();
      });
  EXPECT_EQ(seen, 40u);
  ASSERT_EQ(report.results.size(), 40u);
  EXPECT_GE(report.ok, 3u);
  EXPECT_LE(report.ok, 6u);
  EXPECT_EQ(report.ok + count_errors(report, ErrorKind::cancelled), 40u);
  EXPECT_EQ(testing::child_processes(), std::vector<pid_t>{origin.pid()});  // every worker reaped
}

TEST(StrategyAsyncLoops, StoppingFromAnotherThreadReachesEveryLoop) {
  TestOrigin origin(R"(
[[site]]
host = "slow.test"
latency_ms = 100
body_bytes = 100
capacity = 2
)");
  Client client(origin.client_options());
  RunStopper stopper;
  RunOptions options;
  options.stopper = &stopper;
  // The other thread stops the run once its first results are in, while the loops still hold
  // most of the URLs.
  testing::EventCount results;
  std::thread stop_later([&] {
    results.wait_for(2, std::chrono::seconds(10));
    stopper.stop();
  });
  // Capacity 2 at 100 ms: 40 URLs would take 2 s; the stop ends it after about 2 or 4.
  const auto report = run(numbered("http://slow.test/", 40), Strategy::parse("async:3"), client, options,
                          [&](const FetchResult&) { results.add(); });
  stop_later.join();
  ASSERT_EQ(report.results.size(), 40u);
  EXPECT_LT(report.ok, 40u);
  EXPECT_EQ(report.ok + count_errors(report, ErrorKind::cancelled), 40u);
}

}  // namespace
}  // namespace fetcher
