// strategy.hpp: how a run schedules its fetches. Names are spelled as on the command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fetcher {

struct Strategy {
  enum class Kind {
    sequential,  // one thread, one fetch at a time, in list order
    threads,     // one OS thread per URL, started as the URL is dispatched, joined as it ends
    pool,        // `workers` threads take URLs from one shared queue, in list order
    async,       // `workers` event loops on as many threads (the caller's among them), every
                 // fetch in flight; URLs dealt round-robin to the loops (see RunOptions)
    processes,   // `workers` forked processes take URLs from one shared queue, in list order,
                 // one blocking fetch at a time each (the notebooks' process pool)
  };

  Kind kind = Kind::sequential;
  unsigned workers = 1;  // pool, processes: workers; async: event loops (1 for plain "async")

  // "sequential", "threads", "pool:N" (1..10000), "async", "async:N" (1..256; "async:1" is
  // "async"), "processes:N" (1..1024). Throws std::invalid_argument with a message naming the
  // bad part ("pool:0: worker count must be at least 1").
  static Strategy parse(std::string_view text);
  std::string name() const;

  friend bool operator==(const Strategy&, const Strategy&) = default;
};

// Parses a comma-separated list ("sequential,pool:8,async").
std::vector<Strategy> parse_strategies(std::string_view text);

}  // namespace fetcher
