// default_sweep.hpp: the strategies `fetcher bench` runs when none are named: the course
// notebooks' sweep. The library parses any strategy; which ones a benchmark compares is the
// bench's choice.
#pragma once

#include <fetcher/strategy.hpp>

#include <string_view>
#include <vector>

namespace fetcher::bench {

// The notebooks' sweep (sequential, threads, pools of 1 to 32, a pool of 4 processes) plus the
// event loop. async:N is for scale (--synthetic); on the course lists it ties with async and
// would only make the default run longer.
inline constexpr std::string_view default_strategy_names =
    "sequential,threads,pool:1,pool:2,pool:4,pool:8,pool:16,pool:32,processes:4,async";

// parse_strategies(default_strategy_names).
std::vector<Strategy> default_strategies();

}  // namespace fetcher::bench
