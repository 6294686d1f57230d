// html_report.hpp: `fetcher bench --report FILE.html`: one self-contained page (inline CSS and
// SVG, no scripts, no external assets) with each list's table, wall time against workers with
// the ideal curve, speedup against sequential, latency per strategy, and the reading.
#pragma once

#include "bench/bench_report.hpp"

#include <string>
#include <string_view>

namespace fetcher::cli {

std::string render_html_report(const BenchReport& report);

// Text safe inside HTML elements and attribute values.
std::string html_escape(std::string_view text);

}  // namespace fetcher::cli
