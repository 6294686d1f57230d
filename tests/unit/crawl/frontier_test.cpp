// frontier_test.cpp: the crawl's small pieces: the seen-set of URL hashes, the breadth-first
// frontier per host, and the scope filter.
#include "frontier.hpp"
#include "scope.hpp"
#include "seen_set.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fetcher::crawl {
namespace {

TEST(SeenSet, InsertsOnceAndGrowsWithoutLosingAnything) {
  SeenSet seen;
  for (std::uint64_t i = 0; i < 100'000; ++i)
    EXPECT_TRUE(seen.insert(url_hash("http://a.test/page/" + std::to_string(i))));
  EXPECT_EQ(seen.size(), 100'000u);
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    const auto hash = url_hash("http://a.test/page/" + std::to_string(i));
    EXPECT_TRUE(seen.contains(hash));
    EXPECT_FALSE(seen.insert(hash));
  }
  EXPECT_FALSE(seen.contains(url_hash("http://a.test/page/100000")));
  // Eight bytes a slot, at most half of them full.
  EXPECT_LE(seen.bytes(), 4 * 8 * 100'000u);
}

TEST(SeenSet, ZeroIsAHashLikeAnyOther) {
  SeenSet seen;
  EXPECT_TRUE(seen.insert(0));
  EXPECT_FALSE(seen.insert(0));
  EXPECT_TRUE(seen.contains(0));
}

TEST(UrlHash, IsStableAndTellsNearbyUrlsApart) {
  // Stable across runs and machines: a shared seen-set may rely on it.
  EXPECT_NE(url_hash("http://a.test/1"), url_hash("http://a.test/2"));
  EXPECT_NE(url_hash("http://a.test/12"), url_hash("http://a.test/21"));
  // FNV-1a 64 then splitmix64's finaliser, computed independently.
  EXPECT_EQ(url_hash("http://a.test/1"), 0x0d70d73624b12a55ull);
}

TEST(Frontier, TakesTheLowestDepthFirstThenTheOrderFound) {
  Frontier frontier;
  frontier.push(0, {"d2-first", 2, nullptr});
  frontier.push(0, {"d1-first", 1, nullptr});
  frontier.push(0, {"d2-second", 2, nullptr});
  frontier.push(0, {"d1-second", 1, nullptr});
  frontier.push(1, {"other-host", 0, nullptr});
  EXPECT_EQ(frontier.size(), 5u);
  EXPECT_EQ(frontier.pop(0)->url, "d1-first");
  EXPECT_EQ(frontier.pop(0)->url, "d1-second");
  frontier.push(0, {"d0-late", 0, nullptr});
  EXPECT_EQ(frontier.pop(0)->url, "d0-late");
  EXPECT_EQ(frontier.pop(0)->url, "d2-first");
  EXPECT_EQ(frontier.pop(0)->url, "d2-second");
  EXPECT_FALSE(frontier.pop(0));
  EXPECT_TRUE(frontier.empty(0));
  EXPECT_FALSE(frontier.empty(1));
  EXPECT_FALSE(frontier.pop(7));
  EXPECT_EQ(frontier.size(), 1u);
}

TEST(Frontier, DropForgetsOneHostOnly) {
  Frontier frontier;
  for (int i = 0; i < 3; ++i) frontier.push(2, {"x" + std::to_string(i), 0, nullptr});
  frontier.push(3, {"y", 0, nullptr});
  EXPECT_EQ(frontier.drop(2), 3u);
  EXPECT_EQ(frontier.drop(2), 0u);
  EXPECT_EQ(frontier.size(), 1u);
  EXPECT_EQ(frontier.pop(3)->url, "y");
}

TEST(Scope, HostDomainAndAny) {
  const std::vector<std::string> seeds = {"www.a.org", "b.net", "127.0.0.1"};
  ScopeFilter host(CrawlScope::host, seeds);
  EXPECT_TRUE(host.in_scope("www.a.org"));
  EXPECT_TRUE(host.in_scope("b.net"));
  EXPECT_TRUE(host.in_scope("127.0.0.1"));
  EXPECT_FALSE(host.in_scope("a.org"));
  EXPECT_FALSE(host.in_scope("docs.b.net"));

  ScopeFilter domain(CrawlScope::domain, seeds);
  EXPECT_TRUE(domain.in_scope("a.org"));
  EXPECT_TRUE(domain.in_scope("docs.a.org"));
  EXPECT_TRUE(domain.in_scope("www.a.org"));
  EXPECT_TRUE(domain.in_scope("x.y.b.net"));
  EXPECT_FALSE(domain.in_scope("notb.net"));
  EXPECT_FALSE(domain.in_scope("a.org.evil.test"));
  EXPECT_FALSE(domain.in_scope("1.127.0.0.1"));

  ScopeFilter any(CrawlScope::any, seeds);
  EXPECT_TRUE(any.in_scope("anything.test"));

  CrawlScope parsed = CrawlScope::any;
  EXPECT_TRUE(parse_crawl_scope("domain", parsed));
  EXPECT_EQ(parsed, CrawlScope::domain);
  EXPECT_FALSE(parse_crawl_scope("Domain", parsed));
}

}  // namespace
}  // namespace fetcher::crawl
