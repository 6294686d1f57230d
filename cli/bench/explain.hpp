// explain.hpp: `fetcher bench --explain`: a few plain sentences that read one list's results:
// where the speedup stopped and why (workers against URLs, a host's capacity, the slowest URL),
// how close each strategy came to its ideal, and what the event loop saved in threads and memory.
#pragma once

#include "bench/bench_report.hpp"

#include <string>
#include <vector>

namespace fetcher::cli {

// The reading as paragraphs, each a sentence or two computed from this run's numbers. Empty
// when there is nothing to compare (a single strategy and no model).
std::vector<std::string> explain(const ListReport& list);

// The paragraphs as a bulleted block wrapped to `width` columns, with a title line.
std::string render_explanation(const ListReport& list, std::size_t width = table_width_limit);

}  // namespace fetcher::cli
