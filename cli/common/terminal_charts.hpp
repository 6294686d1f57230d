// terminal_charts.hpp: pictures under the bench table: a bar per strategy (wall time with the
// ideal part marked) and a latency histogram for one strategy, both within a terminal's width.
#pragma once

#include "bench/bench_report.hpp"
#include "common/terminal_style.hpp"

#include <string>
#include <vector>

namespace fetcher::cli {

// One bar per strategy, scaled to the slowest: the ideal part solid (█ or #), the time over
// the ideal shaded (▒ or -), the wall time after it. Empty for a list without strategies.
std::string render_wall_bars(const ListReport& list, const Style& style, std::size_t width = table_width_limit);

// Latency counts in equal-width bins covering the fastest to the slowest fetch: the width is
// round (1, 2 or 5 times a power of ten) and the edges multiples of it, so the histogram's labels
// show them exactly with the decimals the width needs. One value makes one bin, low == high.
struct HistogramBin {
  double low_s = 0;
  double high_s = 0;
  std::size_t count = 0;
};
// `bins` is the most bins: 0 chooses Sturges' number (1 + log2 n, at most 12). Empty for an
// empty sample.
std::vector<HistogramBin> latency_bins(const std::vector<double>& latencies_s, std::size_t bins = 0);

// The histogram of one strategy's latencies, with p50/p95/max in its title; empty when that
// strategy is not in the list or got no responses.
std::string render_latency_histogram(const ListReport& list, const std::string& strategy, const Style& style,
                                     std::size_t width = table_width_limit);

// The strategy whose histogram is shown by default: async when it ran, else the fastest.
std::string default_histogram_strategy(const ListReport& list);

}  // namespace fetcher::cli
