// seen_set_test.cpp: the seen-set of URL hashes, and the hash it keys on (url_hash.hpp).
#include "seen_set.hpp"

#include <fetcher/crawl/url_hash.hpp>

#include <gtest/gtest.h>

#include <cstdint>
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

}  // namespace
}  // namespace fetcher::crawl
