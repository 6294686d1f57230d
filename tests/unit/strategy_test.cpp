// Unit tests for strategy names: Strategy::parse / name(), parse_strategies, and the bench's
// default_strategies (the sweep it parses).
#include <fetcher/strategy.hpp>
#include <fetcher/bench/default_sweep.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace fetcher {
namespace {

using Kind = Strategy::Kind;

std::vector<std::string> names(const std::vector<Strategy>& strategies) {
  std::vector<std::string> out;
  for (const auto& strategy : strategies) out.push_back(strategy.name());
  return out;
}

// Expects parse(text) to throw std::invalid_argument whose message is exactly `expected`.
void expect_invalid(std::string_view text, const std::string& expected) {
  try {
    (void)Strategy::parse(text);
    ADD_FAILURE() << "expected std::invalid_argument for '" << text << "'";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), expected) << "input '" << text << "'";
  }
}

TEST(StrategyParse, KnownNames) {
  const auto sequential = Strategy::parse("sequential");
  EXPECT_EQ(sequential.kind, Kind::sequential);
  EXPECT_EQ(sequential.workers, 1u);

  const auto threads = Strategy::parse("threads");
  EXPECT_EQ(threads.kind, Kind::threads);

  const auto async = Strategy::parse("async");
  EXPECT_EQ(async.kind, Kind::async);

  const auto pool = Strategy::parse("pool:8");
  EXPECT_EQ(pool.kind, Kind::pool);
  EXPECT_EQ(pool.workers, 8u);

  EXPECT_EQ(Strategy::parse("pool:1").workers, 1u);
  EXPECT_EQ(Strategy::parse("pool:10000").workers, 10000u);
  EXPECT_EQ(Strategy::parse("pool:007").workers, 7u);

  const auto loops = Strategy::parse("async:4");
  EXPECT_EQ(loops.kind, Kind::async);
  EXPECT_EQ(loops.workers, 4u);
  EXPECT_EQ(Strategy::parse("async:256").workers, 256u);

  const auto processes = Strategy::parse("processes:4");
  EXPECT_EQ(processes.kind, Kind::processes);
  EXPECT_EQ(processes.workers, 4u);
  EXPECT_EQ(Strategy::parse("processes:1024").workers, 1024u);
}

TEST(StrategyParse, AsyncOneIsAsync) {
  EXPECT_EQ(Strategy::parse("async:1"), Strategy::parse("async"));
  EXPECT_EQ(Strategy::parse("async:1").name(), "async");
}

TEST(StrategyParse, NameRoundTrips) {
  for (const char* text : {"sequential", "threads", "async", "pool:1", "pool:2", "pool:16", "pool:10000", "async:2",
                           "async:256", "processes:1", "processes:4", "processes:1024"}) {
    const auto strategy = Strategy::parse(text);
    EXPECT_EQ(strategy.name(), text);
    EXPECT_EQ(Strategy::parse(strategy.name()), strategy) << text;
  }
  EXPECT_EQ(Strategy::parse("pool:007").name(), "pool:7");
}

TEST(StrategyParse, NameOfHandBuiltStrategies) {
  EXPECT_EQ((Strategy{Kind::sequential, 1}).name(), "sequential");
  EXPECT_EQ((Strategy{Kind::threads, 0}).name(), "threads");
  EXPECT_EQ((Strategy{Kind::pool, 32}).name(), "pool:32");
  EXPECT_EQ((Strategy{Kind::async, 1}).name(), "async");
  EXPECT_EQ((Strategy{Kind::async, 3}).name(), "async:3");
  EXPECT_EQ((Strategy{Kind::processes, 2}).name(), "processes:2");
  EXPECT_EQ(Strategy{}.name(), "sequential");
}

TEST(StrategyParse, BadWorkerCounts) {
  expect_invalid("pool:0", "pool:0: worker count must be at least 1");
  expect_invalid("pool:abc", "pool:abc: worker count must be a whole number");
  expect_invalid("pool:", "pool:: worker count must be a whole number");
  expect_invalid("pool:-1", "pool:-1: worker count must be a whole number");
  expect_invalid("pool:+4", "pool:+4: worker count must be a whole number");
  expect_invalid("pool:4x", "pool:4x: worker count must be a whole number");
  expect_invalid("pool: 4", "pool: 4: worker count must be a whole number");
  expect_invalid("pool:1.5", "pool:1.5: worker count must be a whole number");
  expect_invalid("pool:10001", "pool:10001: worker count must be at most 10000");
  expect_invalid("pool:99999999999999999999", "pool:99999999999999999999: worker count must be a whole number");
}

TEST(StrategyParse, BadLoopAndProcessCounts) {
  expect_invalid("async:0", "async:0: event loop count must be at least 1");
  expect_invalid("async:", "async:: event loop count must be a whole number");
  expect_invalid("async:2x", "async:2x: event loop count must be a whole number");
  expect_invalid("async:257", "async:257: event loop count must be at most 256");
  expect_invalid("processes:0", "processes:0: process count must be at least 1");
  expect_invalid("processes:-2", "processes:-2: process count must be a whole number");
  expect_invalid("processes:1025", "processes:1025: process count must be at most 1024");
}

TEST(StrategyParse, UnknownNames) {
  const std::string expected_tail = "' (expected sequential, threads, pool:N, async, async:N or processes:N)";
  expect_invalid("bogus", "unknown strategy 'bogus" + expected_tail);
  expect_invalid("", "unknown strategy '" + expected_tail);
  expect_invalid("Sequential", "unknown strategy 'Sequential" + expected_tail);
  expect_invalid("pool", "unknown strategy 'pool" + expected_tail);
  expect_invalid("pool8", "unknown strategy 'pool8" + expected_tail);
  expect_invalid(" async", "unknown strategy ' async" + expected_tail);
  expect_invalid("threads ", "unknown strategy 'threads " + expected_tail);
  expect_invalid("processes", "unknown strategy 'processes" + expected_tail);
  expect_invalid("process:2", "unknown strategy 'process:2" + expected_tail);
}

TEST(ParseStrategies, List) {
  const auto strategies = parse_strategies("sequential,pool:8,async");
  ASSERT_EQ(strategies.size(), 3u);
  EXPECT_EQ(strategies[0], (Strategy{Kind::sequential, 1}));
  EXPECT_EQ(strategies[1], (Strategy{Kind::pool, 8}));
  EXPECT_EQ(strategies[2], (Strategy{Kind::async, 1}));
}

TEST(ParseStrategies, SingleItemAndDuplicatesKeptInOrder) {
  EXPECT_EQ(names(parse_strategies("threads")), (std::vector<std::string>{"threads"}));
  EXPECT_EQ(names(parse_strategies("pool:2,pool:1,pool:2")), (std::vector<std::string>{"pool:2", "pool:1", "pool:2"}));
}

TEST(ParseStrategies, EmptyItemsAreRejected) {
  for (const char* text : {"", ",", "sequential,", ",async", "sequential,,async"}) {
    try {
      (void)parse_strategies(text);
      ADD_FAILURE() << "expected std::invalid_argument for '" << text << "'";
    } catch (const std::invalid_argument& error) {
      EXPECT_EQ(std::string(error.what()), "empty strategy name in list") << text;
    }
  }
}

TEST(ParseStrategies, BadItemNamesTheItem) {
  try {
    (void)parse_strategies("sequential,pool:0,async");
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), "pool:0: worker count must be at least 1");
  }
  try {
    (void)parse_strategies("sequential,fast");
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()),
              "unknown strategy 'fast' (expected sequential, threads, pool:N, async, async:N or processes:N)");
  }
}

TEST(DefaultStrategies, AreTheCourseSweepPlusProcessesAndEventLoops) {
  EXPECT_EQ(names(bench::default_strategies()),
            (std::vector<std::string>{"sequential", "threads", "pool:1", "pool:2", "pool:4", "pool:8", "pool:16",
                                      "pool:32", "processes:4", "async"}));
  const auto strategies = bench::default_strategies();
  ASSERT_EQ(strategies.size(), 10u);
  EXPECT_EQ(strategies[0].kind, Kind::sequential);
  EXPECT_EQ(strategies[1].kind, Kind::threads);
  const unsigned workers[] = {1, 2, 4, 8, 16, 32};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(strategies[2 + i].kind, Kind::pool) << i;
    EXPECT_EQ(strategies[2 + i].workers, workers[i]) << i;
  }
  EXPECT_EQ(strategies[8], (Strategy{Kind::processes, 4}));
  EXPECT_EQ(strategies[9], (Strategy{Kind::async, 1}));
}

}  // namespace
}  // namespace fetcher
