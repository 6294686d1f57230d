// strategy.hpp: how a run schedules its fetches. Names are spelled as on the command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fetcher {

struct Strategy {
  enum class Kind {
    sequential,  // one thread, one fetch at a time, in list order
    threads,     // one OS thread per URL, all started, then all joined
    pool,        // `workers` threads take URLs from one shared queue, in list order
    async,       // one thread, one event loop, every fetch in flight (see RunOptions)
  };

  Kind kind = Kind::sequential;
  unsigned workers = 1;  // pool only

  // "sequential", "threads", "pool:N" (N >= 1), "async". Throws std::invalid_argument
  // with a message naming the bad part ("pool:0: worker count must be at least 1").
  static Strategy parse(std::string_view text);
  std::string name() const;

  friend bool operator==(const Strategy&, const Strategy&) = default;
};

// Parses a comma-separated list ("sequential,pool:8,async").
std::vector<Strategy> parse_strategies(std::string_view text);

// The bench's default set: the course notebooks' sweep plus the event loop.
std::vector<Strategy> default_strategies();

}  // namespace fetcher
