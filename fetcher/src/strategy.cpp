// strategy.cpp: strategy names as the command line spells them.
#include <fetcher/strategy.hpp>

#include <charconv>
#include <stdexcept>

namespace fetcher {
namespace {

// The N of "pool:N", "async:N", "processes:N": a whole number in [1, most].
unsigned parse_count(std::string_view text, std::string_view count, std::string_view what, unsigned most) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), value);
  if (count.empty() || error != std::errc{} || end != count.data() + count.size()) {
    throw std::invalid_argument(std::string(text) + ": " + std::string(what) + " must be a whole number");
  }
  if (value < 1) throw std::invalid_argument(std::string(text) + ": " + std::string(what) + " must be at least 1");
  if (value > most) {
    throw std::invalid_argument(std::string(text) + ": " + std::string(what) + " must be at most " +
                                std::to_string(most));
  }
  return value;
}

}  // namespace

Strategy Strategy::parse(std::string_view text) {
  if (text == "sequential") return {Kind::sequential, 1};
  if (text == "threads") return {Kind::threads, 0};
  if (text == "async") return {Kind::async, 1};
  if (text.starts_with("pool:")) return {Kind::pool, parse_count(text, text.substr(5), "worker count", 10000)};
  if (text.starts_with("async:")) return {Kind::async, parse_count(text, text.substr(6), "event loop count", 256)};
  if (text.starts_with("processes:")) {
    return {Kind::processes, parse_count(text, text.substr(10), "process count", 1024)};
  }
  throw std::invalid_argument("unknown strategy '" + std::string(text) +
                              "' (expected sequential, threads, pool:N, async, async:N or processes:N)");
}

std::string Strategy::name() const {
  switch (kind) {
    case Kind::sequential: return "sequential";
    case Kind::threads: return "threads";
    case Kind::pool: return "pool:" + std::to_string(workers);
    case Kind::async: return workers <= 1 ? std::string("async") : "async:" + std::to_string(workers);
    case Kind::processes: return "processes:" + std::to_string(workers);
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

}  // namespace fetcher
