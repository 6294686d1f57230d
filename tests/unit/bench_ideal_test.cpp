// bench_ideal_test.cpp: the ideal time of each strategy, checked against hand-computed
// schedules.
#include <fetcher/bench/ideal.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fetcher::bench {
namespace {

using origin::Site;
using origin::SiteSet;

using std::chrono::milliseconds;

Site make_site(std::string host, int latency_ms, unsigned capacity = 0) {
  Site site;
  site.host = std::move(host);
  site.latency = milliseconds(latency_ms);
  site.body_bytes = 100;
  site.capacity = capacity;
  return site;
}

std::vector<std::string> repeated(const std::string& url, int count) { return std::vector<std::string>(count, url); }

constexpr double tolerance = 1e-9;

TEST(IdealSeconds, EmptyListTakesNoTime) {
  SiteSet sites;
  sites.sites.push_back(make_site("a.test", 10));
  EXPECT_EQ(ideal_seconds(sites, {}, 1), 0.0);
  EXPECT_EQ(ideal_seconds(sites, {}, 0), 0.0);
}

TEST(IdealSeconds, SequentialIsTheSum) {
  SiteSet sites;
  sites.sites = {make_site("a.test", 10), make_site("b.test", 20), make_site("c.test", 30)};
  const std::vector<std::string> urls{"http://a.test/", "https://b.test/x", "http://c.test", "http://a.test/y"};
  EXPECT_NEAR(ideal_seconds(sites, urls, 1), 0.070, tolerance);
}

TEST(IdealSeconds, UnboundedWithUnlimitedCapacityIsTheMax) {
  SiteSet sites;
  sites.sites = {make_site("a.test", 10), make_site("b.test", 20), make_site("c.test", 30)};
  const std::vector<std::string> urls{"http://a.test/", "https://b.test/x", "http://c.test", "http://a.test/y"};
  EXPECT_NEAR(ideal_seconds(sites, urls, 0), 0.030, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, 4), 0.030, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, 100), 0.030, tolerance);
}

TEST(IdealSeconds, CapacityOneSerialisesEveryWorkerCount) {
  SiteSet sites;
  sites.sites = {make_site("cs.mipt.ru", 66, 1)};
  const auto urls = repeated("http://cs.mipt.ru/", 80);
  for (const unsigned workers : {0u, 1u, 2u, 4u, 8u, 16u, 32u, 80u}) {
    EXPECT_NEAR(ideal_seconds(sites, urls, workers), 80 * 0.066, tolerance) << workers << " workers";
  }
}

TEST(IdealSeconds, PoolTakesUrlsInListOrder) {
  // Worker 1 takes the 3 ms URL; worker 2 takes the three 1 ms URLs one after another.
  SiteSet sites;
  sites.sites = {make_site("a.test", 3), make_site("b.test", 1), make_site("c.test", 1), make_site("d.test", 1)};
  const std::vector<std::string> urls{"http://a.test/", "http://b.test/", "http://c.test/", "http://d.test/"};
  EXPECT_NEAR(ideal_seconds(sites, urls, 2), 0.003, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, 1), 0.006, tolerance);
  // Reversed, the 3 ms URL starts last on worker 2, at 1 ms: 4 ms.
  const std::vector<std::string> reversed(urls.rbegin(), urls.rend());
  EXPECT_NEAR(ideal_seconds(sites, reversed, 2), 0.004, tolerance);
}

TEST(IdealSeconds, EveryStrategyMapsToItsWorkers) {
  EXPECT_EQ(ideal_workers(Strategy::parse("sequential"), 0), 1u);
  EXPECT_EQ(ideal_workers(Strategy::parse("threads"), 0), 0u);
  EXPECT_EQ(ideal_workers(Strategy::parse("pool:8"), 0), 8u);
  EXPECT_EQ(ideal_workers(Strategy::parse("processes:4"), 0), 4u);  // a pool, in processes
  EXPECT_EQ(ideal_workers(Strategy::parse("async"), 0), 0u);        // everything in flight
  EXPECT_EQ(ideal_workers(Strategy::parse("async:2"), 0), 0u);
  EXPECT_EQ(ideal_workers(Strategy::parse("async"), 3), 3u);    // capped: lanes in list order
  EXPECT_EQ(ideal_workers(Strategy::parse("async:4"), 3), 3u);  // the cap is over all loops
  EXPECT_EQ(ideal_workers(Strategy::parse("pool:2"), 3), 2u);   // the cap is async's alone
}

TEST(IdealSeconds, OfAStrategy) {
  // Worker 1 takes the 3 ms URL; worker 2 the three 1 ms URLs: 3 ms with two workers.
  SiteSet sites;
  sites.sites = {make_site("a.test", 3), make_site("b.test", 1), make_site("c.test", 1), make_site("d.test", 1)};
  const std::vector<std::string> urls{"http://a.test/", "http://b.test/", "http://c.test/", "http://d.test/"};
  EXPECT_NEAR(ideal_seconds(sites, urls, Strategy::parse("sequential")), 0.006, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, Strategy::parse("processes:2")), 0.003, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, Strategy::parse("async:2")), 0.003, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, Strategy::parse("async:2"), 1), 0.006, tolerance);
  // Ten URLs, 10 ms, capacity 0: one lane per URL; two lanes take five rounds.
  sites.sites = {make_site("e.test", 10)};
  const auto many = repeated("http://e.test/", 10);
  EXPECT_NEAR(ideal_seconds(sites, many, Strategy::parse("async:4")), 0.010, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, many, Strategy::parse("async:4"), 2), 0.050, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, many, Strategy::parse("processes:3")), 0.040, tolerance);
}

TEST(IdealSeconds, RedirectChainCostsBothRequests) {
  SiteSet sites;
  Site python = make_site("www.python.org", 40);
  python.redirect = "https://www.python.org/";
  sites.sites = {python};
  EXPECT_NEAR(ideal_seconds(sites, {"http://www.python.org"}, 1), 0.080, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, {"http://www.python.org/"}, 1), 0.080, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, {"https://www.python.org/"}, 1), 0.040, tolerance);
  // A redirect to another known host pays that host's latency for the second hop.
  Site old_site = make_site("old.test", 5);
  old_site.redirect = "https://www.python.org/";
  sites.sites.push_back(old_site);
  EXPECT_NEAR(ideal_seconds(sites, {"http://old.test/anything"}, 1), 0.045, tolerance);
}

TEST(IdealSeconds, RedirectLoopStopsAfterTenRedirects) {
  SiteSet sites;
  Site ping = make_site("ping.test", 1);
  ping.redirect = "http://pong.test/";
  Site pong = make_site("pong.test", 1);
  pong.redirect = "http://ping.test/";
  sites.sites = {ping, pong};
  // ping.test/ and pong.test/ are never the redirect target's own URL, so they bounce forever:
  // the first request plus ten followed redirects.
  EXPECT_NEAR(ideal_seconds(sites, {"http://ping.test/start"}, 1), 0.011, tolerance);
}

TEST(IdealSeconds, CapacityTwoWithFourWorkers) {
  // Six 10 ms requests, two served at once: three rounds.
  SiteSet sites;
  sites.sites = {make_site("slow.test", 10, 2)};
  const auto urls = repeated("http://slow.test/", 6);
  EXPECT_NEAR(ideal_seconds(sites, urls, 4), 0.030, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, 2), 0.030, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, 1), 0.060, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, 0), 0.030, tolerance);
}

TEST(IdealSeconds, CapacityIsPerHost) {
  // Four workers: two URLs queue on slow.test (capacity 1, 10 ms each: 20 ms), while the fast
  // host's URLs pass freely; the last fast URL waits for a free worker.
  SiteSet sites;
  sites.sites = {make_site("slow.test", 10, 1), make_site("fast.test", 2)};
  const std::vector<std::string> urls{"http://slow.test/1", "http://slow.test/2", "http://fast.test/1",
                                      "http://fast.test/2", "http://fast.test/3"};
  EXPECT_NEAR(ideal_seconds(sites, urls, 4), 0.020, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, 2), 0.020, tolerance);  // worker 2: slow/2 waits 10, runs 10, then fast*3
  EXPECT_NEAR(ideal_seconds(sites, urls, 1), 0.026, tolerance);
}

TEST(IdealSeconds, UnknownHostsAndBadUrlsCostNothing) {
  SiteSet sites;
  sites.sites = {make_site("a.test", 10)};
  const std::vector<std::string> urls{"http://unknown.test/", "not a url", "ftp://a.test/", "http://a.test/"};
  EXPECT_NEAR(ideal_seconds(sites, urls, 1), 0.010, tolerance);
  EXPECT_EQ(ideal_seconds(sites, {"http://unknown.test/"}, 1), 0.0);
  // A redirect to an unknown host ends the chain after the first request.
  sites.sites[0].redirect = "https://elsewhere.test/";
  EXPECT_NEAR(ideal_seconds(sites, {"http://a.test/"}, 1), 0.010, tolerance);
}

// URLs the client rejects fail at once in a real run, so the model does not fetch them either:
// a port out of range or zero, and a port the bench does not route to the origin.
TEST(IdealSeconds, UrlsTheClientRejectsCostNothing) {
  SiteSet sites;
  sites.sites = {make_site("docs.python.org", 10)};
  EXPECT_EQ(ideal_seconds(sites, {"https://docs.python.org:99999/"}, 1), 0.0);
  EXPECT_EQ(ideal_seconds(sites, {"https://docs.python.org:0/"}, 1), 0.0);
  EXPECT_EQ(ideal_seconds(sites, {"https://docs.python.org:8443/"}, 1), 0.0);
  EXPECT_EQ(ideal_seconds(sites, {"http://user@/"}, 1), 0.0);
  const std::vector<std::string> urls{"https://docs.python.org/3/", "https://docs.python.org:99999/",
                                      "https://docs.python.org:0/", "HTTPS://DOCS.python.org:443/x"};
  EXPECT_NEAR(ideal_seconds(sites, urls, 1), 0.020, tolerance);
}

TEST(IdealSeconds, JitterFollowsRequestLatencyPerRepeat) {
  SiteSet sites;
  sites.seed = 42;
  Site site = make_site("j.test", 50, 1);
  site.jitter = milliseconds(20);
  sites.sites = {site};
  const auto urls = repeated("http://j.test/page", 5);
  double expected = 0;
  for (std::uint64_t repeat = 0; repeat < 5; ++repeat) {
    expected += std::chrono::duration<double>(origin::request_latency(sites, sites.sites[0], "/page", repeat)).count();
  }
  EXPECT_NEAR(ideal_seconds(sites, urls, 1), expected, tolerance);
  EXPECT_NEAR(ideal_seconds(sites, urls, 0), expected, tolerance);  // capacity 1: still one at a time
  EXPECT_NE(expected, 0.250);                                       // the jitter did something
}

TEST(IdealSeconds, JitterUnboundedIsTheLongestRepeat) {
  SiteSet sites;
  Site site = make_site("j.test", 50);
  site.jitter = milliseconds(20);
  sites.sites = {site};
  const auto urls = repeated("http://j.test/", 8);
  std::chrono::microseconds longest{0};
  for (std::uint64_t repeat = 0; repeat < 8; ++repeat) {
    longest = std::max(longest, origin::request_latency(sites, sites.sites[0], "/", repeat));
  }
  EXPECT_NEAR(ideal_seconds(sites, urls, 0), std::chrono::duration<double>(longest).count(), tolerance);
}

TEST(IdealSeconds, ShippedMiptListIsSerialisedByTheServer) {
  // The notebook's finding: 80 threads are no faster than one against cs.mipt.ru.
  const SiteSet sites = origin::load_sites(std::string(FETCHER_SOURCE_DIR) + "/urls/sites.toml");
  const auto urls = repeated("http://cs.mipt.ru/advanced_python", 80);
  const double sequential = ideal_seconds(sites, urls, 1);
  EXPECT_NEAR(sequential, 80 * 0.066, 80 * 0.003);
  for (const unsigned workers : {0u, 2u, 8u, 32u}) EXPECT_NEAR(ideal_seconds(sites, urls, workers), sequential, 1e-9);
}

}  // namespace
}  // namespace fetcher::bench
