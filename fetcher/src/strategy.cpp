// strategy.cpp: strategy names as the command line spells them.
#include <fetcher/strategy.hpp>

#include <charconv>
#include <stdexcept>

namespace fetcher {

Strategy Strategy::parse(std::string_view text) {
  if (text == "sequential") return {Kind::sequential, 1};
  if (text == "threads") return {Kind::threads, 0};
  if (text == "async") return {Kind::async, 1};
  if (text.starts_with("pool:")) {
    const auto count = text.substr(5);
    unsigned workers = 0;
    const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), workers);
    if (count.empty() || error != std::errc{} || end != count.data() + count.size()) {
      throw std::invalid_argument(std::string(text) + ": worker count must be a whole number");
    }
    if (workers < 1) throw std::invalid_argument(std::string(text) + ": worker count must be at least 1");
    if (workers > 10000) throw std::invalid_argument(std::string(text) + ": worker count must be at most 10000");
    return {Kind::pool, workers};
  }
  throw std::invalid_argument("unknown strategy '" + std::string(text) +
                              "' (expected sequential, threads, pool:N or async)");
}

std::string Strategy::name() const {
  switch (kind) {
    case Kind::sequential: return "sequential";
    case Kind::threads: return "threads";
    case Kind::pool: return "pool:" + std::to_string(workers);
    case Kind::async: return "async";
  }
  return "unknown";
}

std::vector<Strategy> parse_strategies(std::string_view text) {
  std::vector<Strategy> strategies;
  while (true) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    if (item.empty()) throw std::invalid_argument("empty strategy name in list");
    strategies.push_back(Strategy::parse(item));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return strategies;
}

std::vector<Strategy> default_strategies() {
  return parse_strategies("sequential,threads,pool:1,pool:2,pool:4,pool:8,pool:16,pool:32,async");
}

}  // namespace fetcher
