// bench_table.hpp: the pieces of the bench's terminal table that markdown shares: its columns
// (Field) and their cells, and the statements of its footer, which markdown prints as paragraphs.
#pragma once

#include "bench/bench_report.hpp"

#include <string>
#include <vector>

namespace fetcher::cli {

// A figure by a printf `format`; "-" when it is negative (unknown).
std::string fixed_or_dash(double value, const char* format);

enum class Field {
  strategy,
  wall,
  ideal,
  eff,
  speedup,
  cpu,
  connections,
  tls_handshakes,
  req_per_s,
  p50,
  p95,
  ok_fail
};

// The column's header: "strategy", "wall", "conn", "req/s", ...
const char* field_title(Field field);
// One row's cell. `unicode`: the wall's spread may be written with "±" (else "+-").
std::string cell(const ListReport& list, const StrategyRow& row, Field field, bool unicode);
// Every figure, for markdown (pasted where width does not matter).
const std::vector<Field>& all_fields();

// The footer's statements (bench_footer.cpp).
// "* fastest: async:4, 1.10 s (3.61x sequential); within 2%: pool:8"; empty with fewer than two
// strategies.
std::string fastest_line(const ListReport& list);
// What the origin saw, summed up in a line or two: each host when there are one or two, else
// the totals and the busiest host; empty when no origin counters were kept.
std::string origin_paragraph(const ListReport& list);
// Whether the strategies agreed, over how many URLs, or why it was not checked; with a
// disagreement, a heading and the disagreements indented under it. Every line ends in '\n'.
std::string agreement_lines(const ListReport& list);
// "wall: median of N runs ± the farthest run" when strategies ran more than once, else empty.
std::string runs_note(const ListReport& list, bool unicode);

}  // namespace fetcher::cli
