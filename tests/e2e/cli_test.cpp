// cli_test.cpp: the `fetcher` executable as a user runs it: bench on a small emulated list,
// get against an origin the test starts, and bad input giving one clear line and exit 2.
#include "text_lines.hpp"
#include "run_process.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

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
    directory_ =
        std::filesystem::temp_directory_path() / ("fetcher-cli-test-" + std::to_string(::getpid()) + "-" +
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

using testing::lines_of;

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

// Failing URLs cost nothing in the ideal, so they cannot push efficiency past 100%: a bad port
// fails at once, and a host the model lacks is no part of what the model predicts.
TEST_F(CliTest, BenchIdealCountsOnlyUrlsTheModelFetches) {
  const auto sites_file = write("sites.toml", sites);
  const auto list =
      write("list.txt", "http://one.test/a\nhttp://one.test:99999/\nhttp://one.test:0/\nhttp://unmodelled.test/\n");
  const auto outcome = run_process(
      {FETCHER_CLI_PATH, "bench", list, "--sites", sites_file, "--strategies", "sequential,async", "--format", "json"});
  ASSERT_EQ(outcome.exit_code, 1) << outcome.err;  // some URLs failed
  const auto json = nlohmann::json::parse(outcome.out);
  for (const auto& strategy : json.at("lists").at(0).at("strategies")) {
    EXPECT_NEAR(strategy.at("ideal_s").get<double>(), 0.030, 1e-6) << strategy.dump();
    EXPECT_LE(strategy.at("efficiency").get<double>(), 1.0) << strategy.dump();
  }
}

// A run where every URL failed claims no agreement, no speedup and draws no wall chart.
TEST_F(CliTest, BenchWhereEveryUrlFailedWithholdsAgreementSpeedupAndChart) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("list.txt", "http://one.test:99999/\nhttp://one.test:0/\n");
  const std::vector<std::string> base = {FETCHER_CLI_PATH,   "bench",   list,   "--sites", sites_file, "--strategies",
                                         "sequential,async", "--color", "never"};
  const auto table = run_process(base);
  EXPECT_EQ(table.exit_code, 1) << table.err;
  EXPECT_NE(table.out.find("agreement: not checked, no URL was fetched by any strategy"), std::string::npos)
      << table.out;
  EXPECT_EQ(table.out.find("agreed"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("1.00x"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("wall time: not charted, no URL was fetched by any strategy"), std::string::npos)
      << table.out;
  auto arguments = base;
  arguments.insert(arguments.end(), {"--format", "json"});
  const auto json = nlohmann::json::parse(run_process(arguments).out).at("lists").at(0);
  EXPECT_TRUE(json.at("agree").is_null()) << json.dump();
  EXPECT_EQ(json.at("fetched_urls"), 0);
  for (const auto& strategy : json.at("strategies")) EXPECT_TRUE(strategy.at("speedup").is_null()) << strategy.dump();
}

// The first five failures are named, the rest counted, and the JSON report carries them all.
TEST_F(CliTest, BenchNamesFiveFailuresAndCountsTheRest) {
  const auto sites_file = write("sites.toml", sites);
  std::string text = "http://one.test/a\n";
  for (int i = 0; i < 7; ++i) text += "http://one.test:0/" + std::to_string(i) + "\n";
  const auto list = write("list.txt", text);
  const std::vector<std::string> base = {FETCHER_CLI_PATH, "bench",           list, "--sites", sites_file,
                                         "--strategies",   "sequential,async"};
  const auto table = run_process(base);
  EXPECT_EQ(table.exit_code, 1) << table.err;
  std::size_t named = 0;
  for (std::size_t at = table.err.find("failed: /"); at != std::string::npos;
       at = table.err.find("failed: /", at + 1)) {
    ++named;
  }
  EXPECT_EQ(named, 5u) << table.err;
  EXPECT_NE(table.err.find("list.txt:2: bad port in URL: http://one.test:0/0 (2 times)\n"), std::string::npos)
      << table.err;
  EXPECT_NE(table.err.find("failed: and 2 more (see --format json)\n"), std::string::npos) << table.err;
  auto arguments = base;
  arguments.insert(arguments.end(), {"--format", "json"});
  const auto json = nlohmann::json::parse(run_process(arguments).out).at("lists").at(0);
  ASSERT_EQ(json.at("failures").size(), 7u) << json.dump();
  EXPECT_EQ(json.at("failures").at(6).at("count"), 2);
  EXPECT_NE(json.at("failures").at(6).at("message").get<std::string>().find("http://one.test:0/6"), std::string::npos);
}

// Hosts the sites file does not model are named before the run, in one line on stderr.
TEST_F(CliTest, BenchWarnsOfHostsTheOriginDoesNotModel) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("list.txt",
                          "http://one.test/a\nhttp://a.example/\nhttp://b.example/\nhttps://B.example/x\n"
                          "http://c.example/\nhttp://d.example/\nhttp://one.test:0/\n");
  const auto outcome =
      run_process({FETCHER_CLI_PATH, "bench", list, "--sites", sites_file, "--strategies", "sequential"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  const std::string warning =
      "fetcher: warning: 5 URLs are on hosts the emulated origin does not model (a.example, b.example, c.example "
      "and 1 more); use --live or add them to a sites file\n";
  const auto at = outcome.err.find(warning);
  ASSERT_NE(at, std::string::npos) << outcome.err;
  EXPECT_LT(at, outcome.err.find("failed:")) << outcome.err;  // before the run, not after it

  const auto modelled = write("modelled.txt", "http://one.test/a\nhttps://two.test/home\n");
  const auto quiet =
      run_process({FETCHER_CLI_PATH, "bench", modelled, "--sites", sites_file, "--strategies", "sequential"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("does not model"), std::string::npos) << quiet.err;
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
  const auto outcome =
      run_process({FETCHER_CLI_PATH, "bench", list, "--sites", sites_file, "--strategies", "async", "--format", "csv"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  EXPECT_NE(outcome.err.find("junk.txt:2: not a URL"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("junk.txt:3: unsupported scheme"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.out.find(",2,2,"), std::string::npos) << outcome.out;  // ok=2, failed=2
}

// Escape bytes in a list file reach the terminal escaped, in get's URL column as in its message.
TEST_F(CliTest, GetEscapesControlBytesFromTheList) {
  const auto list = write("list.txt", "\x1b]0;owned\x07http://one.test/\n");
  const auto outcome = run_process({FETCHER_CLI_PATH, "get", "-i", list, "--color", "never"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  EXPECT_EQ(outcome.out.find('\x1b'), std::string::npos) << outcome.out;
  EXPECT_EQ(outcome.out.find('\x07'), std::string::npos) << outcome.out;
  EXPECT_EQ(outcome.err.find('\x1b'), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.out.find("  \\x1b]0;owned\\x07http://one.test/  "), std::string::npos) << outcome.out;
}

// Saved bodies are numbered to the width of the URL count, so they sort in list order, and the
// path each went to is in its line and its JSON record.
TEST_F(CliTest, GetNumbersSavedBodiesInListOrderAndNamesThePath) {
  testing::TestOrigin origin(sites);
  std::string text;
  for (int i = 1; i <= 10; ++i) text += "http://one.test/" + std::to_string(i) + "\n";
  const auto list = write("list.txt", text);
  const auto out_dir = directory_ / "bodies";
  std::vector<std::string> arguments = {FETCHER_CLI_PATH,
                                        "get",
                                        "--connect-to",
                                        ":80:127.0.0.1:" + std::to_string(origin.server().http_port()),
                                        "-i",
                                        list,
                                        "--save",
                                        out_dir.string(),
                                        "--color",
                                        "never"};
  const auto table = run_process(arguments);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("http://one.test/2  saved " + (out_dir / "02-one.test_2").string() + "\n"),
            std::string::npos)
      << table.out;
  EXPECT_TRUE(std::filesystem::is_regular_file(out_dir / "10-one.test_10"));
  std::filesystem::remove_all(out_dir);

  arguments.insert(arguments.end(), {"--format", "json"});
  const auto json = run_process(arguments);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  std::istringstream lines(json.out);
  std::string line;
  std::vector<std::string> saved;
  while (std::getline(lines, line)) saved.push_back(nlohmann::json::parse(line).at("saved").get<std::string>());
  std::sort(saved.begin(), saved.end());
  ASSERT_EQ(saved.size(), 10u);
  for (int i = 1; i <= 10; ++i) {
    const auto number = (i < 10 ? "0" : "") + std::to_string(i);
    const auto expected = (out_dir / (number + "-one.test_" + std::to_string(i))).string();
    EXPECT_EQ(saved[i - 1], expected);
    EXPECT_TRUE(std::filesystem::is_regular_file(expected)) << expected;
  }
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
      {{"get", "--format", "csv", "http://one.test/"}, "--format: expected table or json, not 'csv'"},
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
       origin.server().ca_file(), "--save", out_dir.string(), "http://one.test/../../etc/passwd", "https://two.test/",
       "http://unknown.test/", "--format", "json"});
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
  const auto help = run_process({FETCHER_CLI_PATH, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Examples:"), std::string::npos) << help.out;
  for (const char* command : {"bench", "get", "serve"}) {
    const auto sub = run_process({FETCHER_CLI_PATH, command, "--help"});
    EXPECT_EQ(sub.exit_code, 0) << command;
    EXPECT_NE(sub.out.find("Examples:"), std::string::npos) << command << ": " << sub.out;
  }
  const auto version = run_process({FETCHER_CLI_PATH, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("fetcher 0.", 0), 0u) << version.out;
  EXPECT_NE(version.out.find("Boost"), std::string::npos) << version.out;
}

// Columns a line takes on a terminal: UTF-8 code points, escape sequences not counted.
std::size_t columns_of(const std::string& line) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\033') {
      while (i < line.size() && line[i] != 'm') ++i;
    } else if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) {
      ++columns;
    }
  }
  return columns;
}

TEST_F(CliTest, BenchTableBarsHistogramAndReadingFit80Columns) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("list.txt", "http://one.test/a\nhttp://one.test/b\nhttps://two.test/home\n");
  const auto report = (directory_ / "report.html").string();
  const auto outcome = run_process({FETCHER_CLI_PATH, "bench", list, "--sites", sites_file, "--strategies",
                                    "sequential,threads,pool:1,pool:2,async", "--explain", "--report", report});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  std::istringstream lines(outcome.out);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(columns_of(line), 80u) << "[" << line << "]";
  for (const char* piece : {"* fastest:", "origin saw per strategy: one.test 2 req", "wall time: # ideal",
                            "latency of async, 3 fetches", "reading list.txt:\n- "}) {
    EXPECT_NE(outcome.out.find(piece), std::string::npos) << piece << "\n" << outcome.out;
  }
  // Not a terminal: no progress line, no colour.
  EXPECT_EQ(outcome.err.find('\r'), std::string::npos) << outcome.err;
  EXPECT_EQ(outcome.out.find('\033'), std::string::npos);
  std::ifstream html_file(report);
  const std::string html((std::istreambuf_iterator<char>(html_file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(std::count(html.begin(), html.end(), '\n') > 10, true);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Reading the results"), std::string::npos);
}

TEST_F(CliTest, ColourFollowsTheFlagAndNoChartsLeavesTheTable) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("list.txt", "http://one.test/a\n");
  const std::vector<std::string> base = {FETCHER_CLI_PATH, "bench",           list, "--sites", sites_file,
                                         "--strategies",   "sequential,async"};
  auto with = [&](std::vector<std::string> extra) {
    auto arguments = base;
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return run_process(arguments);
  };
  const auto always = with({"--color", "always"});
  EXPECT_NE(always.out.find("\033["), std::string::npos) << always.out;
  const auto never = with({"--color", "never", "--no-charts"});
  EXPECT_EQ(never.out.find("\033["), std::string::npos) << never.out;
  EXPECT_EQ(never.out.find("wall time:"), std::string::npos) << never.out;
  EXPECT_NE(never.out.find("all strategies agreed"), std::string::npos) << never.out;
  const auto histogram = with({"--histogram", "sequential"});
  EXPECT_NE(histogram.out.find("latency of sequential"), std::string::npos) << histogram.out;
  const auto bad = with({"--histogram", "pool:4"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "fetcher: --histogram: 'pool:4' is not among the strategies run\n");
  const auto bad_color = with({"--color", "rainbow"});
  EXPECT_EQ(bad_color.exit_code, 2);
  EXPECT_NE(bad_color.err.find("--color"), std::string::npos);
  const auto bad_huge_pages = with({"--huge-pages", "sometimes"});
  EXPECT_EQ(bad_huge_pages.exit_code, 2);
  EXPECT_NE(bad_huge_pages.err.find("--huge-pages"), std::string::npos) << bad_huge_pages.err;
  // Asked for on a one-URL list, huge pages are named in the list's header and the run works.
  const auto huge = with({"--huge-pages", "on", "--no-charts"});
  EXPECT_EQ(huge.exit_code, 0) << huge.err;
  EXPECT_NE(huge.out.find("heap on huge pages"), std::string::npos) << huge.out;
  EXPECT_EQ(never.out.find("heap on huge pages"), std::string::npos) << never.out;
}

// CSV and JSON as scripts read them: Python's csv and json modules.
TEST_F(CliTest, CsvAndJsonParseWithPythonsModules) {
  if (run_process({"/usr/bin/env", "python3", "-c", "import csv, json"}).exit_code != 0) {
    GTEST_SKIP() << "python3 is not installed";
  }
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("a,list.txt", "http://one.test/a\nhttps://two.test/home\n");
  const auto csv_file = (directory_ / "out.csv").string();
  const auto json_file = (directory_ / "out.json").string();
  const std::vector<std::string> base = {
      FETCHER_CLI_PATH, "bench", list, "--sites", sites_file, "--strategies", "sequential,pool:2,async", "--explain"};
  auto csv_run = base;
  csv_run.insert(csv_run.end(), {"--format", "csv", "--output", csv_file});
  ASSERT_EQ(run_process(csv_run).exit_code, 0);
  auto json_run = base;
  json_run.insert(json_run.end(), {"--format", "json", "--output", json_file});
  ASSERT_EQ(run_process(json_run).exit_code, 0);
  const std::string script = R"(
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 3, rows
assert [r["strategy"] for r in rows] == ["sequential", "pool:2", "async"], rows
for r in rows:
    assert r["list"] == "a,list.txt", r
    assert float(r["wall_s"]) > 0 and float(r["ideal_s"]) > 0 and int(r["ok"]) == 2, r
report = json.load(open(sys.argv[2]))
assert report["version"] == 1
only = report["lists"][0]
assert [s["strategy"] for s in only["strategies"]] == ["sequential", "pool:2", "async"]
assert all(isinstance(p, str) and p for p in only["explanation"]), only["explanation"]
print("parsed")
)";
  const auto parsed = run_process({"/usr/bin/env", "python3", "-c", script, csv_file, json_file});
  EXPECT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_EQ(parsed.out, "parsed\n");
}

TEST_F(CliTest, GetLinesAlignAndEndWithASummary) {
  testing::TestOrigin origin(sites);
  const std::vector<std::string> base = {FETCHER_CLI_PATH,
                                         "get",
                                         "--connect-to",
                                         ":80:127.0.0.1:" + std::to_string(origin.server().http_port()),
                                         "--connect-to",
                                         ":443:127.0.0.1:" + std::to_string(origin.server().https_port()),
                                         "--cacert",
                                         origin.server().ca_file(),
                                         "--strategy",
                                         "sequential",
                                         "http://one.test/",
                                         "https://two.test/",
                                         "http://127.0.0.1:" + std::to_string(testing::closed_port()) + "/"};
  const auto outcome = run_process(base);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  std::istringstream lines(outcome.out);
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  ASSERT_EQ(all.size(), 3u) << outcome.out;
  EXPECT_EQ(all[0].rfind("200 ", 0), 0u) << all[0];
  EXPECT_NE(all[1].find(" -> https://two.test/home"), std::string::npos) << all[1];
  EXPECT_EQ(all[2].rfind("ERR          -", 0), 0u) << all[2];
  EXPECT_NE(all[2].find("  connect: "), std::string::npos) << all[2];
  // The URL column starts at the same place on every line.
  const auto url_column = all[0].find("http");
  for (const auto& each : all) EXPECT_EQ(each.find("http"), url_column) << each;
  EXPECT_NE(outcome.err.find("3 URLs in "), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("(sequential): 2 ok, 1 failed (1 connect)"), std::string::npos) << outcome.err;
  auto quiet = base;
  quiet.push_back("-q");
  EXPECT_EQ(run_process(quiet).err, "");
}

// `duration` in seconds for coreutils timeout ("1.500").
std::string timeout_seconds(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  const std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
  return std::to_string(ms / 1000) + "." + fraction;
}

// Ctrl-C mid-run: what finished is printed, the rest is counted as cancelled, exit 130, at once.
// The times are stretched under TSan (sanitizer_scale.hpp): a TSan-built `fetcher` is slow
// to start, and the fast URLs must be done before the signal comes.
TEST_F(CliTest, GetInterruptedPrintsWhatFinishedAndExits130) {
  testing::TestOrigin origin(R"(
[[site]]
host = "fast.test"
latency_ms = 5
body_bytes = 100

[[site]]
host = "stalled.test"
latency_ms = 20000
body_bytes = 100
)");
  const auto started = std::chrono::steady_clock::now();
  // coreutils timeout sends SIGINT after 1.5 s (scaled) and, with --preserve-status, exits as the
  // child did.
  const auto outcome = run_process(
      {"/usr/bin/timeout", "--preserve-status", "-s", "INT",
       timeout_seconds(testing::scaled(std::chrono::milliseconds(1500))), FETCHER_CLI_PATH, "get", "--connect-to",
       ":80:127.0.0.1:" + std::to_string(origin.server().http_port()), "--strategy", "pool:4", "http://fast.test/1",
       "http://stalled.test/", "http://fast.test/2", "http://stalled.test/2", "http://fast.test/3"});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(outcome.exit_code, 130) << outcome.out << outcome.err;
  EXPECT_LT(took, testing::scaled(std::chrono::milliseconds(10000)));
  EXPECT_EQ(count_lines(outcome.out), 3) << outcome.out;
  EXPECT_EQ(outcome.out.find("stalled.test"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.err.find("5 URLs in "), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("3 ok, 2 failed (2 cancelled)"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("(interrupted)"), std::string::npos) << outcome.err;
}

TEST_F(CliTest, HttpsToHttpRedirectIsRefusedUnlessAllowed) {
  testing::TestOrigin origin(R"(
[[site]]
host = "secure.test"
latency_ms = 1
body_bytes = 100
redirect = "http://plain.test/"

[[site]]
host = "plain.test"
latency_ms = 1
body_bytes = 100
)");
  const std::vector<std::string> base = {FETCHER_CLI_PATH,
                                         "get",
                                         "-q",
                                         "--connect-to",
                                         ":80:127.0.0.1:" + std::to_string(origin.server().http_port()),
                                         "--connect-to",
                                         ":443:127.0.0.1:" + std::to_string(origin.server().https_port()),
                                         "--cacert",
                                         origin.server().ca_file(),
                                         "https://secure.test/"};
  const auto refused = run_process(base);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.out.find("https to plain http"), std::string::npos) << refused.out;
  auto allowed_arguments = base;
  allowed_arguments.push_back("--allow-https-downgrade");
  const auto allowed = run_process(allowed_arguments);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_NE(allowed.out.find("http://plain.test/"), std::string::npos) << allowed.out;
}

// Ctrl-C in the bench: the strategy being measured is dropped, the finished ones are printed.
// The signal goes to the bench alone (coreutils timeout), so the bench must end its child itself.
TEST_F(CliTest, BenchInterruptedPrintsTheFinishedStrategiesAndExits130) {
  const auto list = write("slow.txt", "http://slow.test/1\nhttp://slow.test/2\nhttp://slow.test/3\n");
  // Times stretched under TSan, as above.
  const auto latency = testing::scaled(std::chrono::milliseconds(1500));
  const auto sites_file =
      write("slow.toml",
            "[[site]]\nhost = \"slow.test\"\nlatency_ms = " + std::to_string(latency.count()) + "\nbody_bytes = 10\n");
  const auto started = std::chrono::steady_clock::now();
  // Interrupted at 2.5 latencies: async is done by then even when start-up (the origin's
  // certificates, slow under ASan on a busy machine) takes a second; sequential, at least three
  // latencies after async, cannot be.
  const auto outcome = run_process({"/usr/bin/timeout", "--preserve-status", "-s", "INT",
                                    timeout_seconds(5 * latency / 2), FETCHER_CLI_PATH, "bench", list, "--sites",
                                    sites_file, "--strategies", "async,sequential", "--no-charts"});
  EXPECT_EQ(outcome.exit_code, 130) << outcome.out << outcome.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4 * latency);  // sequential alone is 3 latencies
  EXPECT_NE(outcome.out.find("  async "), std::string::npos) << outcome.out;
  EXPECT_EQ(outcome.out.find("sequential"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.err.find("interrupted"), std::string::npos) << outcome.err;
}

// --runs: the table says the wall is a median and gives each spread; the JSON has every run.
TEST_F(CliTest, BenchRunsShowTheMedianAndItsSpread) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("list.txt", "http://one.test/a\nhttp://two.test/\n");
  const std::vector<std::string> base = {FETCHER_CLI_PATH,   "bench",  list, "--sites",    sites_file, "--strategies",
                                         "sequential,async", "--runs", "3",  "--no-charts"};
  const auto table = run_process(base);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  const auto lines = lines_of(table.out);
  ASSERT_GE(lines.size(), 2u) << table.out;
  EXPECT_EQ(lines[1], "wall: median of 3 runs +- the farthest run") << table.out;
  std::size_t rows = 0;
  for (const auto& line : lines) {
    if (line.find("sequential ") != 2 && line.find("async ") != 2) continue;
    ++rows;
    EXPECT_TRUE(std::regex_search(line, std::regex(R"( [0-9.]+ \+-[0-9.]+ (us|ms|s) )"))) << line;
  }
  EXPECT_EQ(rows, 2u) << table.out;
  auto arguments = base;
  arguments.insert(arguments.end(), {"--format", "json"});
  const auto json = nlohmann::json::parse(run_process(arguments).out).at("lists").at(0);
  for (const auto& strategy : json.at("strategies")) {
    const auto runs = strategy.at("wall_runs_s").get<std::vector<double>>();
    ASSERT_EQ(runs.size(), 3u);
    EXPECT_DOUBLE_EQ(strategy.at("wall_s").get<double>(), runs[1]);
    // Each figure is rounded to six digits in the JSON.
    EXPECT_NEAR(strategy.at("wall_spread_s").get<double>(), std::max(runs[1] - runs[0], runs[2] - runs[1]), 1e-6);
  }
}

// Sizes: KB is 1000 bytes and KiB 1024 on input; what is printed is labelled in IEC units.
TEST_F(CliTest, SizesReadSiAndIecAndPrintIec) {
  const auto bytes_fetched = [](const std::string& body) {
    const auto outcome = run_process({FETCHER_CLI_PATH, "bench", "--synthetic", "3", "--hosts", "1", "--latency", "0ms",
                                      "--body", body, "--strategies", "async", "--format", "json"});
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    return nlohmann::json::parse(outcome.out).at("lists").at(0).at("strategies").at(0).at("bytes").get<long>();
  };
  EXPECT_EQ(bytes_fetched("2KB"), 3 * 2000);
  EXPECT_EQ(bytes_fetched("2KiB"), 3 * 2048);
  const auto table = run_process({FETCHER_CLI_PATH, "bench", "--synthetic", "3", "--hosts", "1", "--latency", "0ms",
                                  "--body", "31500", "--strategies", "async", "--no-charts"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("1 host, 0 ms, 30.8 KiB, capacity unlimited"), std::string::npos) << table.out;
  const auto bad = run_process({FETCHER_CLI_PATH, "bench", "--synthetic", "3", "--hosts", "1", "--body", "2KX"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "fetcher: --body: bad size '2KX' (use B, KB, MB, GB, KiB, MiB or GiB)\n");
}

// Every number in a JSON text is a value of at most six significant digits: the double that
// "%.6g" prints and reads back. (nlohmann's float printer, Grisu2, is not always the shortest:
// about one value in six hundred, 0.0577674 among them, prints with 17 digits though it is that
// same double.)
void expect_rounded_numbers(const std::string& text) {
  const std::regex number(R"([-:\[, ]([0-9]+\.[0-9]+(e[-+]?[0-9]+)?))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it) {
    const double value = std::strtod((*it)[1].str().c_str(), nullptr);
    char six[40];
    std::snprintf(six, sizeof six, "%.6g", value);
    EXPECT_EQ(std::strtod(six, nullptr), value) << (*it)[0].str();
  }
}

// The JSON reports say which run made them: version, start, command line, machine, options;
// floats are rounded, and the origin's block names only hosts the list touched.
TEST_F(CliTest, JsonReportsCarryTheRunsMetadataAndRoundedFloats) {
  const auto sites_file =
      write("sites.toml", std::string(sites) + "\n[[site]]\nhost = \"unused.test\"\nlatency_ms = 5\n");
  const auto list = write("list.txt", "http://one.test/a\nhttp://two.test/\n");
  const std::vector<std::string> arguments = {FETCHER_CLI_PATH, "bench",     list,     "--sites", sites_file,
                                              "--strategies",   "async",     "--runs", "2",       "--format",
                                              "json",           "--retries", "1"};
  const auto before = std::chrono::system_clock::now() - std::chrono::seconds(1);
  const auto outcome = run_process(arguments);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  expect_rounded_numbers(outcome.out);
  const auto json = nlohmann::json::parse(outcome.out);
  const auto& metadata = json.at("metadata");
  const auto version = run_process({FETCHER_CLI_PATH, "--version"}).out;
  EXPECT_EQ("fetcher " + metadata.at("version").get<std::string>(), version.substr(0, version.find('\n')));
  EXPECT_EQ(metadata.at("tool"), "fetcher");
  EXPECT_EQ(metadata.at("command_line").get<std::vector<std::string>>(), arguments);
  const auto started = metadata.at("started").get<std::string>();
  ASSERT_TRUE(std::regex_match(started, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << started;
  std::tm utc{};
  std::istringstream(started) >> std::get_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
  const auto started_at = std::chrono::system_clock::from_time_t(::timegm(&utc));
  EXPECT_GE(started_at, before);
  EXPECT_LE(started_at, std::chrono::system_clock::now());
  EXPECT_FALSE(metadata.at("host").at("cpu_model").get<std::string>().empty());
  EXPECT_GE(metadata.at("host").at("cores").get<unsigned>(), 1u);
  EXPECT_EQ(metadata.at("host").at("kernel").get<std::string>().rfind("Linux ", 0), 0u);
  const auto& options = metadata.at("options");
  EXPECT_EQ(options.at("runs"), 2);
  EXPECT_EQ(options.at("strategies"), "async");
  EXPECT_EQ(options.at("lists"), nlohmann::json::array({list}));
  EXPECT_EQ(options.at("sites"), sites_file);
  EXPECT_EQ(options.at("client").at("retries"), 1);
  EXPECT_EQ(options.at("client").at("connect-timeout"), "5s");
  // The sites file has three hosts; the list touched two.
  const auto& origin = json.at("lists").at(0).at("strategies").at(0).at("origin");
  ASSERT_EQ(origin.size(), 2u) << origin.dump();
  for (const auto& host : origin) EXPECT_NE(host.at("host"), "unused.test");

  // get --format json: one record per URL, its floats rounded too.
  testing::TestOrigin server(sites);
  const auto get = run_process({FETCHER_CLI_PATH, "get", "--format", "json", "--connect-to",
                                ":80:127.0.0.1:" + std::to_string(server.server().http_port()), "http://one.test/a"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  expect_rounded_numbers(get.out);
  EXPECT_GT(nlohmann::json::parse(get.out).at("total_ms").get<double>(), 0.0);

  // load --format json: the same metadata, with load's options.
  const auto load = run_process({FETCHER_CLI_PATH, "load", "--format", "json", "-c", "2", "-n", "20", "--connect-to",
                                 ":80:127.0.0.1:" + std::to_string(server.server().http_port()), "http://one.test/a"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  expect_rounded_numbers(load.out);
  const auto load_json = nlohmann::json::parse(load.out);
  EXPECT_EQ(load_json.at("metadata").at("options").at("connections"), "2");
  EXPECT_EQ(load_json.at("metadata").at("options").at("url"), "http://one.test/a");
  EXPECT_EQ(load_json.at("metadata").at("command_line").at(1), "load");
}

// With stderr not a terminal, a plain progress line per strategy; -q silences it.
TEST_F(CliTest, BenchProgressIsALinePerStrategyWhenStderrIsNotATerminal) {
  const auto sites_file = write("sites.toml", sites);
  const auto list = write("list.txt", "http://one.test/a\nhttp://two.test/\n");
  const std::vector<std::string> base = {FETCHER_CLI_PATH,   "bench",      list, "--sites", sites_file, "--strategies",
                                         "sequential,async", "--no-charts"};
  const auto outcome = run_process(base);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto lines = lines_of(outcome.err);
  ASSERT_EQ(lines.size(), 2u) << outcome.err;
  const std::regex first(R"(progress: 1/2 list\.txt sequential [0-9.]+ ms; 0:0[0-9] elapsed, ~0:0[0-9] left)");
  EXPECT_TRUE(std::regex_match(lines[0], first)) << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex(R"(progress: 2/2 list\.txt async [0-9.]+ ms; 0:0[0-9] elapsed)")))
      << lines[1];
  EXPECT_EQ(outcome.err.find('\r'), std::string::npos);
  auto quiet = base;
  quiet.push_back("-q");
  EXPECT_EQ(run_process(quiet).err, "");
}

// A bench whose ideal total passes a minute says how long it will take before it starts.
TEST_F(CliTest, LongBenchSaysHowLongItTakesBeforeItStarts) {
  const auto sites_file = write("slow.toml", "[[site]]\nhost = \"slow.test\"\nlatency_ms = 61000\nbody_bytes = 10\n");
  const auto list = write("list.txt", "http://slow.test/\n");
  const std::vector<std::string> base = {
      "/usr/bin/timeout", "--preserve-status", "-s",           "INT",  "2", FETCHER_CLI_PATH, "bench", list,
      "--sites",          sites_file,          "--strategies", "async"};
  const auto outcome = run_process(base);
  EXPECT_EQ(outcome.exit_code, 130) << outcome.err;
  EXPECT_EQ(outcome.err.rfind("fetcher: this bench takes at least 1:01 (the sites' ideal time of its 1 measurement); "
                              "Ctrl-C stops it and prints what finished\n",
                              0),
            0u)
      << outcome.err;
  auto quiet = base;
  quiet.push_back("-q");
  EXPECT_EQ(run_process(quiet).err.find("takes at least"), std::string::npos);
}

// The version line carries project()'s version; the rest name what the binary was built with.
TEST_F(CliTest, VersionNamesTheProjectBoostOpensslAndCompiler) {
  std::ifstream cmake_lists(std::string(FETCHER_SOURCE_DIR) + "/CMakeLists.txt");
  const std::string cmake_text((std::istreambuf_iterator<char>(cmake_lists)), std::istreambuf_iterator<char>());
  std::smatch project;
  ASSERT_TRUE(std::regex_search(cmake_text, project, std::regex(R"(project\(fetcher VERSION ([0-9.]+))")));
  const auto version = run_process({FETCHER_CLI_PATH, "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  const auto lines = lines_of(version.out);
  ASSERT_EQ(lines.size(), 4u) << version.out;
  EXPECT_EQ(lines[0], "fetcher " + project[1].str());
  EXPECT_TRUE(std::regex_match(lines[1], std::regex(R"(Boost 1\.[0-9]+(\.[0-9]+)?)"))) << lines[1];
  EXPECT_TRUE(std::regex_match(lines[2], std::regex(R"(OpenSSL [0-9]+\.[0-9]+\.[0-9]+.*)"))) << lines[2];
  EXPECT_TRUE(std::regex_match(lines[3], std::regex(R"((GCC|.*[Cc]lang) .*[0-9]+\.[0-9]+.*, C\+\+20)"))) << lines[3];
}

// The commands `fetcher --help` lists, then each one's flags as its --help prints them.
std::vector<std::string> commands_in_help() {
  const auto help = run_process({FETCHER_CLI_PATH, "--help"}).out;
  std::vector<std::string> commands;
  bool in_block = false;
  for (const auto& line : lines_of(help)) {
    if (line == "Subcommands:") {
      in_block = true;
    } else if (in_block && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      commands.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (in_block && line.rfind("   ", 0) == 0) {
      continue;  // a description wrapped onto the next line
    } else if (in_block) {
      break;
    }
  }
  return commands;
}

// Help with each wrapped description joined back onto its flag's line.
std::string unwrapped_help(std::string help) {
  const std::string continuation = "\n" + std::string(32, ' ');
  for (auto at = help.find(continuation); at != std::string::npos; at = help.find(continuation, at)) {
    help.replace(at, continuation.size(), " ");
  }
  return help;
}

std::set<std::string> flags_in_help(const std::vector<std::string>& arguments) {
  std::set<std::string> flags;
  for (const auto& line : lines_of(run_process(arguments).out)) {
    if (line.rfind("  -", 0) != 0) continue;
    // "  -q,--quiet   ...", "  --runs N   ...": the names come first.
    const auto names = line.substr(2, line.find_first_of(" ={", 2) - 2);
    std::stringstream split(names);
    for (std::string name; std::getline(split, name, ',');) flags.insert(name);
  }
  return flags;
}

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// The bash completion's flags of one command: its _fetcher_COMMAND_flags variable, with the
// shared client flags expanded.
std::set<std::string> bash_completion_flags(const std::string& script, const std::string& command) {
  const auto value_of = [&](const std::string& variable) {
    const auto start = script.find("\n" + variable + "=\"");
    if (start == std::string::npos) return std::string();
    const auto open = start + variable.size() + 3;
    return script.substr(open, script.find('"', open) - open);
  };
  std::set<std::string> flags;
  std::stringstream words(value_of("_fetcher_" + command + "_flags"));
  for (std::string word; words >> word;) {
    if (word == "$_fetcher_client_flags") {
      std::stringstream client(value_of("_fetcher_client_flags"));
      for (std::string flag; client >> flag;) flags.insert(flag);
    } else {
      flags.insert(word);
    }
  }
  return flags;
}

// The completions are written by hand; this keeps them from drifting from the flags: every
// command of `fetcher --help` has its flags in the bash script, no more and no fewer, and each
// appears in the zsh script.
TEST_F(CliTest, ShellCompletionsListEveryCommandAndFlagOfTheHelp) {
  const auto bash = read_text(std::string(FETCHER_SOURCE_DIR) + "/cli/completions/fetcher.bash");
  const auto zsh = read_text(std::string(FETCHER_SOURCE_DIR) + "/cli/completions/_fetcher");
  ASSERT_FALSE(bash.empty());
  ASSERT_FALSE(zsh.empty());
  const auto commands = commands_in_help();
  ASSERT_GE(commands.size(), 4u);
  std::string command_words;
  for (const auto& command : commands) command_words += (command_words.empty() ? "" : " ") + command;
  EXPECT_NE(bash.find("\n_fetcher_commands=\"" + command_words + "\"\n"), std::string::npos) << command_words;
  EXPECT_EQ(bash_completion_flags(bash, "top"), flags_in_help({FETCHER_CLI_PATH, "--help"}));
  const auto in_zsh = [&](const std::string& flag) {
    return std::regex_search(zsh, std::regex("[{',*]" + flag + "[\\[',}]"));
  };
  for (const auto& command : commands) {
    const auto help_flags = flags_in_help({FETCHER_CLI_PATH, command, "--help"});
    ASSERT_FALSE(help_flags.empty()) << command;
    EXPECT_EQ(bash_completion_flags(bash, command), help_flags) << command;
    EXPECT_NE(zsh.find("\n_fetcher_" + command + "() {"), std::string::npos) << command;
    EXPECT_NE(zsh.find("\n        " + command + ") _fetcher_" + command + " ;;"), std::string::npos) << command;
    for (const auto& flag : help_flags) EXPECT_TRUE(in_zsh(flag)) << command << " " << flag;
  }
}

// The bash completion, sourced into bash, offers commands, flags and the values of a flag.
TEST_F(CliTest, BashCompletionCompletesCommandsFlagsAndValues) {
  const auto complete = [](const std::string& words, int current) {
    const auto script = "source '" + std::string(FETCHER_SOURCE_DIR) + "/cli/completions/fetcher.bash'; COMP_WORDS=(" +
                        words + "); COMP_CWORD=" + std::to_string(current) + "; _fetcher; echo \"${COMPREPLY[*]}\"";
    return run_process({"/bin/bash", "-c", script}).out;
  };
  EXPECT_EQ(complete("fetcher b", 1), "bench\n");
  EXPECT_EQ(complete("fetcher bench --syn", 2), "--synthetic\n");
  EXPECT_EQ(complete("fetcher -v load --format ''", 4), "table json\n");
  EXPECT_EQ(complete("fetcher get --format ''", 3), "table json\n");
  EXPECT_EQ(complete("fetcher bench --format ''", 3), "table md csv json\n");
  EXPECT_EQ(complete("fetcher get --sa", 2), "--save\n");
  EXPECT_EQ(complete("fetcher get --keep-alive o", 3), "on off\n");
  EXPECT_EQ(complete("fetcher --ver", 1), "--version --verbose\n");
}

// `cmake --install` puts the command, its man page and both completions under the prefix.
TEST_F(CliTest, InstallPutsTheCommandManPageAndCompletionsInPlace) {
  const auto build_directory = std::filesystem::path(FETCHER_CLI_PATH).parent_path().parent_path();
  const auto cache = read_text((build_directory / "CMakeCache.txt").string());
  const bool has_help2man = cache.find("HELP2MAN_PROGRAM:FILEPATH=") != std::string::npos &&
                            cache.find("HELP2MAN_PROGRAM:FILEPATH=HELP2MAN_PROGRAM-NOTFOUND") == std::string::npos;
  const auto man_page = std::filesystem::path(FETCHER_CLI_PATH).parent_path() / "fetcher.1";
  if (has_help2man && !std::filesystem::exists(man_page)) {
    GTEST_SKIP() << "the man page is not built: build the fetcher_man target (or all) first";
  }
  const auto prefix = directory_ / "prefix";
  std::smatch cmake;
  ASSERT_TRUE(std::regex_search(cache, cmake, std::regex("CMAKE_COMMAND:INTERNAL=(.*)")));
  const auto install = run_process(
      {cmake[1].str(), "--install", build_directory.string(), "--prefix", prefix.string(), "--component", "cli"});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  const auto installed = run_process({(prefix / "bin/fetcher").string(), "--version"});
  EXPECT_EQ(installed.exit_code, 0) << installed.err;
  EXPECT_EQ(installed.out.rfind("fetcher ", 0), 0u) << installed.out;
  EXPECT_TRUE(std::filesystem::exists(prefix / "share/bash-completion/completions/fetcher"));
  EXPECT_TRUE(std::filesystem::exists(prefix / "share/zsh/vendor-completions/_fetcher"));
  if (!has_help2man) {
    std::cout << "help2man was not found when the build was configured: no man page to check\n";
    return;
  }
  const auto page = read_text((prefix / "share/man/man1/fetcher.1").string());
  EXPECT_NE(page.find(".TH FETCHER \"1\""), std::string::npos) << page.substr(0, 400);
  for (const auto& command : commands_in_help()) {
    EXPECT_NE(page.find(".SS \"fetcher " + command + "\""), std::string::npos) << command;
  }
  EXPECT_NE(page.find("--runs"), std::string::npos);
}

// Help reads like curl's: a placeholder after each flag that takes a value and the default in the
// description, never the parser's type names, "{false}" or "Needs:".
TEST_F(CliTest, HelpHasNoParserTypeNames) {
  std::vector<std::vector<std::string>> helps = {{FETCHER_CLI_PATH, "--help"}};
  for (const auto& command : commands_in_help()) helps.push_back({FETCHER_CLI_PATH, command, "--help"});
  ASSERT_GE(helps.size(), 6u);
  const std::regex noise(R"(\b(UINT|INT|TEXT|FLOAT|VALUE)\b|\{|Needs:)");
  for (const auto& arguments : helps) {
    const auto help = run_process(arguments);
    EXPECT_EQ(help.exit_code, 0) << arguments[1];
    for (const auto& line : lines_of(unwrapped_help(help.out))) {
      if (line.rfind("  -", 0) != 0) continue;  // the flag lines; the footers may show {..} in examples
      EXPECT_FALSE(std::regex_search(line, noise)) << arguments[1] << ": " << line;
    }
  }
  const auto bench = unwrapped_help(run_process({FETCHER_CLI_PATH, "bench", "--help"}).out);
  EXPECT_TRUE(std::regex_search(bench, std::regex(R"(\n  --runs N +Run each strategy N times.*\(default: 1\)\n)")))
      << bench;
  EXPECT_TRUE(std::regex_search(bench, std::regex(R"(\n  --latency DUR +.*\(default: 100ms\)\n)"))) << bench;
  EXPECT_TRUE(std::regex_search(bench, std::regex(R"(\n  --no-charts +No bars)"))) << bench;
}

// A misspelled flag: one lower-case line, the nearest flag of that command, its help, exit 2.
TEST_F(CliTest, MisspelledFlagSuggestsTheNearestOne) {
  const auto runs = run_process({FETCHER_CLI_PATH, "bench", "--runz", "3"});
  EXPECT_EQ(runs.exit_code, 2);
  EXPECT_EQ(runs.err, "fetcher: unknown flag --runz; did you mean --runs? (see fetcher bench --help)\n");
  EXPECT_TRUE(runs.out.empty()) << runs.out;
  const auto format = run_process({FETCHER_CLI_PATH, "get", "--fromat", "json", "http://one.test/"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_EQ(format.err, "fetcher: unknown flag --fromat; did you mean --format? (see fetcher get --help)\n");
  // An old spelling kept for a release is never suggested, and is no unknown flag beside one that is.
  const auto old = run_process({FETCHER_CLI_PATH, "get", "--jsn", "http://one.test/"});
  EXPECT_EQ(old.exit_code, 2);
  EXPECT_EQ(old.err, "fetcher: unknown flag --jsn (see fetcher get --help)\n");
  const auto beside = run_process({FETCHER_CLI_PATH, "get", "--json", "-o", "x", "--xyzzy", "http://one.test/"});
  EXPECT_EQ(beside.exit_code, 2);
  EXPECT_EQ(beside.err, "fetcher: unknown flag --xyzzy (see fetcher get --help)\n");
  // Nothing near: no suggestion, still the command's help.
  const auto far = run_process({FETCHER_CLI_PATH, "load", "--xyzzy", "http://one.test/"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_EQ(far.err, "fetcher: unknown flag --xyzzy (see fetcher load --help)\n");
  // Other parse errors start lower-case and point at the command's help too.
  const auto needs = run_process({FETCHER_CLI_PATH, "bench", "--hosts", "3"});
  EXPECT_EQ(needs.exit_code, 2);
  EXPECT_FALSE(std::isupper(static_cast<unsigned char>(needs.err.at(9)))) << needs.err;
  const auto range = run_process({FETCHER_CLI_PATH, "bench", "--runs", "0"});
  EXPECT_EQ(range.exit_code, 2);
  EXPECT_NE(range.err.find("(see fetcher bench --help)"), std::string::npos) << range.err;
  EXPECT_NE(needs.err.find("(see fetcher bench --help)"), std::string::npos) << needs.err;
}

// A file that cannot be written says why.
TEST_F(CliTest, CannotWriteGivesTheReason) {
  const auto missing = (directory_ / "no-such-dir" / "run.json").string();
  const auto outcome = run_process({FETCHER_CLI_PATH, "bench", "--synthetic", "3", "--hosts", "1", "--latency", "0ms",
                                    "--strategies", "sequential", "-q", "--output", missing});
  EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
  EXPECT_NE(outcome.err.find("run.json: cannot write: No such file or directory"), std::string::npos) << outcome.err;
}

// `get`'s progress line is for a terminal: with stderr a pipe only the summary is there; on a
// terminal (a pty from script(1)) the line is drawn and erased before the summary.
TEST_F(CliTest, GetProgressOnlyOnATerminal) {
  testing::TestOrigin origin(sites);
  std::string list_text;
  for (int i = 0; i < 25; ++i) list_text += "http://one.test/" + std::to_string(i) + "\n";
  const auto list = write("long.txt", list_text);
  const std::vector<std::string> arguments = {FETCHER_CLI_PATH,
                                              "get",
                                              "-i",
                                              list,
                                              "--connect-to",
                                              ":80:127.0.0.1:" + std::to_string(origin.server().http_port()),
                                              "--color",
                                              "never"};
  const auto piped = run_process(arguments);
  EXPECT_EQ(count_lines(piped.out), 25) << piped.out;
  EXPECT_EQ(count_lines(piped.err), 1) << piped.err;
  EXPECT_EQ(piped.err.find("URLs  "), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find('\r'), std::string::npos) << piped.err;

  if (!std::filesystem::exists("/usr/bin/script")) {
    std::cout << "script(1) not found (Debian: bsdutils): the terminal half is not checked\n";
    return;
  }
  std::string command;
  for (const auto& argument : arguments) command += "'" + argument + "' ";
  const auto on_terminal = run_process({"/usr/bin/script", "-qec", command + ">/dev/null", "/dev/null"});
  EXPECT_NE(on_terminal.out.find("25/25 URLs"), std::string::npos) << on_terminal.out;
  EXPECT_NE(on_terminal.out.find("\r\033[K"), std::string::npos) << on_terminal.out;
  const auto quiet_command = command + "-q >/dev/null";
  const auto quiet = run_process({"/usr/bin/script", "-qec", quiet_command, "/dev/null"});
  EXPECT_EQ(quiet.out.find("URLs  "), std::string::npos) << quiet.out;
}

// The README's bench paragraph names the flags a new user looks for, and each is one `bench --help` has.
TEST_F(CliTest, ReadmeBenchParagraphNamesTheReportingFlags) {
  const auto readme = read_text(std::string(FETCHER_SOURCE_DIR) + "/README.md");
  const auto start = readme.find("**`fetcher bench [LIST...]`**");
  ASSERT_NE(start, std::string::npos);
  const auto paragraph = readme.substr(start, readme.find("\n\n", start) - start);
  const auto bench_flags = flags_in_help({FETCHER_CLI_PATH, "bench", "--help"});
  for (const std::string flag : {"--report", "--histogram", "--color", "--explain", "-q", "--runs", "--format"}) {
    EXPECT_NE(paragraph.find("`" + flag), std::string::npos) << flag << " is not in: " << paragraph;
    EXPECT_EQ(bench_flags.count(flag), 1u) << flag;
  }
}

// On a 60-column terminal the bench table and its footers fit: columns are left out (and the
// output says so), no line is wider, and no word is broken (issue 21, item 17).
TEST_F(CliTest, BenchFitsANarrowTerminal) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/script"))
      << "script(1) (Debian: bsdutils) runs the bench on a terminal";
  const std::string command = std::string("COLUMNS=60 '") + FETCHER_CLI_PATH +
                              "' bench --synthetic 40 --hosts 4 --latency 2ms --strategies sequential,pool:4,async "
                              "--color never -q";
  const auto outcome = run_process({"/usr/bin/script", "-qec", command, "/dev/null"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.out;
  std::string text = outcome.out;
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  EXPECT_NE(text.find("narrow terminal: left out"), std::string::npos) << text;
  EXPECT_NE(text.find("SHA-256"), std::string::npos) << text;
  for (const auto& line : lines_of(text)) {
    // Columns as a terminal counts them: one per UTF-8 character (the output has no wide ones).
    const auto columns = std::count_if(line.begin(), line.end(), [](char c) { return (c & 0xC0) != 0x80; });
    EXPECT_LE(columns, 60) << line;
  }
}

// The flags docs/cli.md names in a section's text: every `-x` or `--name` in backquotes.
std::set<std::string> flags_in_markdown(const std::string& text) {
  std::set<std::string> flags;
  static const std::regex code("`([^`\n]*)`");
  static const std::regex flag(R"((?:^|[\s,(\[])(--?[A-Za-z][A-Za-z0-9-]*))");
  for (auto span = std::sregex_iterator(text.begin(), text.end(), code); span != std::sregex_iterator(); ++span) {
    const auto inside = (*span)[1].str();
    for (auto match = std::sregex_iterator(inside.begin(), inside.end(), flag); match != std::sregex_iterator();
         ++match) {
      flags.insert((*match)[1]);
    }
  }
  return flags;
}

// docs/cli.md and --help agree: every flag a command's --help lists is documented in its section
// (or, for the client flags, in "Client flags"), and every flag a section's tables name is one
// its --help lists.
TEST_F(CliTest, CliDocsNameEveryFlagOfTheHelpAndNoOther) {
  const auto docs = read_text(std::string(FETCHER_SOURCE_DIR) + "/docs/cli.md");
  const auto section = [&docs](const std::string& heading) {
    const auto start = docs.find("\n" + heading + "\n");
    if (start == std::string::npos) return std::string();
    const auto end = docs.find("\n## ", start + 1);
    return docs.substr(start, end == std::string::npos ? std::string::npos : end - start);
  };
  const auto client_section = section("## Client flags (bench, get, load, crawl)");
  ASSERT_FALSE(client_section.empty());
  const auto client_flags = flags_in_markdown(client_section);
  for (const std::string command : {"bench", "get", "crawl", "load", "serve"}) {
    const auto text = section("## `fetcher " + command + "`");
    ASSERT_FALSE(text.empty()) << command;
    const auto documented = flags_in_markdown(text);
    const auto help = flags_in_help({FETCHER_CLI_PATH, command, "--help"});
    for (const auto& flag : help) {
      if (flag == "-h" || flag == "--help") continue;
      EXPECT_TRUE(documented.contains(flag) || client_flags.contains(flag))
          << command << " --help lists " << flag << ", docs/cli.md's section does not";
    }
    // Table rows name flags at their start: "| `--flag ...` |" or "| `-q, --quiet` |".
    static const std::regex row(R"(\n\| `(-[^`|]*)`)");
    for (auto match = std::sregex_iterator(text.begin(), text.end(), row); match != std::sregex_iterator(); ++match) {
      for (const auto& flag : flags_in_markdown("`" + (*match)[1].str() + "`")) {
        EXPECT_TRUE(help.contains(flag)) << "docs/cli.md documents " << command << " " << flag
                                         << ", --help has no such flag";
      }
    }
  }
}

// Every flag the README shows for a command (in its example lines and its paragraph) is one that
// command's --help lists.
TEST_F(CliTest, ReadmeFlagsAreFlagsOfTheirCommand) {
  const auto readme = read_text(std::string(FETCHER_SOURCE_DIR) + "/README.md");
  std::size_t checked = 0;
  for (const std::string command : {"bench", "get", "crawl", "load", "serve"}) {
    const auto help = flags_in_help({FETCHER_CLI_PATH, command, "--help"});
    std::set<std::string> shown;
    for (const auto& line : lines_of(readme)) {
      if (line.rfind("build/cli/fetcher " + command + " ", 0) != 0 && line != "build/cli/fetcher " + command) continue;
      std::istringstream words(line.substr(0, line.find("  #")));
      for (std::string word; words >> word;) {
        if (word.rfind("-", 0) == 0) shown.insert(word.substr(0, word.find('=')));
      }
    }
    const auto start = readme.find("**`fetcher " + command);
    ASSERT_NE(start, std::string::npos) << command;
    // Another program's command line (serve's paragraph shows curl's) is not the command's.
    static const std::regex other_program("`curl [^`]*`");
    const auto paragraph =
        std::regex_replace(readme.substr(start, readme.find("\n\n", start) - start), other_program, "");
    for (const auto& flag : flags_in_markdown(paragraph)) shown.insert(flag);
    for (const auto& flag : shown) {
      EXPECT_TRUE(help.contains(flag)) << "README shows " << command << " " << flag << ", --help has no such flag";
      ++checked;
    }
  }
  EXPECT_GE(checked, 15u);
}

// One output convention in every command: --format for the report's format, --output FILE for the
// report, --save DIR for bodies. The new spellings print no note.
TEST_F(CliTest, GetAndLoadTakeFormatOutputAndSave) {
  testing::TestOrigin origin(sites);
  const auto connect_to = ":80:127.0.0.1:" + std::to_string(origin.server().http_port());
  const auto report = directory_ / "get.jsonl";
  const auto bodies = directory_ / "bodies";
  const auto get =
      run_process({FETCHER_CLI_PATH, "get", "--connect-to", connect_to, "http://one.test/a", "http://one.test/b",
                   "--format", "json", "--output", report.string(), "--save", bodies.string()});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_TRUE(get.out.empty()) << get.out;
  EXPECT_EQ(get.err.find("deprecated"), std::string::npos) << get.err;
  const auto records = lines_of(read_text(report.string()));
  ASSERT_EQ(records.size(), 2u) << read_text(report.string());
  for (const auto& line : records) {
    const auto saved = std::filesystem::path(nlohmann::json::parse(line).at("saved").get<std::string>());
    EXPECT_EQ(saved.parent_path(), bodies) << line;
    EXPECT_TRUE(std::filesystem::is_regular_file(saved)) << line;
  }

  const auto lines = directory_ / "get.txt";
  const auto table = run_process({FETCHER_CLI_PATH, "get", "--connect-to", connect_to, "http://one.test/a", "--format",
                                  "table", "--output", lines.string()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(table.out.empty()) << table.out;
  const auto text = read_text(lines.string());
  EXPECT_EQ(text.rfind("200 ", 0), 0u) << text;
  EXPECT_NE(text.find("  http://one.test/a\n"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;  // a file gets no colour

  const auto load_report = directory_ / "load.json";
  const auto load = run_process({FETCHER_CLI_PATH, "load", "--connect-to", connect_to, "http://one.test/a", "-c", "1",
                                 "-n", "5", "--format", "json", "--output", load_report.string()});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_TRUE(load.out.empty()) << load.out;
  EXPECT_EQ(nlohmann::json::parse(read_text(load_report.string())).at("requests"), 5);
  const auto load_table = directory_ / "load.txt";
  const auto load_text = run_process({FETCHER_CLI_PATH, "load", "--connect-to", connect_to, "http://one.test/a", "-c",
                                      "1", "-n", "5", "--output", load_table.string()});
  ASSERT_EQ(load_text.exit_code, 0) << load_text.err;
  EXPECT_TRUE(load_text.out.empty()) << load_text.out;
  EXPECT_EQ(read_text(load_table.string()).rfind("load http://one.test/a: 1 connection", 0), 0u)
      << read_text(load_table.string());

  // A report file that cannot be written fails before anything is fetched, in one line with the reason.
  const auto missing = (directory_ / "no-such-dir" / "out").string();
  for (const char* command : {"get", "load"}) {
    const auto outcome = run_process({FETCHER_CLI_PATH, command, "http://one.test/a", "--output", missing});
    EXPECT_EQ(outcome.exit_code, 2) << command << ": " << outcome.err;
    EXPECT_EQ(outcome.err, "fetcher: --output " + missing + ": cannot write: No such file or directory\n") << command;
  }
}

// The old spellings still work for one release, each with a one-line note on stderr.
TEST_F(CliTest, OldOutputSpellingsStillWorkWithADeprecationNote) {
  testing::TestOrigin origin(sites);
  const std::vector<std::string> base = {
      FETCHER_CLI_PATH,    "get",     "--connect-to", ":80:127.0.0.1:" + std::to_string(origin.server().http_port()),
      "http://one.test/a", "--color", "never",        "-q"};
  auto json_run = base;
  json_run.emplace_back("--json");
  const auto json = run_process(json_run);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out).at("status"), 200) << json.out;
  EXPECT_EQ(json.err, "fetcher get: --json is deprecated; use --format json\n");

  for (const std::string flag : {"-o", "--output-dir"}) {
    const auto bodies = directory_ / ("bodies" + flag);
    auto arguments = base;
    arguments.insert(arguments.end(), {flag, bodies.string()});
    const auto saved = run_process(arguments);
    ASSERT_EQ(saved.exit_code, 0) << flag << ": " << saved.err;
    EXPECT_EQ(saved.err, "fetcher get: " + flag + " is deprecated; use --save\n");
    EXPECT_NE(saved.out.find("  saved " + (bodies / "1-one.test_a").string() + "\n"), std::string::npos) << saved.out;
    EXPECT_TRUE(std::filesystem::is_regular_file(bodies / "1-one.test_a")) << flag;
  }

  // Both old spellings at once: a note for each, and what they ask for.
  auto both = base;
  both.insert(both.end(), {"--json", "--output-dir", (directory_ / "both").string()});
  const auto outcome = run_process(both);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err,
            "fetcher get: --json is deprecated; use --format json\n"
            "fetcher get: --output-dir is deprecated; use --save\n");
  EXPECT_EQ(nlohmann::json::parse(outcome.out).at("saved"), (directory_ / "both" / "1-one.test_a").string());
}

// An old spelling given with its replacement is a usage error: one line, exit 2, nothing fetched,
// nothing saved.
TEST_F(CliTest, OldAndNewOutputSpellingsTogetherAreAOneLineError) {
  const auto first = (directory_ / "first").string();
  const auto second = (directory_ / "second").string();
  struct Conflict {
    std::vector<std::string> arguments;
    std::string message;
  };
  const std::vector<Conflict> conflicts = {
      {{"--json", "--format", "json"},
       "get: --json and --format cannot be used together (--json is the old spelling of --format json)"},
      {{"--format", "table", "--json"},
       "get: --json and --format cannot be used together (--json is the old spelling of --format json)"},
      {{"-o", first, "--save", second},
       "get: -o and --save cannot be used together (-o is the old spelling of --save)"},
      {{"--save", first, "--output-dir", second},
       "get: --output-dir and --save cannot be used together (--output-dir is the old spelling of --save)"},
      {{"-o", first, "--output-dir", second},
       "get: -o and --output-dir cannot be used together (-o is the old spelling of --save)"},
      // The conflict is reported alone, without the notes of the other old spellings given.
      {{"--json", "-o", first, "--save", second},
       "get: -o and --save cannot be used together (-o is the old spelling of --save)"},
  };
  for (const auto& conflict : conflicts) {
    std::vector<std::string> arguments = {FETCHER_CLI_PATH, "get", "http://127.0.0.1:1/"};
    arguments.insert(arguments.end(), conflict.arguments.begin(), conflict.arguments.end());
    const auto outcome = run_process(arguments);
    EXPECT_EQ(outcome.exit_code, 2) << conflict.message;
    EXPECT_EQ(outcome.err, "fetcher: " + conflict.message + "\n");
    EXPECT_TRUE(outcome.out.empty()) << outcome.out;
    EXPECT_FALSE(std::filesystem::exists(first)) << conflict.message;
    EXPECT_FALSE(std::filesystem::exists(second)) << conflict.message;
  }
}

// --help (and so the completions and the man page) shows the convention's spellings only.
TEST_F(CliTest, HelpShowsOnlyTheConventionsOutputFlags) {
  const auto get = flags_in_help({FETCHER_CLI_PATH, "get", "--help"});
  for (const char* flag : {"--format", "--output", "--save"}) EXPECT_EQ(get.count(flag), 1u) << flag;
  for (const char* flag : {"--json", "-o", "--output-dir"}) EXPECT_EQ(get.count(flag), 0u) << flag;
  const auto get_help = unwrapped_help(run_process({FETCHER_CLI_PATH, "get", "--help"}).out);
  EXPECT_TRUE(std::regex_search(get_help, std::regex(R"(\n  --format FORMAT +table .* json .*\(default: table\)\n)")))
      << get_help;
  EXPECT_TRUE(std::regex_search(get_help, std::regex(R"(\n  --output FILE +)"))) << get_help;
  EXPECT_TRUE(std::regex_search(get_help, std::regex(R"(\n  --save DIR +)"))) << get_help;
  for (const char* command : {"bench", "load"}) {
    const auto flags = flags_in_help({FETCHER_CLI_PATH, command, "--help"});
    EXPECT_EQ(flags.count("--format"), 1u) << command;
    EXPECT_EQ(flags.count("--output"), 1u) << command;
  }
}

}  // namespace
}  // namespace fetcher
