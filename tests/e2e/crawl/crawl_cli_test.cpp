// crawl_cli_test.cpp: `fetcher crawl` as a user runs it, against an origin the test starts on
// loopback: the JSON Lines contract, the WARC archive checked against the bytes served, saved
// bodies, exit codes, refused flags, and Ctrl-C leaving every output whole.
#include "child_process.hpp"
#include "run_process.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/crawl/warc.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <thread>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fetcher::crawl {
namespace {

using testing::run_process;
using testing::TestOrigin;

const std::string small_site = R"(
[[site]]
host = "site.test"
latency_ms = 1
body_bytes = 1500
pages = 12
links = 2
chain = true
broken_links = 1
binary_links = 1
robots = "rules"
)";

class CrawlCli : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("fetcher-crawl-cli-" + std::to_string(::getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::vector<std::string> command(TestOrigin& origin, std::vector<std::string> more) const {
    std::vector<std::string> arguments = {
        FETCHER_CLI_PATH, "crawl",
        "--connect-to",   "site.test:80:127.0.0.1:" + std::to_string(origin.server().http_port()),
        "--connect-to",   "::127.0.0.1:" + std::to_string(testing::closed_port())};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return arguments;
  }
  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  std::filesystem::path directory_;
};

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(CrawlCli, JsonLinesCarryTheContractsFieldsOnePerPage) {
  TestOrigin origin(small_site);
  const auto outcome = run_process(command(origin, {"http://site.test/", "--format", "json", "-q"}));
  // The broken links answer 404: some pages failed.
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  EXPECT_EQ(outcome.err, "");
  const auto lines = json_lines(outcome.out);
  ASSERT_GE(lines.size(), 13u);
  std::set<std::string> urls;
  for (const auto& line : lines) {
    for (const auto* key : {"url", "final_url", "status", "depth", "referrer", "content_type", "bytes", "sha256",
                            "links", "error", "message"}) {
      EXPECT_TRUE(line.contains(key)) << key << " in " << line.dump();
    }
    EXPECT_TRUE(urls.insert(line["url"].get<std::string>()).second) << "twice: " << line["url"];
    EXPECT_EQ(line["url"].get<std::string>().find("robots.txt"), std::string::npos);
  }
  const auto& seed = lines.front();
  EXPECT_EQ(seed["url"], "http://site.test/");
  EXPECT_EQ(seed["referrer"], "");
  EXPECT_EQ(seed["depth"], 0);
  EXPECT_EQ(seed["status"], 200);
  EXPECT_EQ(seed["error"], "none");
  EXPECT_EQ(seed["content_type"], "text/html");
  EXPECT_GT(seed["links"].get<int>(), 0);
  bool saw_404 = false;
  for (const auto& line : lines) {
    if (line["status"] == 404) {
      saw_404 = true;
      EXPECT_EQ(line["error"], "http-status");
    }
  }
  EXPECT_TRUE(saw_404);
}

TEST_F(CrawlCli, WarcHoldsEachExchangeWithTheServedBytesAndDigests) {
  TestOrigin origin(small_site);
  const auto warc = path("crawl.warc");
  const auto outcome =
      run_process(command(origin, {"http://site.test/", "--warc", warc, "--output", path("pages.jsonl"), "-q"}));
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  std::ifstream in(warc, std::ios::binary);
  const auto records = read_warc(in);
  ASSERT_GE(records.size(), 3u);
  EXPECT_EQ(records.front().field("WARC-Type"), "warcinfo");
  const auto pages = json_lines(read_file(path("pages.jsonl")));
  std::size_t responses = 0;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& record = records[i];
    EXPECT_EQ(record.version, "WARC/1.1");
    EXPECT_EQ(record.field("WARC-Block-Digest"), warc_digest(record.block));
    if (record.field("WARC-Type") == "request") {
      EXPECT_EQ(record.block.rfind("GET /", 0), 0u) << record.block;
      EXPECT_NE(record.block.find("\r\nHost: site.test\r\n"), std::string::npos) << record.block;
      continue;
    }
    ASSERT_EQ(record.field("WARC-Type"), "response");
    ++responses;
    const auto split = record.block.find("\r\n\r\n");
    ASSERT_NE(split, std::string::npos);
    const auto payload = record.block.substr(split + 4);
    EXPECT_EQ(record.field("WARC-Payload-Digest"), warc_digest(payload));
    // The payload is what the origin serves for that path.
    const auto uri = record.field("WARC-Target-URI");
    const auto target = uri.substr(std::string("http://site.test").size());
    if (record.block.rfind("HTTP/1.1 200", 0) == 0) {
      EXPECT_EQ(testing::sha256_hex(payload), origin.expected_digest("site.test", target)) << uri;
    }
  }
  EXPECT_EQ(responses, pages.size());
}

TEST_F(CrawlCli, SavesBodiesUnderSafeNumberedNames) {
  TestOrigin origin(R"(
[[site]]
host = "site.test"
latency_ms = 1
body_bytes = 800
pages = 20
links = 2
chain = true
)");
  const auto saved = path("bodies");
  const auto outcome = run_process(command(origin, {"http://site.test/", "--save", saved, "--max-pages", "5", "-q"}));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(saved)) names.insert(entry.path().filename().string());
  ASSERT_EQ(names.size(), 5u);
  EXPECT_EQ(*names.begin(), "000001-site.test");
}

TEST_F(CrawlCli, SummaryNamesWhatWasSkipped) {
  TestOrigin origin(R"(
[[site]]
host = "site.test"
latency_ms = 1
body_bytes = 800
pages = 6
chain = true
external_links = true
robots = "rules"
)");
  const auto outcome = run_process(command(origin, {"http://site.test/"}));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.err.find(" pages in "), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("robots.txt "), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("out of scope 1"), std::string::npos) << outcome.err;
}

TEST_F(CrawlCli, BadFlagsExitTwoWithOneLine) {
  TestOrigin origin(small_site);
  const auto nowhere = "redis://127.0.0.1:" + std::to_string(testing::closed_port());
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"http://site.test/", "--scope", "planet"},
        std::vector<std::string>{"http://site.test/", "--per-host", "0"},
        std::vector<std::string>{"http://site.test/", "--robots", "maybe"},
        std::vector<std::string>{"http://site.test/", "--strategy", "pool:4"},
        std::vector<std::string>{"ftp://site.test/"}, std::vector<std::string>{},
        std::vector<std::string>{"http://site.test/", "--frontier", nowhere},
        std::vector<std::string>{"http://site.test/", "--crawl-id", "x"},
        std::vector<std::string>{"http://site.test/", "--frontier", "http://127.0.0.1/", "--crawl-id", "x"},
        std::vector<std::string>{"http://site.test/", "--frontier", nowhere, "--crawl-id", "x", "--claim-idle", "10ms"},
        std::vector<std::string>{"http://site.test/", "--frontier", nowhere, "--crawl-id", "a b"}}) {
    const auto outcome = run_process(command(origin, flags));
    EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    EXPECT_EQ(outcome.out, "");
  }
}

// --synthetic: a generated site on the origin (its own process), crawled and checked against it.
TEST_F(CrawlCli, SyntheticCrawlIsCheckedAgainstTheOriginsGraphAndItsIdeal) {
  const auto outcome = run_process({FETCHER_CLI_PATH, "crawl", "--synthetic", "300", "--hosts", "3", "--latency", "2ms",
                                    "--format", "json", "--output", path("pages.jsonl")});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.err.find("correct  yes (every page once, robots.txt once per host)"), std::string::npos)
      << outcome.err;
  EXPECT_NE(outcome.err.find("  ideal    "), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("wall/ideal "), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("3 hosts"), std::string::npos) << outcome.err;
  const auto lines = json_lines(read_file(path("pages.jsonl")));
  EXPECT_GE(lines.size(), 300u);
  // --emit-site writes the same site for other crawlers, with the set a correct crawl fetches.
  const auto emitted =
      run_process({FETCHER_CLI_PATH, "crawl", "--synthetic", "300", "--hosts", "3", "--emit-site", path("site")});
  EXPECT_EQ(emitted.exit_code, 0) << emitted.err;
  const auto expected = read_file(path("site/expected.txt"));
  EXPECT_EQ(static_cast<std::size_t>(std::count(expected.begin(), expected.end(), '\n')), lines.size());
  for (const auto& line : lines) {
    EXPECT_NE(expected.find(line["url"].get<std::string>() + "\n"), std::string::npos) << line["url"];
  }
  EXPECT_EQ(read_file(path("site/seeds.txt")),
            "http://h1.synthetic.test/page/0\nhttp://h2.synthetic.test/page/0\nhttp://h3.synthetic.test/page/0\n");
}

TEST_F(CrawlCli, InterruptLeavesWholeJsonLinesAndWarcAndExits130) {
  TestOrigin origin(R"(
[[site]]
host = "site.test"
latency_ms = 150
body_bytes = 1000
pages = 500
links = 4
chain = true
)");
  const auto jsonl = path("pages.jsonl");
  const auto warc = path("crawl.warc");
  // Interrupted once two pages are written (not after a fixed time: on a loaded machine the
  // signal could come before the command has set up its handler).
  testing::ChildProcess crawling(command(origin, {"http://site.test/", "--output", jsonl, "--warc", warc}));
  for (int waited = 0; waited < 3000 && crawling.running(); ++waited) {
    const auto written = read_file(jsonl);
    if (std::count(written.begin(), written.end(), '\n') >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  crawling.kill(SIGINT);
  const auto exit_code = crawling.wait_for(testing::scaled(std::chrono::milliseconds(30000)));
  const auto err = crawling.err();
  EXPECT_EQ(exit_code, 130) << err;
  EXPECT_NE(err.find("(interrupted)"), std::string::npos) << err;
  const auto lines = json_lines(read_file(jsonl));  // throws on a torn line
  EXPECT_GE(lines.size(), 2u);
  std::ifstream in(warc, std::ios::binary);
  std::vector<WarcRecord> records;
  EXPECT_NO_THROW(records = read_warc(in));
  std::size_t responses = 0;
  for (const auto& record : records) responses += record.field("WARC-Type") == "response";
  // A fetch the interrupt cancelled is no page: neither the JSON Lines nor the archive has it.
  std::size_t delivered = 0;
  for (const auto& line : lines) delivered += line["error"] == "none";
  EXPECT_EQ(responses, delivered);
}

// The old spellings (--jsonl, -o, --output-dir) work for one release with a one-line note each;
// given with their replacement (--format, --output, --save) they are a one-line usage error.
TEST_F(CrawlCli, OldOutputSpellingsWorkWithANoteAndConflictWithTheNew) {
  TestOrigin origin(small_site);
  const auto old = run_process(command(
      origin, {"http://site.test/", "--jsonl", path("old.jsonl"), "-o", path("old-bodies"), "--max-pages", "3", "-q"}));
  EXPECT_EQ(old.exit_code, 0) << old.err;
  EXPECT_EQ(old.err,
            "fetcher crawl: --jsonl is deprecated; use --format json --output FILE\n"
            "fetcher crawl: -o is deprecated; use --save\n");
  EXPECT_EQ(json_lines(read_file(path("old.jsonl"))).size(), 3u);
  EXPECT_TRUE(std::filesystem::is_directory(path("old-bodies")));
  const auto to_stdout = run_process(command(origin, {"http://site.test/", "--jsonl", "-", "--max-pages", "2", "-q"}));
  EXPECT_EQ(to_stdout.err, "fetcher crawl: --jsonl is deprecated; use --format json\n");
  EXPECT_EQ(json_lines(to_stdout.out).size(), 2u);

  for (const auto& [arguments, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--jsonl", "-", "--format", "json"},
            "crawl: --jsonl and --format cannot be used together (--jsonl is the old spelling of --format json)"},
           {{"--jsonl", path("a.jsonl"), "--output", path("b.jsonl")},
            "crawl: --jsonl and --output cannot be used together (--jsonl is the old spelling of --format json "
            "--output FILE)"},
           {{"--output-dir", path("a"), "--save", path("b")},
            "crawl: --output-dir and --save cannot be used together (--output-dir is the old spelling of --save)"},
           {{"--format", "table"}, "--format: a crawl writes json (one object per page), not 'table'"}}) {
    auto full = command(origin, {"http://site.test/", "-q"});
    full.insert(full.end(), arguments.begin(), arguments.end());
    const auto outcome = run_process(full);
    EXPECT_EQ(outcome.exit_code, 2) << message;
    EXPECT_EQ(outcome.err, "fetcher: " + message + "\n");
    EXPECT_TRUE(outcome.out.empty()) << outcome.out;
  }
}

}  // namespace
}  // namespace fetcher::crawl
