// default_sweep.cpp: see default_sweep.hpp.
#include <fetcher/bench/default_sweep.hpp>

namespace fetcher::bench {

std::vector<Strategy> default_strategies() { return parse_strategies(default_strategy_names); }

}  // namespace fetcher::bench
