// bench_table.cpp: the bench's table for a terminal: its columns and cells, the fit to the
// terminal's width (one-space columns, then columns left out in a fixed order), and the footer
// wrapped under it.
#include "bench/bench_table.hpp"

#include "common/units.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace fetcher::cli {

std::string fixed_or_dash(double value, const char* format) {
  if (value < 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

namespace {

std::string percent(double ratio) { return ratio < 0 ? "-" : fixed_or_dash(ratio * 100, "%.0f%%"); }

}  // namespace

const char* field_title(Field field) {
  switch (field) {
    case Field::strategy: return "strategy";
    case Field::wall: return "wall";
    case Field::ideal: return "ideal";
    case Field::eff: return "eff";
    case Field::speedup: return "speedup";
    case Field::cpu: return "cpu";
    case Field::connections: return "conn";
    case Field::tls_handshakes: return "tls";
    case Field::req_per_s: return "req/s";
    case Field::p50: return "p50";
    case Field::p95: return "p95";
    case Field::ok_fail: return "ok/fail";
  }
  return "";
}

std::string cell(const ListReport& list, const StrategyRow& row, Field field, bool unicode) {
  const auto& r = row.report;
  switch (field) {
    case Field::strategy: return r.strategy;
    case Field::wall: return format_seconds_spread(r.wall_seconds(), row.wall_spread(), unicode);
    case Field::ideal: return format_seconds(row.ideal_s);
    case Field::eff: return percent(row.efficiency());
    case Field::speedup: return fixed_or_dash(speedup(list, row), "%.2fx");
    case Field::cpu: return format_seconds(row.usage.cpu_s());
    case Field::connections: return std::to_string(r.connections_opened);
    case Field::tls_handshakes: return std::to_string(r.tls_handshakes);
    case Field::req_per_s:
      return fixed_or_dash(r.requests_per_second(), r.requests_per_second() < 100 ? "%.1f" : "%.0f");
    case Field::p50: return r.latency.count ? format_seconds(r.latency.p50) : "-";
    case Field::p95: return r.latency.count ? format_seconds(r.latency.p95) : "-";
    case Field::ok_fail: return std::to_string(r.ok) + "/" + std::to_string(r.failed);
  }
  return "";
}

const std::vector<Field>& all_fields() {
  static const std::vector<Field> fields = {Field::strategy,  Field::wall, Field::ideal,       Field::eff,
                                            Field::speedup,   Field::cpu,  Field::connections, Field::tls_handshakes,
                                            Field::req_per_s, Field::p50,  Field::p95,         Field::ok_fail};
  return fields;
}

namespace {

// The terminal table fits 80 columns: it leaves out req/s (the URL count over wall), p50 (the
// histogram shows the spread) and TLS handshakes, and keeps the connections the client opened,
// which is what keep-alive changes.
const std::vector<Field>& terminal_fields() {
  static const std::vector<Field> fields = {Field::strategy,    Field::wall,    Field::ideal,
                                            Field::eff,         Field::speedup, Field::cpu,
                                            Field::connections, Field::p95,     Field::ok_fail};
  return fields;
}

// On a terminal narrower than the table, columns are left out one at a time in this order, the
// least read first, until the table fits: cpu (the bench's own cost), p95 (the histogram shows
// the spread), conn (a keep-alive detail), ideal (eff holds it against wall), speedup, eff, and
// ok/fail last (the failure lines on stderr still name failures). strategy and wall always stay.
const std::vector<Field>& narrowing_order() {
  static const std::vector<Field> fields = {Field::cpu,     Field::p95, Field::connections, Field::ideal,
                                            Field::speedup, Field::eff, Field::ok_fail};
  return fields;
}

// Cells laid out in columns: the first left-aligned, the rest right-aligned, `gap` spaces apart.
std::vector<std::string> lay_out(const std::vector<std::vector<std::string>>& rows, std::size_t gap) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], display_width(row[i]));
  }
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const auto pad = std::string(width[i] - display_width(row[i]), ' ');
      if (i > 0) line += std::string(gap, ' ');
      line += i == 0 ? row[i] + pad : pad + row[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

std::size_t widest(const std::vector<std::string>& lines) {
  std::size_t most = 0;
  for (const auto& line : lines) most = std::max(most, display_width(line));
  return most;
}

// `paragraph` filled into lines of at most `width` columns, lines after the first indented by two
// spaces; a word is never broken (one longer than the width gets a line of its own).
std::string wrapped(const std::string& paragraph, std::size_t width) {
  std::string text;
  for (const auto& line : wrap_words(paragraph, width, "  ")) text += line + "\n";
  return text;
}

// Lines under the table: the fastest strategy, what the origin saw, agreement. On a terminal
// every line wraps at word boundaries within `width`; elsewhere (a file, a pipe) only the first
// two do, at 80 columns, as they always have.
std::string footer(const ListReport& list, const Style& style, std::size_t width, bool terminal) {
  std::string text;
  for (const auto& paragraph : {fastest_line(list), origin_paragraph(list)}) text += wrapped(paragraph, width);
  const auto agreement = agreement_lines(list);
  if (!terminal) {
    return text + (list.agree ? agreement : paint(style, Paint::red, agreement.substr(0, agreement.size() - 1)) + "\n");
  }
  std::istringstream lines(agreement);
  for (std::string line; std::getline(lines, line);) {
    // A disagreement is an item under the heading: indented, its continuation lines more so.
    const bool item = line.rfind("  ", 0) == 0;
    const auto pieces = item ? wrap_words(line, width > 2 ? width - 2 : width, "  ") : wrap_words(line, width, "  ");
    for (const auto& piece : pieces) {
      const auto shown = item ? "  " + piece : piece;
      text += (list.agree ? shown : paint(style, Paint::red, shown)) + "\n";
    }
  }
  return text;
}

std::string title_line(const ListReport& list) {
  return list.name + ": " + std::to_string(list.urls) + " URLs" +
         (list.origin_note.empty() ? "" : ", " + list.origin_note);
}

// The table's cells for `fields`: a header row, then a row per strategy, the fastest marked.
std::vector<std::vector<std::string>> table_cells(const ListReport& list, const std::vector<Field>& fields,
                                                  const StrategyRow* best, bool unicode) {
  std::vector<std::vector<std::string>> rows(1);
  for (const auto field : fields) rows[0].emplace_back(field_title(field));
  rows[0][0] = "  " + rows[0][0];
  for (const auto& row : list.strategies) {
    rows.emplace_back();
    for (const auto field : fields) rows.back().push_back(cell(list, row, field, unicode));
    rows.back()[0] = (&row == best ? "* " : "  ") + rows.back()[0];
  }
  return rows;
}

// The table laid out within `width`, and what had to be left out for it.
struct FittedTable {
  std::vector<std::string> lines;  // the header, then a line per strategy
  std::vector<Field> left_out;     // in narrowing_order(); empty when everything fits
  std::size_t full_width = 0;      // the fewest columns that show the whole table
};

// Two spaces between columns read best; one when that keeps every column (cells such as
// "4.94 s" hold a space, so one-space columns are harder to read); past that, when `narrow`
// allows, columns are left out in narrowing_order(), two spaces apart, until the table fits or
// only strategy and wall remain.
FittedTable fit_table(const ListReport& list, const StrategyRow* best, bool unicode, std::size_t width, bool narrow) {
  FittedTable table;
  auto fields = terminal_fields();
  const auto all = table_cells(list, fields, best, unicode);
  table.lines = lay_out(all, 2);
  if (widest(table.lines) <= width) return table;
  table.lines = lay_out(all, 1);
  table.full_width = widest(table.lines);
  if (table.full_width <= width || !narrow) return table;
  for (const auto next : narrowing_order()) {
    fields.erase(std::find(fields.begin(), fields.end(), next));
    table.left_out.push_back(next);
    table.lines = lay_out(table_cells(list, fields, best, unicode), 2);
    if (widest(table.lines) <= width) return table;
  }
  return table;  // strategy and wall alone, wider than the terminal: it wraps them
}

// "narrow terminal: left out cpu and p95; widen to 72 columns to see them".
std::string left_out_note(const FittedTable& table) {
  std::string names;
  for (std::size_t i = 0; i < table.left_out.size(); ++i) {
    names += (i == 0                           ? ""
              : i + 1 == table.left_out.size() ? " and "
                                               : ", ") +
             std::string(field_title(table.left_out[i]));
  }
  return "narrow terminal: left out " + names + "; widen to " + std::to_string(table.full_width) + " columns to see " +
         (table.left_out.size() == 1 ? "it" : "them");
}

}  // namespace

std::string render_table(const ListReport& list, const Style& style) {
  // A terminal (style.columns known) gets every line within its width, at most 80; a file or a
  // pipe gets the layout it always had: the table within 80 columns when it can be, whole.
  const bool terminal = style.columns > 0;
  const std::size_t width = terminal ? std::min(table_width_limit, style.columns) : table_width_limit;
  std::string text;
  for (const auto& paragraph : {title_line(list), runs_note(list, style.unicode)}) {
    if (!paragraph.empty()) text += terminal ? wrapped(paragraph, width) : paragraph + "\n";
  }
  if (list.strategies.empty()) return text + footer(list, style, width, terminal);
  const auto* best = list.strategies.size() > 1 ? fastest_row(list) : nullptr;
  const auto table = fit_table(list, best, style.unicode, width, terminal);
  text += paint(style, Paint::bold, table.lines[0]) + "\n";
  for (std::size_t i = 1; i < table.lines.size(); ++i) {
    const bool is_best = &list.strategies[i - 1] == best;
    text += (is_best ? paint(style, Paint::bold_green, table.lines[i]) : table.lines[i]) + "\n";
  }
  if (!table.left_out.empty()) {
    for (const auto& line : wrap_words(left_out_note(table), width, "  "))
      text += paint(style, Paint::dim, line) + "\n";
  }
  return text + footer(list, style, width, terminal);
}

}  // namespace fetcher::cli
