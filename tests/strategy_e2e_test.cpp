// strategy_e2e_test.cpp: every strategy fetches the same mixed list (HTTP, HTTPS, a redirect, a
// bad line, an unknown host) from a real origin on loopback and reports identical results.
#include "test_origin.hpp"

#include <fetcher/run.hpp>

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace fetcher {
namespace {

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

class StrategyTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { origin_ = new TestOrigin(sites); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }
  static TestOrigin* origin_;
};
TestOrigin* StrategyTest::origin_ = nullptr;

std::vector<FetchRequest> requests() {
  std::istringstream in(list);
  return parse_url_list(in, "mixed.txt");
}

TEST_P(StrategyTest, FetchesEveryUrlOnceWithTheRightOutcome) {
  origin_->server().reset();
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
  for (const auto& host : origin_->server().stats()) {
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
  EXPECT_GT(report.peak_rss_kb, 0);
}

INSTANTIATE_TEST_SUITE_P(Every, StrategyTest,
                         ::testing::Values(Case{"sequential", 0}, Case{"threads", 0}, Case{"pool:1", 0},
                                           Case{"pool:3", 0}, Case{"pool:32", 0}, Case{"async", 0},
                                           Case{"async", 3}),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string name = param_info.param.strategy;
                           for (auto& c : name) {
                             if (c == ':') c = '_';
                           }
                           return name + (param_info.param.max_in_flight ? "_capped" : "");
                         });

TEST(StrategyThreads, ThreadsStrategyStartsOneThreadPerUrl) {
  TestOrigin origin(sites);
  Client client(origin.client_options());
  std::vector<FetchRequest> many(30, FetchRequest{"http://b.test/", "", ""});
  const auto report = run(many, Strategy::parse("threads"), client);
  EXPECT_EQ(report.ok, 30u);
  EXPECT_GT(report.peak_threads, 10u);  // all 30 overlap on a 10 ms latency; at least some did
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

}  // namespace
}  // namespace fetcher
