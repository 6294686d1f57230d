// load_test.cpp: `fetcher load` end to end: a small bounded load against an origin the test
// starts, over plain HTTP and TLS, with one and two event loops; and bad flags giving exit 2.
#include "run_process.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace fetcher {
namespace {

using testing::run_process;

const char* const sites = R"(
[[site]]
host = "load.test"
latency_ms = 0
body_bytes = 1024
capacity = 0
)";

class LoadTest : public ::testing::Test {
 protected:
  std::vector<std::string> command(std::vector<std::string> extra) {
    std::vector<std::string> arguments = {
        FETCHER_CLI_PATH, "load",
        "--connect-to",   ":80:127.0.0.1:" + std::to_string(origin_.server().http_port()),
        "--connect-to",   ":443:127.0.0.1:" + std::to_string(origin_.server().https_port()),
        "--cacert",       origin_.server().ca_file(),
        "--format",       "json"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }

  testing::TestOrigin origin_{sites};
};

void expect_all_ok(const nlohmann::json& json, int requests, int connections) {
  EXPECT_EQ(json.at("version"), 1);
  EXPECT_EQ(json.at("requests"), requests) << json.dump();
  EXPECT_EQ(json.at("ok"), requests);
  EXPECT_EQ(json.at("failed"), 0);
  EXPECT_EQ(json.at("body_bytes"), static_cast<std::uint64_t>(requests) * 1024);
  // Keep-alive: one connection per worker, not one per request.
  EXPECT_LE(json.at("connections_opened").get<int>(), connections) << json.dump();
  EXPECT_GT(json.at("req_per_s").get<double>(), 0);
  const auto& latency = json.at("latency_ms");
  EXPECT_LE(latency.at("p50").get<double>(), latency.at("p95").get<double>());
  EXPECT_LE(latency.at("p95").get<double>(), latency.at("p99").get<double>());
  EXPECT_LE(latency.at("p99").get<double>(), latency.at("max").get<double>());
  EXPECT_GT(json.at("cpu_us_per_request").get<double>(), 0);
}

TEST_F(LoadTest, PlainHttpCountsEveryRequestOverKeptAliveConnections) {
  const auto outcome = run_process(command({"http://load.test/1k", "-n", "200", "-c", "4"}));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto json = nlohmann::json::parse(outcome.out);
  expect_all_ok(json, 200, 4);
  EXPECT_EQ(json.at("tls_handshakes"), 0);
  const auto stats = origin_.server().stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].requests, 200u);
  EXPECT_LE(stats[0].connections, 4u);
}

TEST_F(LoadTest, TlsWithTwoEventLoops) {
  const auto outcome = run_process(command({"https://load.test/", "-n", "200", "-c", "4", "--threads", "2"}));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto json = nlohmann::json::parse(outcome.out);
  expect_all_ok(json, 200, 4);
  EXPECT_EQ(json.at("threads"), 2);
  EXPECT_LE(json.at("tls_handshakes").get<int>(), 4);
}

TEST_F(LoadTest, DurationBoundsTheRun) {
  const auto outcome = run_process(command({"http://load.test/", "-d", "300ms", "-c", "2"}));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto json = nlohmann::json::parse(outcome.out);
  EXPECT_GT(json.at("requests").get<int>(), 0);
  EXPECT_EQ(json.at("failed"), 0);
  EXPECT_LT(json.at("wall_s").get<double>(), 5.0 * testing::sanitizer_scale());
}

TEST_F(LoadTest, FailuresAreCountedByKindAndExitOne) {
  const auto outcome = run_process({FETCHER_CLI_PATH, "load", "--format", "json", "-n", "5", "-c", "1",
                                    "http://127.0.0.1:" + std::to_string(testing::closed_port()) + "/"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  const auto json = nlohmann::json::parse(outcome.out);
  EXPECT_EQ(json.at("requests"), 5);
  EXPECT_EQ(json.at("failed"), 5);
  EXPECT_EQ(json.at("errors").at("connect"), 5);
}

// The table's error line puts each count before its kind, so a count never reads as a status.
TEST_F(LoadTest, ErrorLineCountsBeforeTheKind) {
  auto arguments = command({"http://unknown.test/", "-n", "5", "-c", "1"});
  *std::find(arguments.begin(), arguments.end(), "json") = "table";
  const auto outcome = run_process(arguments);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  EXPECT_NE(outcome.out.find("\n  errors      5 http-status (e.g. HTTP 404 from http://unknown.test/"),
            std::string::npos)
      << outcome.out;
}

TEST_F(LoadTest, BadFlagsNameTheFlagAndExitTwo) {
  for (const auto& [arguments, flag] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{{{"-c", "zero"}, "-c"},
                                                                     {{"-n", "0"}, "-n"},
                                                                     {{"-d", "soon"}, "duration"},
                                                                     {{"-c", "2", "--threads", "3"}, "threads"},
                                                                     {{"--format", "xml"}, "--format"}}) {
    std::vector<std::string> full = {FETCHER_CLI_PATH, "load", "http://load.test/"};
    full.insert(full.end(), arguments.begin(), arguments.end());
    const auto outcome = run_process(full);
    EXPECT_EQ(outcome.exit_code, 2) << flag << ": " << outcome.err;
    EXPECT_NE(outcome.err.find(flag), std::string::npos) << outcome.err;
  }
  const auto bad_url = run_process({FETCHER_CLI_PATH, "load", "ftp://x/"});
  EXPECT_EQ(bad_url.exit_code, 2) << bad_url.err;
}

}  // namespace
}  // namespace fetcher
