// crawler_e2e_test.cpp: the crawler against a site graph on the emulated origin, started by the
// test on loopback. The origin knows its graph (origin/site_graph.hpp), so each test compares
// what the crawler fetched with what a correct crawler fetches, and reads the origin's own
// per-URL request counts: every URL once, robots.txt once per host, nothing disallowed, nofollow
// or out of scope.
#include "canned_server.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/crawl/crawler.hpp>
#include <fetcher/origin/site_graph.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace fetcher::crawl {
namespace {

using testing::TestOrigin;

// Two sites with every link form and trap; b.test is reached from a.test by cross links.
const std::string graph_sites = R"(
seed = 7
[[site]]
host = "a.test"
latency_ms = 1
body_bytes = 3000
pages = 40
links = 3
chain = true
link_forms = true
cross_links = 1
external_links = true
broken_links = 1
moved_links = 1
binary_links = 1
robots = "rules"
disallow = ["/private/"]
traps = true

[[site]]
host = "b.test"
latency_ms = 1
body_bytes = 2000
pages = 20
links = 2
chain = true
link_forms = true
cross_links = 1
robots = "404"
traps = true
)";

struct CrawlOutcome {
  CrawlStats stats;
  std::map<std::string, CrawlPage> pages;  // by URL; result pointers cleared
  std::map<std::string, unsigned> statuses;
};

// The origin's hosts go to the origin; any other host to a closed port on loopback, so it
// answers nothing, as expected_crawl assumes (and no test leaves loopback).
FetchOptions routed_to_origin_hosts(TestOrigin& origin) {
  auto options = origin.client_options();
  options.connect_to.clear();
  for (const auto& site : origin.sites().sites) {
    options.connect_to.push_back(
        ConnectTo::parse(site.host + ":80:127.0.0.1:" + std::to_string(origin.server().http_port())));
  }
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(testing::closed_port())));
  return options;
}

CrawlOutcome crawl(TestOrigin& origin, CrawlOptions options) {
  Client client(routed_to_origin_hosts(origin));
  CrawlOutcome outcome;
  std::mutex mutex;
  Crawler crawler(client, std::move(options), [&](const CrawlPage& page) {
    std::lock_guard lock(mutex);
    EXPECT_FALSE(outcome.pages.contains(page.url)) << "reported twice: " << page.url;
    auto copy = page;
    copy.result = nullptr;
    copy.body = {};
    outcome.statuses[page.url] = page.result->status;
    outcome.pages.emplace(page.url, std::move(copy));
  });
  outcome.stats = crawler.run();
  return outcome;
}

template <class T>
std::set<std::string> keys(const std::map<std::string, T>& map) {
  std::set<std::string> out;
  for (const auto& [key, value] : map) out.insert(key);
  return out;
}

// The origin's request counts as "http://host/target" -> requests.
std::map<std::string, std::uint64_t> requested(TestOrigin& origin) {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& count : origin.server().request_counts())
    counts["http://" + count.host + count.target] += count.requests;
  return counts;
}

TEST(Crawler, FetchesExactlyTheReachableAllowedInScopeSetEachOnce) {
  TestOrigin origin(graph_sites);
  CrawlOptions options;
  options.seeds = {"http://A.test:80/"};
  const auto outcome = crawl(origin, options);
  const auto expected = origin::expected_crawl(origin.sites(), {"http://a.test/"},
                                               [](std::string_view host) { return host == "a.test"; });
  ASSERT_GT(expected.pages.size(), 40u);
  EXPECT_EQ(keys(outcome.pages), keys(expected.pages));
  for (const auto& [url, depth] : expected.pages) {
    if (outcome.pages.contains(url)) {
      EXPECT_EQ(outcome.pages.at(url).depth, depth) << url;
    }
  }
  // The origin's side: each fetched URL requested once, robots.txt once, nothing else.
  auto counts = requested(origin);
  EXPECT_EQ(counts["http://a.test/robots.txt"], 1u);
  counts.erase("http://a.test/robots.txt");
  for (const auto& [url, requests] : counts) {
    EXPECT_EQ(requests, 1u) << url;
    EXPECT_TRUE(expected.pages.contains(url)) << "requested but not expected: " << url;
    EXPECT_EQ(url.find("/trap/"), std::string::npos) << url;
    EXPECT_EQ(url.find("/private/"), std::string::npos) << url;
    EXPECT_EQ(url.find("b.test"), std::string::npos) << url;
  }
  EXPECT_EQ(counts.size(), expected.pages.size());
  EXPECT_EQ(outcome.stats.pages, expected.pages.size());
  EXPECT_EQ(outcome.stats.robots_fetches, 1u);
  EXPECT_EQ(outcome.stats.robots_disallowed, expected.disallowed.size());
  EXPECT_GT(outcome.stats.out_of_scope, 0u);
  EXPECT_GT(outcome.stats.bad_links, 0u);
  EXPECT_GT(outcome.stats.nofollow_skipped, 0u);
  EXPECT_GT(outcome.stats.status_3xx, 0u);
  EXPECT_GT(outcome.stats.status_4xx, 0u);
  // Seeds have no referrer; every other page names one it was found on.
  EXPECT_EQ(outcome.pages.at("http://a.test/").referrer, "");
  for (const auto& [url, page] : outcome.pages) {
    if (url != "http://a.test/") {
      EXPECT_TRUE(outcome.pages.contains(page.referrer)) << url << " <- " << page.referrer;
    }
  }
}

TEST(Crawler, ScopeAnyFollowsCrossLinksAndFetchesEachHostsRobotsOnce) {
  TestOrigin origin(graph_sites);
  CrawlOptions options;
  options.seeds = {"http://a.test/"};
  options.scope = CrawlScope::any;
  const auto outcome = crawl(origin, options);
  const auto expected =
      origin::expected_crawl(origin.sites(), {"http://a.test/"}, [](std::string_view) { return true; });
  EXPECT_EQ(keys(outcome.pages), keys(expected.pages));
  const auto counts = requested(origin);
  EXPECT_EQ(counts.at("http://a.test/robots.txt"), 1u);
  EXPECT_EQ(counts.at("http://b.test/robots.txt"), 1u);
  // outside.invalid answers nothing: its robots.txt fails, so nothing of it is fetched.
  for (const auto& [url, page] : outcome.pages) EXPECT_EQ(url.find("outside.invalid"), std::string::npos) << url;
  EXPECT_EQ(outcome.stats.robots_fetches, expected.robots_hosts.size());
}

TEST(Crawler, MaxDepthAndMaxPagesBoundTheCrawl) {
  TestOrigin origin(graph_sites);
  {
    CrawlOptions options;
    options.seeds = {"http://a.test/"};
    options.max_depth = 1;
    const auto outcome = crawl(origin, options);
    const auto expected = origin::expected_crawl(
        origin.sites(), {"http://a.test/"}, [](std::string_view host) { return host == "a.test"; }, true, 1);
    EXPECT_EQ(keys(outcome.pages), keys(expected.pages));
    for (const auto& [url, page] : outcome.pages) EXPECT_LE(page.depth, 1u) << url;
    EXPECT_GT(outcome.stats.beyond_max_depth, 0u);
  }
  origin.server().reset();
  {
    CrawlOptions options;
    options.seeds = {"http://a.test/"};
    options.max_pages = 10;
    const auto outcome = crawl(origin, options);
    EXPECT_EQ(outcome.pages.size(), 10u);
    std::uint64_t page_requests = 0;
    for (const auto& [url, requests] : requested(origin)) {
      if (url.find("/robots.txt") == std::string::npos) page_requests += requests;
    }
    EXPECT_EQ(page_requests, 10u);
  }
}

TEST(Crawler, RobotsServerErrorAllowsNothingAndNotFoundAllowsEverything) {
  TestOrigin origin(R"(
[[site]]
host = "down.test"
latency_ms = 1
body_bytes = 500
pages = 10
chain = true
robots = "500"

[[site]]
host = "open.test"
latency_ms = 1
body_bytes = 500
pages = 10
chain = true
robots = "404"
)");
  CrawlOptions options;
  options.seeds = {"http://down.test/", "http://open.test/"};
  const auto outcome = crawl(origin, options);
  const auto counts = requested(origin);
  EXPECT_EQ(counts.at("http://down.test/robots.txt"), 1u);
  for (const auto& [url, requests] : counts) {
    if (url.starts_with("http://down.test/")) {
      EXPECT_EQ(url, "http://down.test/robots.txt");
    }
  }
  EXPECT_EQ(outcome.stats.robots_disallowed, 1u);  // the seed
  std::size_t open_pages = 0;
  for (const auto& [url, page] : outcome.pages) open_pages += url.starts_with("http://open.test/");
  const auto expected = origin::expected_crawl(origin.sites(), {"http://open.test/"},
                                               [](std::string_view host) { return host == "open.test"; });
  EXPECT_EQ(open_pages, expected.pages.size());
  EXPECT_GE(open_pages, 10u);
}

TEST(Crawler, RobotsOffFetchesDisallowedPagesAndNoRobotsTxt) {
  TestOrigin origin(graph_sites);
  CrawlOptions options;
  options.seeds = {"http://a.test/"};
  options.robots = false;
  const auto outcome = crawl(origin, options);
  const auto expected = origin::expected_crawl(
      origin.sites(), {"http://a.test/"}, [](std::string_view host) { return host == "a.test"; }, false);
  EXPECT_EQ(keys(outcome.pages), keys(expected.pages));
  const auto counts = requested(origin);
  EXPECT_FALSE(counts.contains("http://a.test/robots.txt"));
  bool private_fetched = false;
  for (const auto& [url, requests] : counts) private_fetched |= url.find("/private/") != std::string::npos;
  EXPECT_TRUE(private_fetched);
  EXPECT_EQ(outcome.stats.robots_fetches, 0u);
}

// Crawl-delay raises the host's interval: five pages one after another take at least four delays.
TEST(Crawler, CrawlDelaySpacesTheRequestsToItsHost) {
  TestOrigin origin(R"(
[[site]]
host = "slow.test"
latency_ms = 1
body_bytes = 500
pages = 5
chain = true
robots = "rules"
crawl_delay_ms = 150
)");
  CrawlOptions options;
  options.seeds = {"http://slow.test/page/0"};
  options.per_host = 4;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = crawl(origin, options);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(outcome.pages.size(), 5u);
  // robots.txt, then five pages: five intervals after the robots.txt request at the least.
  EXPECT_GE(took, std::chrono::milliseconds(4 * 150));
}

TEST(Crawler, RedirectsArePagesOfTheirOwnAndTheirTargetsAreFetchedOnce) {
  TestOrigin origin(graph_sites);
  CrawlOptions options;
  options.seeds = {"http://a.test/"};
  const auto outcome = crawl(origin, options);
  std::size_t moved = 0;
  for (const auto& [url, status] : outcome.statuses) {
    if (url.find("/moved/") == std::string::npos) continue;
    ++moved;
    EXPECT_EQ(status, 301u) << url;
    const auto target = "http://a.test/page/" + url.substr(url.rfind('/') + 1);
    EXPECT_TRUE(outcome.pages.contains(target)) << target;
  }
  EXPECT_GT(moved, 0u);
}

TEST(Crawler, StopsWhenAskedAndReportsWhatWasFetched) {
  TestOrigin origin(R"(
[[site]]
host = "slow.test"
latency_ms = 200
body_bytes = 500
pages = 1000
links = 5
chain = true
)");
  CrawlOptions options;
  options.seeds = {"http://slow.test/"};
  Client client(origin.client_options());
  std::stop_source stop;
  std::uint64_t reported = 0;
  Crawler crawler(client, options, [&](const CrawlPage&) {
    if (++reported == 3) stop.request_stop();
  });
  const auto stats = crawler.run(stop.get_token());
  EXPECT_GE(stats.pages, 3u);
  EXPECT_LT(stats.pages, 20u);
  EXPECT_EQ(stats.pages, reported);
}

// robots.txt that redirects is followed to its end (RFC 9309 2.3.1.2), and what it says there
// holds for the host it was asked of.
TEST(Crawler, RobotsTxtRedirectsAreFollowed) {
  testing::CannedServer server(std::vector<std::string>{
      "HTTP/1.1 301 Moved Permanently\r\nLocation: /policy/robots.txt\r\nContent-Length: 0\r\nConnection: "
      "close\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 25\r\nConnection: close\r\n\r\n"
      "User-agent: *\nDisallow: /"});
  FetchOptions options;
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(server.port())));
  Client client(options);
  CrawlOptions crawl_options;
  crawl_options.seeds = {"http://canned.test/", "http://canned.test/other"};
  std::uint64_t pages = 0;
  Crawler crawler(client, crawl_options, [&](const CrawlPage&) { ++pages; });
  const auto stats = crawler.run();
  EXPECT_EQ(pages, 0u);
  EXPECT_EQ(stats.robots_disallowed, 2u);
  const auto received = server.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].rfind("GET /robots.txt HTTP/1.1\r\n", 0), 0u) << received[0];
  EXPECT_EQ(received[1].rfind("GET /policy/robots.txt HTTP/1.1\r\n", 0), 0u) << received[1];
}

// A page over the parse limit is fetched and reported but not parsed: its links are not followed.
TEST(Crawler, PagesOverTheParseLimitAreNotParsed) {
  TestOrigin origin(R"(
[[site]]
host = "big.test"
latency_ms = 1
body_bytes = 5000
pages = 5
chain = true
robots = "404"
)");
  CrawlOptions options;
  options.seeds = {"http://big.test/page/0"};
  options.html_limit = 4000;
  const auto outcome = crawl(origin, options);
  ASSERT_EQ(outcome.pages.size(), 1u);
  EXPECT_EQ(outcome.pages.begin()->second.links, 0u);
  EXPECT_EQ(outcome.statuses.at("http://big.test/page/0"), 200u);
}

TEST(Crawler, RefusesBadOptions) {
  TestOrigin origin(graph_sites);
  Client client(origin.client_options());
  CrawlOptions none;
  EXPECT_THROW(Crawler(client, none), std::invalid_argument);
  CrawlOptions ftp;
  ftp.seeds = {"ftp://a.test/"};
  EXPECT_THROW(Crawler(client, ftp), std::invalid_argument);
  CrawlOptions zero;
  zero.seeds = {"http://a.test/"};
  zero.per_host = 0;
  EXPECT_THROW(Crawler(client, zero), std::invalid_argument);
}

}  // namespace
}  // namespace fetcher::crawl
