// bench_report.cpp: renderings of the bench's figures: the terminal table with its footer,
// markdown, CSV and JSON.
#include "bench/bench_report.hpp"

#include "common/result_json.hpp"
#include "common/run_metadata.hpp"
#include "common/units.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

namespace fetcher::cli {
namespace {

constexpr int json_format_version = 1;
// Runs this close to the fastest are a tie on a shared machine; the footer says so.
constexpr double tie_fraction = 0.02;

const StrategyRow* sequential_row(const ListReport& list) {
  for (const auto& row : list.strategies) {
    if (row.report.strategy == "sequential") return &row;
  }
  return nullptr;
}

std::string fixed(double value, const char* format) {
  if (value < 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string percent(double ratio) { return ratio < 0 ? "-" : fixed(ratio * 100, "%.0f%%"); }

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

const char* title(Field field) {
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

// `unicode`: the wall's spread may be written with "±" (else "+-").
std::string cell(const ListReport& list, const StrategyRow& row, Field field, bool unicode) {
  const auto& r = row.report;
  switch (field) {
    case Field::strategy: return r.strategy;
    case Field::wall: return format_seconds_spread(r.wall_seconds(), row.wall_spread(), unicode);
    case Field::ideal: return format_seconds(row.ideal_s);
    case Field::eff: return percent(row.efficiency());
    case Field::speedup: return fixed(speedup(list, row), "%.2fx");
    case Field::cpu: return format_seconds(r.cpu_user_s + r.cpu_sys_s);
    case Field::connections: return std::to_string(r.connections_opened);
    case Field::tls_handshakes: return std::to_string(r.tls_handshakes);
    case Field::req_per_s: return fixed(r.requests_per_second(), r.requests_per_second() < 100 ? "%.1f" : "%.0f");
    case Field::p50: return r.latency.count ? format_seconds(r.latency.p50) : "-";
    case Field::p95: return r.latency.count ? format_seconds(r.latency.p95) : "-";
    case Field::ok_fail: return std::to_string(r.ok) + "/" + std::to_string(r.failed);
  }
  return "";
}

// Every figure, for markdown (pasted where width does not matter).
const std::vector<Field>& all_fields() {
  static const std::vector<Field> fields = {Field::strategy,  Field::wall, Field::ideal,       Field::eff,
                                            Field::speedup,   Field::cpu,  Field::connections, Field::tls_handshakes,
                                            Field::req_per_s, Field::p50,  Field::p95,         Field::ok_fail};
  return fields;
}

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

std::string fastest_line(const ListReport& list) {
  const auto* best = fastest_row(list);
  if (!best || list.strategies.size() < 2) return {};
  const double best_wall = best->report.wall_seconds();
  std::vector<std::string> ties;
  for (const auto& row : list.strategies) {
    if (&row != best && row.report.ok == best->report.ok &&
        row.report.wall_seconds() <= best_wall * (1 + tie_fraction)) {
      ties.push_back(row.report.strategy);
    }
  }
  std::string line = "* fastest: " + best->report.strategy + ", " + format_seconds(best_wall);
  if (const double gain = speedup(list, *best); gain > 0 && best->report.strategy != "sequential") {
    line += " (" + fixed(gain, "%.2fx") + " sequential)";
  }
  if (ties.size() + 1 == list.strategies.size()) {
    line += "; all within " + fixed(tie_fraction * 100, "%.0f") + "%";
  } else if (!ties.empty()) {
    line += "; within " + fixed(tie_fraction * 100, "%.0f") + "%:";
    for (std::size_t i = 0; i < ties.size(); ++i) line += (i ? ", " : " ") + ties[i];
  }
  return line;
}

// A range of counts over the strategies: "80" when they all saw the same, else "1-80".
struct Range {
  long low = -1;
  long high = -1;

  void add(long value) {
    low = low < 0 ? value : std::min(low, value);
    high = std::max(high, value);
  }
  std::string text() const {
    return low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high);
  }
};

struct HostSeen {
  std::string host;
  Range requests, connections, peak;
};

// The origin's counters of every strategy, per host that got requests, busiest first.
std::vector<HostSeen> hosts_seen(const ListReport& list) {
  std::vector<HostSeen> hosts;
  for (const auto& row : list.strategies) {
    if (!row.origin_seen.is_array()) continue;
    for (const auto& entry : row.origin_seen) {
      if (!entry.is_object() || entry.value("requests", 0L) <= 0) continue;
      const auto name = entry.value("host", std::string());
      auto found = std::find_if(hosts.begin(), hosts.end(), [&](const HostSeen& h) { return h.host == name; });
      if (found == hosts.end()) found = hosts.insert(hosts.end(), HostSeen{name, {}, {}, {}});
      found->requests.add(entry.value("requests", 0L));
      found->connections.add(entry.value("connections", 0L));
      found->peak.add(entry.value("peak_concurrent", 0L));
    }
  }
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const HostSeen& a, const HostSeen& b) { return a.requests.high > b.requests.high; });
  return hosts;
}

std::string capacity_note(const ListReport& list, const std::string& host) {
  for (const auto& model : list.model.hosts) {
    if (model.host == host && model.capacity > 0) return " (serves " + std::to_string(model.capacity) + ")";
  }
  return {};
}

std::string describe_host(const ListReport& list, const HostSeen& host) {
  return host.host + " " + host.requests.text() + " req, " + host.connections.text() + " conn, peak " +
         host.peak.text() + capacity_note(list, host.host);
}

// What the origin saw, summed up in a line or two: each host when there are one or two, else
// the totals and the busiest host.
std::string origin_paragraph(const ListReport& list) {
  const auto hosts = hosts_seen(list);
  if (hosts.empty()) return {};
  std::string text = "origin saw per strategy:";
  if (hosts.size() <= 2) {
    for (std::size_t i = 0; i < hosts.size(); ++i) text += (i ? "; " : " ") + describe_host(list, hosts[i]);
    return text;
  }
  Range requests, connections;
  for (const auto& row : list.strategies) {
    if (!row.origin_seen.is_array()) continue;
    long r = 0, c = 0;
    for (const auto& entry : row.origin_seen) {
      if (!entry.is_object()) continue;
      r += entry.value("requests", 0L);
      c += entry.value("connections", 0L);
    }
    requests.add(r);
    connections.add(c);
  }
  text += " " + std::to_string(hosts.size()) + " hosts, " + requests.text() + " req, " + connections.text() +
          " conn in all; ";
  // The busiest host when one stands out, else how many requests any host had at once.
  if (hosts[0].requests.high > hosts[1].requests.high) return text + "busiest " + describe_host(list, hosts.front());
  Range peak;
  for (const auto& host : hosts) {
    peak.add(host.peak.low);
    peak.add(host.peak.high);
  }
  return text + "peak per host " + peak.text();
}

// Agreement says what it was checked over: a URL every strategy failed agrees vacuously, so the
// line counts only the URLs some strategy fetched, and withholds the claim when there are none.
std::string agreement_lines(const ListReport& list) {
  if (!list.agree) {
    std::string text = "strategies DISAGREED:\n";
    for (const auto& line : list.disagreements) text += "  " + line + "\n";
    return text;
  }
  if (list.strategies.size() < 2) return "agreement: not checked, one strategy ran\n";
  if (list.fetched_urls == 0) return "agreement: not checked, no URL was fetched by any strategy\n";
  if (list.fetched_urls >= list.urls) return "all strategies agreed on every URL's status, size and SHA-256\n";
  const auto urls = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " URL" : " URLs"); };
  return "all strategies agreed on the status, size and SHA-256 of the " + urls(list.fetched_urls) + " fetched; " +
         std::to_string(list.urls - list.fetched_urls) + " failed in every strategy\n";
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

// "wall: median of N runs ± the farthest run" when strategies ran more than once, else empty.
std::string runs_note(const ListReport& list, bool unicode) {
  const auto runs = runs_of(list);
  if (runs < 2) return {};
  return std::string("wall: median of ") + std::to_string(runs) + " runs " + (unicode ? "\u00b1" : "+-") +
         " the farthest run";
}

std::string title_line(const ListReport& list) {
  return list.name + ": " + std::to_string(list.urls) + " URLs" +
         (list.origin_note.empty() ? "" : ", " + list.origin_note);
}

// The table's cells for `fields`: a header row, then a row per strategy, the fastest marked.
std::vector<std::vector<std::string>> table_cells(const ListReport& list, const std::vector<Field>& fields,
                                                  const StrategyRow* best, bool unicode) {
  std::vector<std::vector<std::string>> rows(1);
  for (const auto field : fields) rows[0].emplace_back(title(field));
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
    names += (i == 0 ? "" : i + 1 == table.left_out.size() ? " and " : ", ") + std::string(title(table.left_out[i]));
  }
  return "narrow terminal: left out " + names + "; widen to " + std::to_string(table.full_width) + " columns to see " +
         (table.left_out.size() == 1 ? "it" : "them");
}
}  // namespace

double StrategyRow::wall_spread() const {
  if (wall_runs_s.size() < 2) return -1;
  const double median = report.wall_seconds();
  return std::max(median - wall_runs_s.front(), wall_runs_s.back() - median);
}

std::size_t runs_of(const ListReport& list) {
  std::size_t runs = 1;
  for (const auto& row : list.strategies) runs = std::max(runs, row.wall_runs_s.size());
  return runs;
}

double StrategyRow::efficiency() const {
  const double wall = report.wall_seconds();
  return ideal_s < 0 || wall <= 0 ? -1 : ideal_s / wall;
}

double speedup(const ListReport& list, const StrategyRow& row) {
  const auto* base = sequential_row(list);
  if (!base || base->report.latency.count == 0 || row.report.wall_seconds() <= 0) return -1;
  return base->report.wall_seconds() / row.report.wall_seconds();
}

const StrategyRow* fastest_row(const ListReport& list) {
  const StrategyRow* best = nullptr;
  for (const auto& row : list.strategies) {
    if (!best || row.report.ok > best->report.ok ||
        (row.report.ok == best->report.ok && row.report.wall < best->report.wall)) {
      best = &row;
    }
  }
  return best;
}

OutputFormat parse_output_format(std::string_view text) {
  if (text == "table") return OutputFormat::table;
  if (text == "md" || text == "markdown") return OutputFormat::markdown;
  if (text == "csv") return OutputFormat::csv;
  if (text == "json") return OutputFormat::json;
  throw std::invalid_argument("--format: unknown format '" + std::string(text) + "' (expected table, md, csv or json)");
}

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

nlohmann::json bench_to_json(const BenchReport& report) {
  nlohmann::json lists = nlohmann::json::array();
  for (const auto& list : report.lists) {
    nlohmann::json strategies = nlohmann::json::array();
    for (const auto& row : list.strategies) {
      const auto& r = row.report;
      auto item = report_to_json(r);
      item["ideal_s"] = row.ideal_s < 0 ? nlohmann::json() : nlohmann::json(row.ideal_s);
      item["efficiency"] = row.efficiency() < 0 ? nlohmann::json() : nlohmann::json(row.efficiency());
      item["speedup"] = speedup(list, row) < 0 ? nlohmann::json() : nlohmann::json(speedup(list, row));
      if (row.origin_seen.is_array()) {
        // Hosts of the sites file this list never touched are no part of its run.
        auto origin = nlohmann::json::array();
        for (const auto& host : row.origin_seen) {
          if (!host.is_object() || host.value("requests", 0L) > 0) origin.push_back(host);
        }
        item["origin"] = std::move(origin);
      } else if (!row.origin_seen.is_null()) {
        item["origin"] = row.origin_seen;
      }
      if (!row.wall_runs_s.empty()) item["wall_runs_s"] = row.wall_runs_s;
      if (row.wall_spread() >= 0) item["wall_spread_s"] = row.wall_spread();
      strategies.push_back(std::move(item));
    }
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& failure : list.failures)
      failures.push_back({{"message", failure.message}, {"count", failure.count}});
    lists.push_back(
        {{"name", list.name},
         {"urls", list.urls},
         {"huge_pages", list.huge_pages},
         // null when agreement was not checked (one strategy, or nothing fetched)
         {"agree", list.agree && (list.strategies.size() < 2 || list.fetched_urls == 0) ? nlohmann::json()
                                                                                        : nlohmann::json(list.agree)},
         {"fetched_urls", list.fetched_urls},
         {"failures", failures},
         {"disagreements", list.disagreements},
         {"strategies", std::move(strategies)}});
  }
  nlohmann::json json = {{"version", json_format_version}};
  if (!report.metadata.is_null()) json["metadata"] = report.metadata;
  json["lists"] = std::move(lists);
  return round_floats(std::move(json));
}

std::string render(const BenchReport& report, OutputFormat format, const Style& style) {
  std::ostringstream out;
  switch (format) {
    case OutputFormat::table:
      for (std::size_t i = 0; i < report.lists.size(); ++i)
        out << (i ? "\n" : "") << render_table(report.lists[i], style);
      break;
    case OutputFormat::markdown:
      for (std::size_t i = 0; i < report.lists.size(); ++i) {
        const auto& list = report.lists[i];
        const auto* best = list.strategies.size() > 1 ? fastest_row(list) : nullptr;
        const auto note = runs_note(list, true);
        out << (i ? "\n" : "") << "**" << list.name << "**: " << list.urls << " URLs"
            << (list.origin_note.empty() ? "" : ", " + list.origin_note) << (note.empty() ? "" : "\n\n" + note)
            << "\n\n|";
        for (const auto field : all_fields()) out << " " << title(field) << " |";
        out << "\n|";
        for (const auto field : all_fields()) out << (field == Field::strategy ? ":---|" : "---:|");
        out << "\n";
        for (const auto& row : list.strategies) {
          out << "|";
          for (const auto field : all_fields()) {
            const auto text = cell(list, row, field, true);
            out << " " << (field == Field::strategy && &row == best ? "**" + text + "**" : text) << " |";
          }
          out << "\n";
        }
        // Each footer line a paragraph of its own, so markdown does not run them together.
        for (const auto& paragraph : {fastest_line(list), origin_paragraph(list)}) {
          if (!paragraph.empty())
            out << "\n" << (paragraph.rfind("* ", 0) == 0 ? paragraph.substr(2) : paragraph) << "\n";
        }
        out << "\n" << agreement_lines(list);
      }
      break;
    case OutputFormat::csv:
      out << "list,strategy,urls,wall_s,ideal_s,efficiency,speedup,cpu_user_s,cpu_sys_s,req_per_s,"
             "p50_ms,p95_ms,p99_ms,max_ms,ok,failed,bytes,peak_threads,peak_rss_kb,connections_opened,tls_handshakes,"
             "agree\n";
      for (const auto& list : report.lists) {
        for (const auto& row : list.strategies) {
          const auto& r = row.report;
          const auto number = [](double value) { return value < 0 ? std::string() : fixed(value, "%.6g"); };
          out << csv_field(list.name) << "," << r.strategy << "," << list.urls << "," << number(r.wall_seconds()) << ","
              << number(row.ideal_s) << "," << number(row.efficiency()) << "," << number(speedup(list, row)) << ","
              << number(r.cpu_user_s) << "," << number(r.cpu_sys_s) << "," << number(r.requests_per_second()) << ","
              << number(r.latency.p50 * 1e3) << "," << number(r.latency.p95 * 1e3) << "," << number(r.latency.p99 * 1e3)
              << "," << number(r.latency.max * 1e3) << "," << r.ok << "," << r.failed << "," << r.bytes << ","
              << r.peak_threads << "," << r.peak_rss_kb << "," << r.connections_opened << "," << r.tls_handshakes << ","
              << (list.agree ? "true" : "false") << "\n";
        }
      }
      break;
    case OutputFormat::json: out << bench_to_json(report).dump(2) << "\n"; break;
  }
  return out.str();
}

}  // namespace fetcher::cli
