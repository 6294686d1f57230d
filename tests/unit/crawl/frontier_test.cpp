// frontier_test.cpp: the crawl's breadth-first frontier per host.
#include "frontier.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fetcher::crawl {
namespace {

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

}  // namespace
}  // namespace fetcher::crawl
