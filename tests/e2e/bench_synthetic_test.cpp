// bench_synthetic_test.cpp: `fetcher bench --synthetic` as a user runs it: generated sites and
// URLs served by the emulated origin, every strategy (processes and event loops included)
// fetching all of them, the temporary files gone afterwards, and bad flags named in one line.
#include "run_process.hpp"
#include "test_origin.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace fetcher {
namespace {

using testing::run_process;

std::vector<std::string> bench(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), {FETCHER_CLI_PATH, "bench", "-q", "--no-charts"});
  return arguments;
}

// The bench's temporary directories under `directory`.
std::size_t synthetic_directories(const std::filesystem::path& directory) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    count += entry.path().filename().string().starts_with("fetcher-synthetic-");
  }
  return count;
}

TEST(BenchSynthetic, EveryStrategyFetchesTheGeneratedUrls) {
  // A TMPDIR of this test's own, so that other tests' benches running beside it (ctest -j2)
  // cannot be mistaken for this one's leftovers.
  const auto tmpdir = std::filesystem::temp_directory_path() / ("fetcher-synthetic-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmpdir);
  auto arguments = bench({
    "--synthetic", "60", "--hosts", "3", "--latency", "20ms", "--jitter", "5ms", "--body", "1KiB", "--capacity", "2",
        "--strategies",
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        // processes:N is left to the release suite (strategy_e2e_test.cpp)
        "sequential,pool:2,async,async:2",
#else
        "sequential,processes:2,async,async:2",
#endif
        "--format", "json"
  });
  arguments.insert(arguments.begin(), {"/usr/bin/env", "TMPDIR=" + tmpdir.string()});
  const auto outcome = run_process(arguments, {}, std::chrono::seconds(90));
  const auto left_behind = synthetic_directories(tmpdir);
  std::filesystem::remove_all(tmpdir);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto json = nlohmann::json::parse(outcome.out);
  const auto& list = json.at("lists").at(0);
  EXPECT_EQ(list.at("name"), "synthetic");
  EXPECT_EQ(list.at("urls"), 60);
  EXPECT_TRUE(list.at("agree").get<bool>());
  ASSERT_EQ(list.at("strategies").size(), 4u);
  for (const auto& row : list.at("strategies")) {
    EXPECT_EQ(row.at("ok"), 60) << row.at("strategy");
    EXPECT_EQ(row.at("bytes"), 60 * 1024) << row.at("strategy");
    // Three hosts served their 20 URLs each; none ever more than its capacity at once.
    ASSERT_EQ(row.at("origin").size(), 3u) << row.at("strategy");
    for (const auto& host : row.at("origin")) {
      EXPECT_EQ(host.at("requests"), 20) << row.at("strategy");
      EXPECT_LE(host.at("peak_concurrent").get<int>(), 2) << row.at("strategy");
    }
  }
  // Sequential: 60 requests of 20 ms +- 5 ms; with every fetch in flight: each host's 20
  // requests two at a time, 10 rounds of about 20 ms.
  const auto& sequential = list.at("strategies").at(0);
  EXPECT_NEAR(sequential.at("ideal_s").get<double>(), 1.2, 0.15);
  const auto& async = list.at("strategies").at(2);
  EXPECT_NEAR(async.at("ideal_s").get<double>(), 0.2, 0.05);
  EXPECT_EQ(left_behind, 0u);  // the generated files are gone
}

// A run that opened 1,000 connections or more is followed by a pause of 1.1 s, so the next run's
// connects do not search past its TIME_WAIT ports; a list that long also gets huge pages (auto).
// Two runs of 1,000 URLs at 10 ms take well under a second without the pause.
TEST(BenchSynthetic, AThousandConnectionsLeaveASecondBeforeTheNextRun) {
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = run_process(bench({"--synthetic", "1000", "--hosts", "10", "--latency", "10ms", "--capacity",
                                          "0", "--strategies", "async", "--runs", "2", "--format", "json"}),
                                   {}, std::chrono::seconds(90));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto json = nlohmann::json::parse(outcome.out);
  const auto& list = json.at("lists").at(0);
  EXPECT_EQ(list.at("huge_pages"), true);
  const auto& row = list.at("strategies").at(0);
  EXPECT_EQ(row.at("ok"), 1000);
  EXPECT_EQ(row.at("wall_runs_s").size(), 2u);
  EXPECT_GE(elapsed, std::chrono::milliseconds(1100));
}

TEST(BenchSynthetic, HttpsSchemeHandshakesWithTheOrigin) {
  const auto outcome = run_process(bench({"--synthetic", "20", "--hosts", "2", "--latency", "5ms", "--scheme", "https",
                                          "--strategies", "async", "--format", "json"}),
                                   {}, std::chrono::seconds(60));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto row = nlohmann::json::parse(outcome.out).at("lists").at(0).at("strategies").at(0);
  EXPECT_EQ(row.at("ok"), 20);
  EXPECT_GE(row.at("tls_handshakes").get<int>(), 2);
}

// Without keep-alive every URL is a new connection: after the first handshake per host they
// resume (counted in the JSON), unless --tls-resume off, which the measured child must get too.
TEST(BenchSynthetic, NewTlsConnectionsResumeUnlessTurnedOff) {
  const std::vector<std::string> flags = {"--synthetic", "12",    "--hosts",      "2",   "--latency",    "1ms",
                                          "--scheme",    "https", "--keep-alive", "off", "--strategies", "sequential",
                                          "--format",    "json"};
  const auto resumed_of = [&](std::vector<std::string> extra) {
    auto arguments = flags;
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const auto outcome = run_process(bench(arguments), {}, std::chrono::seconds(60));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto row = nlohmann::json::parse(outcome.out).at("lists").at(0).at("strategies").at(0);
    EXPECT_EQ(row.at("ok"), 12);
    EXPECT_EQ(row.at("tls_handshakes"), 12);
    return row.at("tls_resumed").get<int>();
  };
  EXPECT_EQ(resumed_of({}), 10);  // all but the first to each of the two hosts
  EXPECT_EQ(resumed_of({"--tls-resume", "off"}), 0);
}

TEST(BenchSynthetic, TableNamesTheWorkload) {
  const auto outcome = run_process(
      bench({"--synthetic", "1k", "--hosts", "10", "--latency", "10ms", "--strategies", "async", "--color", "never"}),
      {}, std::chrono::seconds(60));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(
      outcome.out.find("synthetic: 1000 URLs, emulated origin (10 hosts, 10 ms, 2.0 KiB, capacity unlimited, http)"),
      std::string::npos)
      << outcome.out;
}

// The engine holds no more sockets than the open-files limit leaves room for: with a limit of
// 200 descriptors, 400 fetches all "in flight at once" queue behind about a hundred lanes and
// all succeed, where opening 400 sockets at once would fail half of them with EMFILE.
TEST(OpenFilesLimit, AsyncQueuesPastTheLimitInsteadOfFailing) {
  testing::TestOrigin origin(R"(
[[site]]
host = "many.test"
latency_ms = 50
body_bytes = 500
capacity = 0
)");
  const auto list =
      std::filesystem::temp_directory_path() / ("fetcher-fd-limit-" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream out(list);
    for (int i = 0; i < 400; ++i) out << "http://many.test/" << i << "\n";
  }
  // `ulimit -n` in sh lowers the hard limit too, so the child cannot raise it back.
  const auto outcome = run_process({"/bin/sh", "-c", "ulimit -n 200 && exec \"$0\" \"$@\"", FETCHER_CLI_PATH,
                                    "__run-strategy", "--list", list.string(), "--strategy", "async", "--connect-to",
                                    ":80:127.0.0.1:" + std::to_string(origin.server().http_port())},
                                   {}, std::chrono::seconds(60));
  std::filesystem::remove(list);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto last = outcome.out.substr(outcome.out.rfind('\n', outcome.out.size() - 2) + 1);
  const auto report = nlohmann::json::parse(last).at("report");
  EXPECT_EQ(report.at("ok"), 400) << outcome.out.substr(0, 600);
  EXPECT_LT(report.at("connections_opened").get<int>(), 200);  // lanes kept their connections alive
  ASSERT_EQ(origin.server().stats().size(), 1u);
  EXPECT_LT(origin.server().stats()[0].peak_concurrent, 200u);
}

struct BadFlags {
  std::string name;
  std::vector<std::string> arguments;
  std::string message;  // a part of the one line on stderr
};

class BenchSyntheticBadFlags : public ::testing::TestWithParam<BadFlags> {};

TEST_P(BenchSyntheticBadFlags, ExitTwoNamingTheOption) {
  const auto outcome = run_process(bench(GetParam().arguments));
  EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
  EXPECT_NE(outcome.err.find(GetParam().message), std::string::npos) << outcome.err;
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  EXPECT_TRUE(outcome.out.empty()) << outcome.out;
}

INSTANTIATE_TEST_SUITE_P(
    Each, BenchSyntheticBadFlags,
    ::testing::Values(
        BadFlags{"count", {"--synthetic", "10x"}, "fetcher: --synthetic: bad count '10x'"},
        BadFlags{"latency", {"--synthetic", "100", "--latency", "x"}, "fetcher: --latency: bad duration 'x'"},
        BadFlags{"jitter", {"--synthetic", "100", "--jitter", "1h"}, "fetcher: --jitter: bad duration '1h'"},
        BadFlags{"body", {"--synthetic", "100", "--body", "2XB"}, "fetcher: --body: bad size '2XB'"},
        BadFlags{"hosts", {"--synthetic", "100", "--hosts", "0"}, "fetcher: --hosts: 0 hosts"},
        BadFlags{"capacity", {"--synthetic", "100", "--capacity", "many"}, "fetcher: --capacity: bad count 'many'"},
        BadFlags{"scheme", {"--synthetic", "100", "--scheme", "ftp"}, "fetcher: --scheme: expected http or https"},
        BadFlags{"hosts_without_synthetic", {"--hosts", "5"}, "--hosts requires --synthetic"},
        BadFlags{"list_and_synthetic",
                 {"--synthetic", "100", "some-list.txt"},
                 "--synthetic: give URL lists or --synthetic"},
        BadFlags{"live", {"--synthetic", "100", "--live"}, "--synthetic: runs against the emulated origin"},
        BadFlags{"strategy",
                 {"--synthetic", "100", "--strategies", "async:0"},
                 "async:0: event loop count must be at least 1"},
        BadFlags{"max_in_flight", {"--synthetic", "100", "--max-in-flight", "lots"}, "--max-in-flight"}),
    [](const ::testing::TestParamInfo<BadFlags>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace fetcher
