// bench_ideal_crawl_test.cpp: the ideal time of a polite crawl, checked against hand-computed
// schedules, and the synthetic crawl sites of `fetcher bench`.
#include <fetcher/bench/ideal_crawl.hpp>
#include <fetcher/origin/site_graph.hpp>

#include "common/synthetic.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fetcher::bench {
namespace {

using origin::parse_sites;
using origin::SiteSet;
using std::chrono::milliseconds;

constexpr double tolerance = 1e-9;

bool anywhere(std::string_view) { return true; }

// Pages that link nothing (robots = "404" makes the site a graph site without links).
SiteSet leaf_sites(std::string_view extra = "") {
  return parse_sites("[[site]]\nhost = \"a.test\"\nlatency_ms = 10\npages = 10\nrobots = \"404\"\n" +
                         std::string(extra) +
                         "\n[[site]]\nhost = \"b.test\"\nlatency_ms = 10\npages = 10\nrobots = \"404\"\n",
                     "t");
}

const std::vector<std::string> three_on_a{"http://a.test/page/0", "http://a.test/page/1", "http://a.test/page/2"};

TEST(IdealCrawl, AChainIsSequentialAfterRobots) {
  const SiteSet sites = parse_sites("[[site]]\nhost = \"c.test\"\nlatency_ms = 10\npages = 3\nchain = true\n", "t");
  const auto obeyed = ideal_crawl(sites, {"http://c.test/page/0"}, anywhere, 1, milliseconds(0), true);
  EXPECT_NEAR(obeyed.seconds, 0.040, tolerance);  // robots.txt, then 3 pages one after another
  EXPECT_EQ(obeyed.requests, 4u);
  const auto rude = ideal_crawl(sites, {"http://c.test/page/0"}, anywhere, 4, milliseconds(0), false);
  EXPECT_NEAR(rude.seconds, 0.030, tolerance);  // a chain waits for each page, whatever per_host
  EXPECT_EQ(rude.requests, 3u);
}

TEST(IdealCrawl, TwoHostsRunInParallel) {
  const SiteSet sites = parse_sites(
      "[[site]]\nhost = \"a.test\"\nlatency_ms = 10\npages = 3\nchain = true\n"
      "[[site]]\nhost = \"b.test\"\nlatency_ms = 20\npages = 3\nchain = true\n",
      "t");
  const auto crawl =
      ideal_crawl(sites, {"http://a.test/page/0", "http://b.test/page/0"}, anywhere, 1, milliseconds(0), true);
  EXPECT_NEAR(crawl.seconds, 0.080, tolerance);  // b: robots 20 + 3 x 20
  EXPECT_EQ(crawl.requests, 8u);
}

TEST(IdealCrawl, PerHostCapacityAndDelay) {
  EXPECT_NEAR(ideal_crawl(leaf_sites(), three_on_a, anywhere, 1, milliseconds(0), false).seconds, 0.030, tolerance);
  EXPECT_NEAR(ideal_crawl(leaf_sites(), three_on_a, anywhere, 3, milliseconds(0), false).seconds, 0.010, tolerance);
  // Starts at 0, 4 and 8 ms.
  EXPECT_NEAR(ideal_crawl(leaf_sites(), three_on_a, anywhere, 3, milliseconds(4), false).seconds, 0.018, tolerance);
  // Capacity 2 caps per_host 3: two at 0, the third at 10.
  EXPECT_NEAR(ideal_crawl(leaf_sites("capacity = 2"), three_on_a, anywhere, 3, milliseconds(0), false).seconds, 0.020,
              tolerance);
  // robots.txt first (0 to 10 ms); the pages wait for it: at 10, 12 and 14 ms.
  EXPECT_NEAR(ideal_crawl(leaf_sites(), three_on_a, anywhere, 3, milliseconds(2), true).seconds, 0.024, tolerance);
  // At 10, 16 and 22 ms.
  EXPECT_NEAR(ideal_crawl(leaf_sites(), three_on_a, anywhere, 3, milliseconds(6), true).seconds, 0.032, tolerance);
}

TEST(IdealCrawl, CrawlDelayOfRobotsTxtWhenObeyed) {
  const SiteSet sites = parse_sites(
      "[[site]]\nhost = \"a.test\"\nlatency_ms = 10\npages = 10\nrobots = \"rules\"\ncrawl_delay_ms = 25\n", "t");
  // robots.txt at 0 (done at 10); then pages at 25, 50 and 75.
  EXPECT_NEAR(ideal_crawl(sites, three_on_a, anywhere, 3, milliseconds(0), true).seconds, 0.085, tolerance);
  // A longer delay wins: 30, 60, 90.
  EXPECT_NEAR(ideal_crawl(sites, three_on_a, anywhere, 3, milliseconds(30), true).seconds, 0.100, tolerance);
  // Not obeyed: no robots.txt, no Crawl-delay; the pages at 0, then the /private/0 they link at 10.
  const auto rude = ideal_crawl(sites, three_on_a, anywhere, 3, milliseconds(0), false);
  EXPECT_NEAR(rude.seconds, 0.020, tolerance);
  EXPECT_EQ(rude.requests, 4u);
}

TEST(IdealCrawl, MaxInFlightAndMaxPages) {
  const std::vector<std::string> two_each{"http://a.test/page/0", "http://a.test/page/1", "http://b.test/page/0",
                                          "http://b.test/page/1"};
  EXPECT_NEAR(ideal_crawl(leaf_sites(), two_each, anywhere, 2, milliseconds(0), false, 0).seconds, 0.010, tolerance);
  EXPECT_NEAR(ideal_crawl(leaf_sites(), two_each, anywhere, 2, milliseconds(0), false, 1).seconds, 0.040, tolerance);
  EXPECT_NEAR(ideal_crawl(leaf_sites(), two_each, anywhere, 2, milliseconds(0), false, 3).seconds, 0.020, tolerance);
  // Robots first on both hosts (one slot: 10 + 10), then the four pages two at a time.
  EXPECT_NEAR(ideal_crawl(leaf_sites(), two_each, anywhere, 2, milliseconds(0), true, 2).seconds, 0.030, tolerance);

  const auto capped = ideal_crawl(leaf_sites(), three_on_a, anywhere, 1, milliseconds(0), false, 0, 2);
  EXPECT_NEAR(capped.seconds, 0.020, tolerance);
  EXPECT_EQ(capped.requests, 2u);
}

TEST(IdealCrawl, RobotsErrorFetchesOnlyRobotsTxt) {
  const SiteSet sites =
      parse_sites("[[site]]\nhost = \"e.test\"\nlatency_ms = 10\npages = 3\nchain = true\nrobots = \"500\"\n", "t");
  const auto crawl = ideal_crawl(sites, {"http://e.test/page/0"}, anywhere, 2, milliseconds(0), true);
  EXPECT_NEAR(crawl.seconds, 0.010, tolerance);
  EXPECT_EQ(crawl.requests, 1u);
}

// --- the synthetic crawl sites ----------------------------------------------------------------

cli::SyntheticSpec spec_of(std::size_t urls, unsigned hosts) {
  cli::SyntheticSpec spec;
  spec.urls = urls;
  spec.hosts = hosts;
  spec.latency = milliseconds(10);
  spec.body_bytes = 4000;
  return spec;
}

TEST(SyntheticCrawl, FetchesEveryPageAndAFewPercentMore) {
  const auto spec = spec_of(2000, 4);
  const SiteSet sites = parse_sites(cli::synthetic_crawl_sites_toml(spec, 4), "synthetic");
  ASSERT_EQ(sites.sites.size(), 4u);
  const auto seeds = cli::synthetic_crawl_seeds(spec);
  EXPECT_EQ(seeds, (std::vector<std::string>{"http://h1.synthetic.test/page/0", "http://h2.synthetic.test/page/0",
                                             "http://h3.synthetic.test/page/0", "http://h4.synthetic.test/page/0"}));
  const auto in_set = [&](std::string_view host) { return sites.find(host) != nullptr; };
  const auto expected = origin::expected_crawl(sites, seeds, in_set);

  std::size_t pages = 0;
  for (const auto& [url, depth] : expected.pages) {
    pages += url.find("/page/") != std::string::npos && url.find('?') == std::string::npos;
  }
  EXPECT_EQ(pages, 2000u);  // every page is reachable
  // At most 5 more URLs per ceil(500 / 100) per host: query variants, moved, missing, file, nofollow.
  EXPECT_GE(expected.pages.size(), 2000u);
  EXPECT_LE(expected.pages.size(), 2100u);
  EXPECT_EQ(expected.robots_hosts.size(), 4u);
  EXPECT_EQ(expected.disallowed.size(), 4u * 5u);  // /private/0 .. /private/4 on each host

  // The simulation fetches the same set: every page and one robots.txt per host.
  const auto crawl = ideal_crawl(sites, seeds, in_set, 4, milliseconds(0), true);
  EXPECT_EQ(crawl.requests, expected.pages.size() + 4u);
  EXPECT_GT(crawl.seconds, 0.0);
}

TEST(SyntheticCrawl, OddCountsAndOneHost) {
  auto spec = spec_of(7, 3);
  spec.scheme = "https";
  const SiteSet sites = parse_sites(cli::synthetic_crawl_sites_toml(spec, 2), "synthetic");
  EXPECT_EQ(sites.sites.at(0).pages, 3u);
  EXPECT_EQ(sites.sites.at(0).scheme, "https");
  EXPECT_EQ(cli::synthetic_crawl_seeds(spec).at(2), "https://h3.synthetic.test/page/0");

  const auto single = spec_of(50, 1);
  const SiteSet one = parse_sites(cli::synthetic_crawl_sites_toml(single, 3), "synthetic");
  EXPECT_EQ(one.sites.at(0).cross_links, 0u);
  const auto expected = origin::expected_crawl(one, cli::synthetic_crawl_seeds(single), anywhere);
  EXPECT_GE(expected.pages.size(), 50u);
}

}  // namespace
}  // namespace fetcher::bench
