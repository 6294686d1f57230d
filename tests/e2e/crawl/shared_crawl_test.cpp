// shared_crawl_test.cpp: `fetcher crawl --frontier redis://...` as its users run it: worker
// processes against a redis-server and an origin the test starts on loopback. Nothing lost and
// nothing twice when a worker is SIGKILLed, politeness measured at the origin over all workers,
// settings stored by the first worker, crawls kept apart by id, passwords, and Redis faults.
#include "child_process.hpp"
#include "redis_connection.hpp"
#include "redis_server.hpp"
#include "run_process.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/origin/site_graph.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fetcher::crawl {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::RedisServer;
using testing::TestOrigin;

// Four hosts of 500 pages each: chains, links in every form, cross-host and external links,
// broken and moved links, binaries, robots.txt rules and traps.
std::string graph_sites(int pages, int latency_ms) {
  std::string toml = "seed = 19\n";
  for (int host = 1; host <= 4; ++host) {
    toml += "\n[[site]]\nhost = \"h" + std::to_string(host) + ".test\"\nlatency_ms = " + std::to_string(latency_ms) +
            "\nbody_bytes = 1500\npages = " + std::to_string(pages) +
            "\nlinks = 4\nchain = true\nlink_forms = true\ncross_links = 1\nexternal_links = true\n"
            "broken_links = 1\nmoved_links = 1\nbinary_links = 1\nrobots = \"rules\"\ndisallow = [\"/private/\"]\n"
            "traps = true\n";
  }
  return toml;
}

const std::vector<std::string> graph_seeds = {"http://h1.test/page/0", "http://h2.test/page/0", "http://h3.test/page/0",
                                              "http://h4.test/page/0"};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The URLs of an export, with how many lines each has.
std::map<std::string, int> exported_urls(const std::string& path) {
  std::map<std::string, int> urls;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) ++urls[nlohmann::json::parse(line).at("url").get<std::string>()];
  return urls;
}

std::set<std::string> keys_of(const std::map<std::string, int>& map) {
  std::set<std::string> keys;
  for (const auto& [key, value] : map) keys.insert(key);
  return keys;
}

std::set<std::string> keys_of(const std::map<std::string, unsigned>& map) {
  std::set<std::string> keys;
  for (const auto& [key, value] : map) keys.insert(key);
  return keys;
}

// "this worker reclaimed N" from a worker's summary.
std::uint64_t reclaimed_in(const std::string& summary) {
  std::smatch match;
  static const std::regex pattern("reclaimed ([0-9]+)");
  return std::regex_search(summary, match, pattern) ? std::stoull(match[1]) : 0;
}

// Polls the crawl's count of recorded pages (every `poll`, at most `polls` times) until it reaches
// `count` or `worker` has ended; returns the last count read.
std::uint64_t wait_for_pages(const std::string& redis_url, const std::string& crawl_id, std::uint64_t count,
                             ChildProcess& worker, std::chrono::milliseconds poll, int polls) {
  RedisConnection watch(parse_redis_url(redis_url), 5s);
  std::uint64_t pages = 0;
  for (int polled = 0; polled < polls && pages < count && worker.running(); ++polled) {
    pages = static_cast<std::uint64_t>(watch.command({"GET", "fetcher:{" + crawl_id + "}:pages"}).as_integer());
    std::this_thread::sleep_for(poll);
  }
  return pages;
}

// How many frontier entries the worker named `consumer` holds (taken and not yet acknowledged).
std::size_t held_by(const std::string& redis_url, const std::string& crawl_id, const std::string& consumer) {
  RedisConnection watch(parse_redis_url(redis_url), 5s);
  const auto key = "fetcher:{" + crawl_id + "}:frontier";
  return watch.command({"XPENDING", key, "workers", "-", "+", "100000", consumer}).elements.size();
}

class SharedCrawl : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not installed (.ci/install-deps installs it)";
    directory_ =
        std::filesystem::temp_directory_path() / ("fetcher-shared-" + std::to_string(::getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::vector<std::string> worker(const std::string& redis_url, TestOrigin& origin, const std::string& crawl_id,
                                  std::vector<std::string> more) const {
    std::vector<std::string> arguments = {
        FETCHER_CLI_PATH, "crawl",  "--frontier",   redis_url,
        "--crawl-id",     crawl_id, "--connect-to", "::127.0.0.1:" + std::to_string(origin.server().http_port()),
        "--claim-idle",   "1s",     "--color",      "never"};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return arguments;
  }
  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  std::filesystem::path directory_;
};

TEST(RedisUrl, ReadsHostPortDatabaseAndCredentials) {
  auto address = parse_redis_url("redis://10.0.0.7:6380/3");
  EXPECT_EQ(address.host, "10.0.0.7");
  EXPECT_EQ(address.port, 6380);
  EXPECT_EQ(address.database, 3);
  EXPECT_EQ(address.password, "");
  address = parse_redis_url("redis://:s3cret@cache.internal");
  EXPECT_EQ(address.host, "cache.internal");
  EXPECT_EQ(address.port, 6379);
  EXPECT_EQ(address.user, "");
  EXPECT_EQ(address.password, "s3cret");
  address = parse_redis_url("redis://crawler:pw@[::1]:7000/");
  EXPECT_EQ(address.host, "::1");
  EXPECT_EQ(address.port, 7000);
  EXPECT_EQ(address.user, "crawler");
  EXPECT_EQ(address.password, "pw");
  for (const char* bad : {"http://localhost", "redis://", "redis://h:0", "redis://h:65536", "redis://h:x",
                          "redis://h/db", "redis://[::1"}) {
    EXPECT_THROW(parse_redis_url(bad), std::invalid_argument) << bad;
  }
}

// The issue's target: 3 workers on a 2,000-page graph, one SIGKILLed after 100 pages. The export
// holds exactly the reachable, allowed, in-scope set, each URL once; the origin saw each URL
// once, except those in flight at the kill.
TEST_F(SharedCrawl, ThreeWorkersOneKilledLoseNothingAndRecordEachUrlOnce) {
  RedisServer redis;
  TestOrigin origin(graph_sites(500, 2));
  const auto expected = origin::expected_crawl(
      origin.sites(), graph_seeds, [&origin](std::string_view host) { return origin.sites().find(host) != nullptr; });
  ASSERT_GT(expected.pages.size(), 1900u);
  std::vector<std::string> seeds_and_flags = graph_seeds;
  seeds_and_flags.insert(seeds_and_flags.end(), {"--per-host", "2"});
  auto with = [&](std::vector<std::string> more) {
    auto arguments = seeds_and_flags;
    arguments.insert(arguments.end(), more.begin(), more.end());
    return worker(redis.url(), origin, "kill", arguments);
  };
  ChildProcess doomed(with({"-q", "--worker", "doomed"}));
  ChildProcess second(with({"--export", path("second.jsonl")}));
  ChildProcess third(with({"--export", path("third.jsonl")}));

  ASSERT_GE(wait_for_pages(redis.url(), "kill", 100, doomed, 1ms, 20000), 100u) << doomed.err();
  // Kills the worker while it holds entries, so the takeover path runs; what it held is read
  // again after the kill, since it may have recorded them in between.
  for (int polled = 0; polled < 2000 && held_by(redis.url(), "kill", "doomed") == 0 && doomed.running(); ++polled) {
    std::this_thread::sleep_for(1ms);
  }
  doomed.kill(SIGKILL);
  EXPECT_EQ(doomed.wait_for(10s), 128 + SIGKILL);
  const auto held_at_kill = held_by(redis.url(), "kill", "doomed");

  const auto limit = testing::scaled(std::chrono::milliseconds(90s));
  ASSERT_EQ(second.wait_for(limit), 0) << second.err();
  ASSERT_EQ(third.wait_for(limit), 0) << third.err();

  const auto exported = exported_urls(path("second.jsonl"));
  EXPECT_EQ(keys_of(exported), keys_of(expected.pages));
  for (const auto& [url, lines] : exported) EXPECT_EQ(lines, 1) << url;
  EXPECT_EQ(read_file(path("second.jsonl")).size(), read_file(path("third.jsonl")).size());
  EXPECT_EQ(exported_urls(path("third.jsonl")), exported);
  // What the dead worker held when it died, the others took over.
  EXPECT_GE(reclaimed_in(second.err()) + reclaimed_in(third.err()), held_at_kill) << second.err() << third.err();
  EXPECT_GE(held_at_kill, 1u) << "the worker was killed holding nothing, so no entry was taken over";

  std::uint64_t twice = 0;
  for (const auto& count : origin.server().request_counts()) {
    const auto url = "http://" + count.host + count.target;
    if (count.target == "/robots.txt") {
      EXPECT_EQ(count.requests, 1u) << url;
      continue;
    }
    EXPECT_TRUE(expected.pages.contains(url)) << url << " is not in the expected set";
    EXPECT_LE(count.requests, 2u) << url;
    twice += count.requests == 2;
  }
  // At most per_host x hosts fetches are in flight over all workers at any moment.
  EXPECT_LE(twice, 2u * 4u);
}

// --per-host and --delay hold for the crawl, not per worker, measured at the origin.
TEST_F(SharedCrawl, PolitenessHoldsOverAllWorkers) {
  RedisServer redis;
  TestOrigin origin(graph_sites(60, 5));
  {
    std::vector<std::unique_ptr<ChildProcess>> workers;
    for (int i = 0; i < 3; ++i) {
      auto arguments = graph_seeds;
      arguments.insert(arguments.end(), {"--per-host", "2", "-q"});
      workers.push_back(std::make_unique<ChildProcess>(worker(redis.url(), origin, "slots", arguments)));
    }
    for (auto& process : workers)
      ASSERT_EQ(process->wait_for(testing::scaled(std::chrono::milliseconds(60s))), 0) << process->err();
  }
  unsigned busiest = 0;
  for (const auto& stats : origin.server().stats()) {
    EXPECT_LE(stats.peak_concurrent, 2u) << stats.host;
    busiest = std::max(busiest, stats.peak_concurrent);
  }
  EXPECT_EQ(busiest, 2u);  // the slots were used, not just never exceeded

  origin.server().reset();
  {
    std::vector<std::unique_ptr<ChildProcess>> workers;
    for (int i = 0; i < 3; ++i) {
      workers.push_back(
          std::make_unique<ChildProcess>(worker(redis.url(), origin, "delay",
                                                {"http://h1.test/page/0", "http://h2.test/page/0", "--per-host", "2",
                                                 "--delay", "100ms", "--max-pages", "8", "-q"})));
    }
    for (auto& process : workers)
      ASSERT_EQ(process->wait_for(testing::scaled(std::chrono::milliseconds(60s))), 0) << process->err();
  }
  // Leases space the grants by the delay (and a margin) on Redis's clock; a request reaches the
  // host some milliseconds after its grant, more on a loaded machine, so the bound here leaves
  // room for that. Three workers each keeping its own 100 ms would give gaps near zero. The
  // issue's 5 ms target is measured by tests/perf/shared_crawl.sh, not asserted here.
  const auto slack = testing::sanitizer_scale() > 1 ? 50ms : 25ms;
  for (const auto& stats : origin.server().stats()) {
    if (stats.requests < 2) continue;
    ASSERT_TRUE(stats.min_start_gap.has_value()) << stats.host;
    EXPECT_GE(*stats.min_start_gap, 100ms - slack) << stats.host;
  }
}

// A fetch that outlasts --claim-idle keeps its lease (no other worker takes the host's slot) and
// its entry (no other worker reclaims and fetches it again).
TEST_F(SharedCrawl, AFetchLongerThanTheClaimKeepsItsLeaseAndItsEntry) {
  RedisServer redis;
  TestOrigin origin(R"(
seed = 3
[[site]]
host = "slow.test"
latency_ms = 800
body_bytes = 500
pages = 3
links = 2
robots = "404"
)");
  std::vector<std::unique_ptr<ChildProcess>> workers;
  for (int i = 0; i < 2; ++i) {
    auto arguments = worker(redis.url(), origin, "long", {"http://slow.test/page/0", "--per-host", "1", "-q"});
    *(std::find(arguments.begin(), arguments.end(), "--claim-idle") + 1) = "300ms";  // well under a fetch
    workers.push_back(std::make_unique<ChildProcess>(arguments));
  }
  for (auto& process : workers)
    ASSERT_EQ(process->wait_for(testing::scaled(std::chrono::milliseconds(60s))), 0) << process->err();
  const auto stats = origin.server().stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats.front().peak_concurrent, 1u);
  EXPECT_EQ(stats.front().requests, 4u);  // robots.txt and three pages, each once
  for (const auto& count : origin.server().request_counts()) EXPECT_EQ(count.requests, 1u) << count.target;
}

TEST_F(SharedCrawl, TheFirstWorkersSettingsHoldAndALaterWorkerAdoptsOrIsRefused) {
  RedisServer redis;
  TestOrigin origin(graph_sites(20, 1));
  const auto first = testing::run_process(
      worker(redis.url(), origin, "settings", {"http://h1.test/page/0", "--max-pages", "5", "--scope", "host", "-q"}));
  ASSERT_EQ(first.exit_code, 0) << first.err;

  const auto conflicting = testing::run_process(worker(redis.url(), origin, "settings", {"--scope", "domain"}));
  EXPECT_EQ(conflicting.exit_code, 2);
  EXPECT_NE(conflicting.err.find("--scope domain: crawl settings runs with scope host"), std::string::npos)
      << conflicting.err;
  EXPECT_EQ(std::count(conflicting.err.begin(), conflicting.err.end(), '\n'), 1) << conflicting.err;

  const auto other_seeds = testing::run_process(worker(redis.url(), origin, "settings", {"http://h2.test/page/0"}));
  EXPECT_EQ(other_seeds.exit_code, 2);
  EXPECT_NE(
      other_seeds.err.find("seed URLs http://h2.test/page/0: crawl settings runs with seed URLs http://h1.test/page/0"),
      std::string::npos)
      << other_seeds.err;

  // No settings given: adopts the crawl's (it is over) and exports its 5 pages.
  const auto adopting = testing::run_process(worker(redis.url(), origin, "settings", {"--export", path("all.jsonl")}));
  EXPECT_EQ(adopting.exit_code, 0) << adopting.err;
  EXPECT_NE(adopting.err.find("joined crawl settings"), std::string::npos) << adopting.err;
  EXPECT_NE(adopting.err.find("  client   CPU "), std::string::npos) << adopting.err;  // the worker's own cost
  EXPECT_EQ(exported_urls(path("all.jsonl")).size(), 5u);

  const auto unknown = testing::run_process(worker(redis.url(), origin, "never-started", {}));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("has not started"), std::string::npos) << unknown.err;
}

TEST_F(SharedCrawl, TwoCrawlsInOneRedisKeepToTheirOwnKeys) {
  RedisServer redis;
  TestOrigin origin(graph_sites(30, 1));
  const auto one = testing::run_process(
      worker(redis.url(), origin, "one", {"http://h1.test/page/0", "--export", path("one.jsonl"), "-q"}));
  const auto two = testing::run_process(
      worker(redis.url(), origin, "two", {"http://h2.test/page/0", "--export", path("two.jsonl"), "-q"}));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(two.exit_code, 0) << two.err;
  for (const auto& [url, lines] : exported_urls(path("one.jsonl")))
    EXPECT_TRUE(url.starts_with("http://h1.test/")) << url;
  for (const auto& [url, lines] : exported_urls(path("two.jsonl")))
    EXPECT_TRUE(url.starts_with("http://h2.test/")) << url;
  RedisConnection look(parse_redis_url(redis.url()), 5s);
  const auto keys = look.command({"KEYS", "*"});
  ASSERT_GE(keys.elements.size(), 8u);
  for (const auto& key : keys.elements) {
    EXPECT_TRUE(key.text.starts_with("fetcher:{one}:") || key.text.starts_with("fetcher:{two}:")) << key.text;
  }
}

TEST_F(SharedCrawl, APasswordAuthenticatesAndAWrongOneIsOneLine) {
  RedisServer redis({"--requirepass", "s3cret"});
  TestOrigin origin(graph_sites(10, 1));
  const auto good = "redis://:s3cret@127.0.0.1:" + std::to_string(redis.port());
  const auto right = testing::run_process(worker(good, origin, "auth", {"http://h1.test/page/0", "-q"}));
  EXPECT_EQ(right.exit_code, 0) << right.err;
  const auto bad = "redis://:wrong@127.0.0.1:" + std::to_string(redis.port());
  const auto wrong = testing::run_process(worker(bad, origin, "auth", {"http://h1.test/page/0", "-q"}));
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("AUTH refused"), std::string::npos) << wrong.err;
  EXPECT_EQ(std::count(wrong.err.begin(), wrong.err.end(), '\n'), 1) << wrong.err;
  const auto none = testing::run_process(worker(redis.url(), origin, "auth", {"http://h1.test/page/0", "-q"}));
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("NOAUTH"), std::string::npos) << none.err;
}

TEST_F(SharedCrawl, RedisUnreachableAtStartIsOneLineAndExitTwo) {
  TestOrigin origin(graph_sites(10, 1));
  const auto closed = "redis://127.0.0.1:" + std::to_string(testing::closed_port());
  const auto outcome = testing::run_process(worker(closed, origin, "none", {"http://h1.test/page/0"}));
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("redis 127.0.0.1:"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("Connection refused"), std::string::npos) << outcome.err;
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
}

// Redis goes away mid-crawl: the worker retries for --redis-timeout, then ends with one line and
// exit 2; it acknowledged nothing it had not recorded (a second Redis would find the entries).
TEST_F(SharedCrawl, RedisLostMidCrawlGivesUpAfterTheTimeout) {
  auto redis = std::make_unique<RedisServer>();
  TestOrigin origin(graph_sites(200, 30));
  ChildProcess crawling(worker(redis->url(), origin, "lost",
                               {"http://h1.test/page/0", "--per-host", "1", "--redis-timeout", "1s", "-q"}));
  ASSERT_GE(wait_for_pages(redis->url(), "lost", 5, crawling, 5ms, 2000), 5u) << crawling.err();
  const auto lost_at = std::chrono::steady_clock::now();
  redis->stop();
  ASSERT_EQ(crawling.wait_for(testing::scaled(std::chrono::milliseconds(30s))), 2) << crawling.err();
  EXPECT_GE(std::chrono::steady_clock::now() - lost_at, 1s);
  const auto err = crawling.err();
  EXPECT_NE(err.find("lost Redis"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

// Redis comes back empty (no persistence) while a worker retries: the worker says the crawl's
// state is gone and stops, and writes nothing of the old crawl into the new Redis.
TEST_F(SharedCrawl, RedisRestartedEmptyEndsTheWorkerWithoutAStaleCrawl) {
  RedisServer redis;
  TestOrigin origin(graph_sites(200, 30));
  ChildProcess crawling(worker(redis.url(), origin, "gone",
                               {"http://h1.test/page/0", "--per-host", "1", "--redis-timeout", "10s", "-q"}));
  ASSERT_GE(wait_for_pages(redis.url(), "gone", 5, crawling, 5ms, 2000), 5u) << crawling.err();
  redis.restart();
  ASSERT_EQ(crawling.wait_for(testing::scaled(std::chrono::milliseconds(30s))), 2) << crawling.err();
  const auto err = crawling.err();
  EXPECT_NE(err.find("the crawl's state is gone"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  RedisConnection look(parse_redis_url(redis.url()), 5s);
  for (const char* name : {"settings", "done", "seen", "open", "queued", "pages"}) {
    EXPECT_EQ(look.command({"EXISTS", std::string("fetcher:{gone}:") + name}).integer, 0) << name;
  }
}

}  // namespace
}  // namespace fetcher::crawl
