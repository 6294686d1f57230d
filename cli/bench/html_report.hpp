// html_report.hpp: `fetcher bench --report FILE.html`: one self-contained page (inline CSS and
// SVG, no scripts, no external assets): what each column means, then per list its table, the
// footer's statements, and charts: wall time against pool workers with the ideal curve (or, with
// fewer than two pools, wall time per strategy with the ideal marked), speedup against
// sequential, and every fetch's latency per strategy with its median and p95; then the reading.
// A chart the data cannot draw (no sequential run, no response at all) is left out and a line
// says why: the page never shows an empty chart panel.
#pragma once

#include "bench/bench_report.hpp"

#include <string>
#include <string_view>

namespace fetcher::cli {

std::string render_html_report(const BenchReport& report);

// Text safe inside HTML elements and attribute values.
std::string html_escape(std::string_view text);
// A number as the page writes it, by a printf `format` ("%.1f" for coordinates).
std::string html_number(double value, const char* format = "%.1f");

}  // namespace fetcher::cli
