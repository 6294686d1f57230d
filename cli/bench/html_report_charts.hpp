// html_report_charts.hpp: the charts of one list in the HTML report: wall time against pool
// workers with the ideal curve (or, with fewer than two pools, wall time per strategy with the
// ideal marked), speedup against sequential, and every fetch's latency per strategy.
#pragma once

#include "bench/bench_report.hpp"

#include <string>
#include <vector>

namespace fetcher::cli {

// One chart of a list: its caption and SVG, or, when the data cannot draw it, why not. A chart
// without data is left out with its reason rather than drawn as an empty panel.
struct Chart {
  std::string caption;   // HTML
  std::string svg;       // empty when withheld
  std::string withheld;  // plain text: why there is no chart; empty when there is one
  bool wide = false;     // spans both columns of the grid
};

// The list's charts in the page's order: wall time, speedup, latency. One the data cannot draw
// comes back withheld, with its reason.
std::vector<Chart> list_charts(const ListReport& list);

}  // namespace fetcher::cli
