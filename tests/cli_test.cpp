// cli_test.cpp: the `fetcher` executable as a user runs it: bench on a small emulated list,
// get against an origin the test starts, and bad input giving one clear line and exit 2.
#include "run_process.hpp"
#include "test_origin.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fetcher {
namespace {

using testing::run_process;

const char* const sites = R"(
[[site]]
host = "one.test"
latency_ms = 30
body_bytes = 2000
capacity = 2

[[site]]
host = "two.test"
latency_ms = 10
body_bytes = 5000
redirect = "https://two.test/home"
)";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("fetcher-cli-test-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = directory_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path directory_;
};

int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

TEST_F(CliTest, BenchMeasuresEveryStrategyAndTheyAgree) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("list.txt", "http://one.test/a\nhttp://one.test/b\nhttp://two.test/\nhttps://one.test/c\n");
  const auto outcome = run_process({FETCHER_CLI_PATH, "bench", list, "--sites", sites_file, "--strategies",
                                    "sequential,threads,pool:2,async", "--format", "json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto json = nlohmann::json::parse(outcome.out);
  EXPECT_EQ(json.at("version"), 1);
  const auto& only = json.at("lists").at(0);
  EXPECT_EQ(only.at("name"), "list.txt");
  EXPECT_EQ(only.at("urls"), 4);
  EXPECT_TRUE(only.at("agree").get<bool>());
  ASSERT_EQ(only.at("strategies").size(), 4u);
  for (const auto& strategy : only.at("strategies")) {
    EXPECT_EQ(strategy.at("ok"), 4) << strategy.dump();
    EXPECT_EQ(strategy.at("failed"), 0);
    EXPECT_GT(strategy.at("wall_s").get<double>(), 0.0);
    EXPECT_GE(strategy.at("wall_s").get<double>(), strategy.at("ideal_s").get<double>() * 0.9);
    EXPECT_GT(strategy.at("peak_rss_kb").get<long>(), 0);
    EXPECT_TRUE(strategy.contains("origin")) << strategy.dump();
  }
  // Sequential's ideal is the sum of the model's latencies: 3 x 30 ms + 2 x 10 ms (redirect).
  EXPECT_NEAR(only.at("strategies").at(0).at("ideal_s").get<double>(), 0.110, 1e-6);
}

TEST_F(CliTest, BenchTableNamesColumnsAndAgreement) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("list.txt", "http://one.test/a\nhttps://two.test/home\n");
  const auto outcome =
      run_process({FETCHER_CLI_PATH, "bench", list, "--sites", sites_file, "--strategies", "sequential,async"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("strategy"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("ideal"), std::string::npos);
  EXPECT_NE(outcome.out.find("sequential"), std::string::npos);
  EXPECT_NE(outcome.out.find("all strategies agreed"), std::string::npos) << outcome.out;
}

TEST_F(CliTest, JunkLinesAreReportedAndTheRestRuns) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("junk.txt", "http://one.test/\n\x01\x02garbage\xff\nftp://one.test/\nhttp://two.test/\n");
  const auto outcome = run_process(
      {FETCHER_CLI_PATH, "bench", list, "--sites", sites_file, "--strategies", "async", "--format", "csv"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  EXPECT_NE(outcome.err.find("junk.txt:2: not a URL"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("junk.txt:3: unsupported scheme"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.out.find(",2,2,"), std::string::npos) << outcome.out;  // ok=2, failed=2
}

TEST_F(CliTest, UsageErrorsExitTwoWithOneLine) {
  const auto list = write("list.txt", "http://one.test/\n");
  struct Bad {
    std::vector<std::string> arguments;
    std::string expected;
  };
  const std::vector<Bad> cases = {
      {{"bench", list, "--strategies", "pool:0"}, "pool:0"},
      {{"bench", list, "--strategies", "fastest"}, "fastest"},
      {{"bench", (directory_ / "missing.txt").string()}, "missing.txt: cannot read"},
      {{"bench", directory_.string()}, "is a directory"},
      {{"bench", list, "--format", "xml"}, "xml"},
      {{"bench", list, "--timeout", "-3s"}, "--timeout"},
      {{"bench", list, "--sites", (directory_ / "nope.toml").string()}, "nope.toml"},
      {{"get", "--strategy", "pool:abc", "http://one.test/"}, "pool:abc"},
      {{"get", "--connect-to", "nonsense", "http://one.test/"}, "--connect-to"},
      {{"bench", "--no-such-flag"}, "no-such-flag"},
      {{"frobnicate"}, "frobnicate"},
  };
  for (const auto& bad : cases) {
    std::vector<std::string> arguments = {FETCHER_CLI_PATH};
    arguments.insert(arguments.end(), bad.arguments.begin(), bad.arguments.end());
    const auto outcome = run_process(arguments);
    EXPECT_EQ(outcome.exit_code, 2) << bad.expected << ": " << outcome.err;
    EXPECT_NE(outcome.err.find(bad.expected), std::string::npos) << outcome.err;
    EXPECT_EQ(count_lines(outcome.err), 1) << outcome.err;
    EXPECT_TRUE(outcome.out.empty()) << outcome.out;
  }
}

TEST_F(CliTest, GetPrintsOneLinePerUrlAndSavesSafely) {
  testing::TestOrigin origin(sites);
  const auto options = origin.client_options();
  const auto out_dir = directory_ / "bodies";
  const auto outcome = run_process(
      {FETCHER_CLI_PATH, "get", "--connect-to", ":80:127.0.0.1:" + std::to_string(origin.server().http_port()),
       "--connect-to", ":443:127.0.0.1:" + std::to_string(origin.server().https_port()), "--cacert",
       origin.server().ca_file(), "-o", out_dir.string(), "http://one.test/../../etc/passwd",
       "https://two.test/", "http://unknown.test/", "--json"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  ASSERT_EQ(count_lines(outcome.out), 3) << outcome.out;
  std::istringstream lines(outcome.out);
  std::string line;
  int ok = 0;
  while (std::getline(lines, line)) ok += nlohmann::json::parse(line).at("ok").get<bool>() ? 1 : 0;
  EXPECT_EQ(ok, 2);
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory_)) {
    if (entry.is_regular_file()) {
      ++files;
      EXPECT_EQ(entry.path().parent_path(), out_dir) << entry.path();
    }
  }
  EXPECT_EQ(files, 2);
}

TEST_F(CliTest, HelpAndVersionExitZero) {
  EXPECT_EQ(run_process({FETCHER_CLI_PATH, "--help"}).exit_code, 0);
  EXPECT_EQ(run_process({FETCHER_CLI_PATH, "bench", "--help"}).exit_code, 0);
  const auto version = run_process({FETCHER_CLI_PATH, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("fetcher"), std::string::npos);
}

}  // namespace
}  // namespace fetcher
