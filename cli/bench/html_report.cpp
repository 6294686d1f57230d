// html_report.cpp: the HTML report and its hand-drawn SVG charts.
#include "bench/html_report.hpp"

#include "bench/explain.hpp"
#include "common/units.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>

namespace fetcher::cli {
namespace {

constexpr const char* measured_color = "#2563eb";
constexpr const char* fastest_color = "#16a34a";

// One chart of a list: its caption and SVG, or, when the data cannot draw it, why not. A chart
// without data is left out with its reason rather than drawn as an empty panel.
struct Chart {
  std::string caption;   // HTML
  std::string svg;       // empty when withheld
  std::string withheld;  // plain text: why there is no chart; empty when there is one
  bool wide = false;     // spans both columns of the grid
};

Chart withheld(std::string reason) { return Chart{{}, {}, std::move(reason), false}; }

std::string number(double value, const char* format = "%.1f") {
  char text[48];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// An axis label: "0" at the origin rather than "0 us".
std::string seconds_label(double seconds) { return seconds == 0 ? std::string("0") : format_seconds(seconds); }

// The plot area of a chart inside its SVG, in pixels; the right margin leaves room for the
// last tick's label, centred on the plot's edge.
struct Frame {
  double width = 560, height = 300;
  double left = 64, right = 28, top = 16, bottom = 44;

  double plot_width() const { return width - left - right; }
  double plot_height() const { return height - top - bottom; }
};

// Round steps (1, 2, 5 x 10^k) from 0 to at least `high`, about five of them.
std::vector<double> nice_ticks(double high) {
  if (high <= 0) return {0, 1};
  const double rough = high / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(rough)));
  double step = magnitude;
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= rough) break;
  }
  std::vector<double> ticks;
  for (double tick = 0; tick < high + step * 0.999; tick += step) ticks.push_back(tick);
  return ticks;
}

std::string svg_open(const Frame& frame, const std::string& label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + number(frame.width, "%.0f") + " " +
         number(frame.height, "%.0f") + "\" role=\"img\" aria-label=\"" + html_escape(label) + "\">\n";
}

std::string text_at(double x, double y, const std::string& text, const char* anchor = "middle",
                    const char* css_class = "axis") {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" text-anchor=\"" + anchor + "\" class=\"" + css_class +
         "\">" + html_escape(text) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const char* css_class) {
  return "<line x1=\"" + number(x1) + "\" y1=\"" + number(y1) + "\" x2=\"" + number(x2) + "\" y2=\"" + number(y2) +
         "\" class=\"" + css_class + "\"/>\n";
}

// Horizontal grid lines and labels of a vertical axis from 0 to ticks.back().
std::string y_axis(const Frame& frame, const std::vector<double>& ticks,
                   const std::function<std::string(double)>& label, const std::string& title) {
  std::string svg;
  for (const double tick : ticks) {
    const double y = frame.top + frame.plot_height() * (1 - tick / ticks.back());
    svg += line(frame.left, y, frame.left + frame.plot_width(), y, "grid");
    svg += text_at(frame.left - 6, y + 4, label(tick), "end");
  }
  svg += "<text transform=\"translate(14 " + number(frame.top + frame.plot_height() / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" class=\"axis\">" + html_escape(title) + "</text>\n";
  return svg;
}

const StrategyRow* row_named(const ListReport& list, std::string_view name) {
  for (const auto& row : list.strategies) {
    if (row.report.strategy == name) return &row;
  }
  return nullptr;
}

std::vector<std::pair<unsigned, const StrategyRow*>> pool_rows(const ListReport& list) {
  std::vector<std::pair<unsigned, const StrategyRow*>> pools;
  for (const auto& row : list.strategies) {
    if (row.report.strategy.rfind("pool:", 0) != 0) continue;
    try {
      pools.emplace_back(static_cast<unsigned>(std::stoul(row.report.strategy.substr(5))), &row);
    } catch (const std::exception&) {
      // Not a pool name this chart understands.
    }
  }
  std::sort(pools.begin(), pools.end());
  return pools;
}

std::string polyline(const std::vector<std::pair<double, double>>& points, const char* css_class) {
  std::string text = "<polyline class=\"" + std::string(css_class) + "\" points=\"";
  for (const auto& [x, y] : points) text += number(x) + "," + number(y) + " ";
  return text + "\"/>\n";
}

// The ideal as a wide pale band under the measured line and its dots: where the two coincide the
// band still shows round the line, so they never hide each other.
constexpr const char* measured_vs_ideal_key =
    "measured <span class=\"key measured\"></span> and ideal <span class=\"key ideal\"></span>";

// Wall time against the number of pool workers (log2 axis), measured and ideal, with threads
// and async as labelled horizontal references. Needs two pools or more: see wall_chart.
Chart workers_chart(const ListReport& list) {
  const auto pools = pool_rows(list);
  const Frame frame;
  double high = 0;
  for (const auto& [workers, row] : pools) high = std::max({high, row->report.wall_seconds(), row->ideal_s});
  for (const char* name : {"threads", "async"}) {
    if (const auto* row = row_named(list, name)) high = std::max(high, row->report.wall_seconds());
  }
  const auto ticks = nice_ticks(high);
  const double low_log = std::log2(pools.front().first);
  const double high_log = std::max(low_log + 1, std::log2(pools.back().first));
  const auto x_of = [&](unsigned workers) {
    return frame.left + frame.plot_width() * (std::log2(workers) - low_log) / (high_log - low_log);
  };
  const auto y_of = [&](double seconds) { return frame.top + frame.plot_height() * (1 - seconds / ticks.back()); };

  std::string svg = svg_open(frame, "wall time against pool workers for " + list.name);
  svg += y_axis(frame, ticks, seconds_label, "wall time");
  for (const auto& [workers, row] : pools) {
    svg += text_at(x_of(workers), frame.top + frame.plot_height() + 18, std::to_string(workers));
  }
  svg += text_at(frame.left + frame.plot_width() / 2, frame.height - 6, "pool workers");
  // threads labelled at the left end of its line, async at the right, so equal times do not overprint.
  for (const auto& [name, at_left] : {std::pair{"threads", true}, std::pair{"async", false}}) {
    if (const auto* row = row_named(list, name)) {
      const double y = y_of(row->report.wall_seconds());
      svg += line(frame.left, y, frame.left + frame.plot_width(), y, "reference");
      svg += text_at(at_left ? frame.left + 4 : frame.left + frame.plot_width() - 4, y - 5,
                     std::string(name) + " " + format_seconds(row->report.wall_seconds()), at_left ? "start" : "end",
                     "label");
    }
  }
  std::vector<std::pair<double, double>> measured, ideal;
  for (const auto& [workers, row] : pools) {
    measured.emplace_back(x_of(workers), y_of(row->report.wall_seconds()));
    if (row->ideal_s >= 0) ideal.emplace_back(x_of(workers), y_of(row->ideal_s));
  }
  const bool with_ideal = ideal.size() == pools.size();
  if (with_ideal) svg += polyline(ideal, "ideal");
  svg += polyline(measured, "measured");
  for (const auto& [x, y] : measured) {
    svg += "<circle cx=\"" + number(x) + "\" cy=\"" + number(y) + "\" r=\"4\" class=\"measured-dot\"/>\n";
  }
  // Each line named at its right end, the higher one above it and the lower one below, so the
  // names stay apart even where the lines meet.
  if (with_ideal) {
    const double right = measured.back().first - 6;
    const bool measured_higher = measured.back().second <= ideal.back().second;
    svg += text_at(right, measured.back().second + (measured_higher ? -10 : 18), "measured", "end", "measured-label");
    svg += text_at(right, ideal.back().second + (measured_higher ? 18 : -10), "ideal", "end", "ideal-label");
  }
  return Chart{std::string("Wall time vs pool workers: ") + (with_ideal ? measured_vs_ideal_key : "measured"),
               svg + "</svg>\n",
               {},
               false};
}

// With fewer than two pools there is no curve to draw: a bar per strategy instead, its wall time,
// with the ideal marked.
Chart wall_chart(const ListReport& list) {
  Frame frame;
  frame.left = 90;
  frame.height = std::max(160.0, 30.0 + 26.0 * static_cast<double>(list.strategies.size()) + frame.bottom);
  const auto* fastest = list.strategies.size() > 1 ? fastest_row(list) : nullptr;
  double high = 0;
  for (const auto& row : list.strategies) high = std::max({high, row.report.wall_seconds(), row.ideal_s});
  // Headroom past the longest bar for its value label.
  const auto ticks = nice_ticks(high * 1.2);
  const auto x_of = [&](double seconds) { return frame.left + frame.plot_width() * seconds / ticks.back(); };
  const double band = frame.plot_height() / static_cast<double>(list.strategies.size());

  std::string svg = svg_open(frame, "wall time per strategy for " + list.name);
  for (const double tick : ticks) {
    svg += line(x_of(tick), frame.top, x_of(tick), frame.top + frame.plot_height(), "grid");
    svg += text_at(x_of(tick), frame.top + frame.plot_height() + 18, seconds_label(tick));
  }
  svg += text_at(frame.left + frame.plot_width() / 2, frame.height - 6, "wall time (lower is better)");
  bool any_ideal = false;
  for (std::size_t i = 0; i < list.strategies.size(); ++i) {
    const auto& row = list.strategies[i];
    const double wall = std::max(0.0, row.report.wall_seconds());
    const double y = frame.top + band * static_cast<double>(i);
    svg += text_at(frame.left - 8, y + band / 2 + 4, row.report.strategy, "end", "label");
    svg += "<rect x=\"" + number(frame.left) + "\" y=\"" + number(y + band * 0.2) + "\" width=\"" +
           number(std::max(1.0, x_of(wall) - frame.left)) + "\" height=\"" + number(band * 0.6) + "\" fill=\"" +
           (&row == fastest ? fastest_color : measured_color) + "\"/>\n";
    double label_x = x_of(wall);
    if (row.ideal_s >= 0) {
      any_ideal = true;
      const double x = x_of(row.ideal_s);
      svg += line(x, y + band * 0.1, x, y + band * 0.9, "ideal-mark");
      label_x = std::max(label_x, x);
    }
    svg += text_at(label_x + 5, y + band / 2 + 4, format_seconds(wall), "start", "value");
  }
  return Chart{std::string("Wall time per strategy") +
                   (any_ideal ? ", and the ideal <span class=\"key ideal-mark\"></span>" : ""),
               svg + "</svg>\n",
               {},
               false};
}

// A horizontal bar per strategy: speedup against sequential, with the ideal speedup marked.
Chart speedup_chart(const ListReport& list) {
  const auto* sequential = row_named(list, "sequential");
  if (!sequential) return withheld("no speedup chart: it needs a sequential run to compare with");
  if (speedup(list, *sequential) < 0) {
    return withheld("no speedup chart: sequential got no response, so its wall time measures only failures");
  }
  Frame frame;
  frame.left = 90;
  frame.height = std::max(160.0, 30.0 + 26.0 * static_cast<double>(list.strategies.size()) + frame.bottom);
  const auto* fastest = fastest_row(list);
  double high = 1;
  for (const auto& row : list.strategies) {
    high = std::max(high, speedup(list, row));
    if (row.ideal_s > 0 && sequential->ideal_s > 0) high = std::max(high, sequential->ideal_s / row.ideal_s);
  }
  // Headroom past the longest bar for its value label.
  const auto ticks = nice_ticks(high * 1.15);
  const auto x_of = [&](double gain) { return frame.left + frame.plot_width() * gain / ticks.back(); };
  const double band = frame.plot_height() / static_cast<double>(list.strategies.size());

  std::string svg = svg_open(frame, "speedup against sequential for " + list.name);
  for (const double tick : ticks) {
    svg += line(x_of(tick), frame.top, x_of(tick), frame.top + frame.plot_height(), "grid");
    svg += text_at(x_of(tick), frame.top + frame.plot_height() + 18, number(tick, "%gx"));
  }
  svg +=
      text_at(frame.left + frame.plot_width() / 2, frame.height - 6, "speedup against sequential (higher is better)");
  for (std::size_t i = 0; i < list.strategies.size(); ++i) {
    const auto& row = list.strategies[i];
    const double gain = std::max(0.0, speedup(list, row));
    const double y = frame.top + band * static_cast<double>(i);
    svg += text_at(frame.left - 8, y + band / 2 + 4, row.report.strategy, "end", "label");
    svg += "<rect x=\"" + number(frame.left) + "\" y=\"" + number(y + band * 0.2) + "\" width=\"" +
           number(x_of(gain) - frame.left) + "\" height=\"" + number(band * 0.6) + "\" fill=\"" +
           (&row == fastest ? fastest_color : measured_color) + "\"/>\n";
    double label_x = x_of(gain);
    if (row.ideal_s > 0 && sequential->ideal_s > 0) {
      const double x = x_of(sequential->ideal_s / row.ideal_s);
      svg += line(x, y + band * 0.1, x, y + band * 0.9, "ideal-mark");
      label_x = std::max(label_x, x);  // the label goes past the tick, not over it
    }
    svg += text_at(label_x + 5, y + band / 2 + 4, number(gain, "%.2fx"), "start", "value");
  }
  return Chart{"Speedup against sequential, and the ideal speedup <span class=\"key ideal-mark\"></span>",
               svg + "</svg>\n",
               {},
               false};
}

// Every fetch's latency as a dot, one row per strategy, with the median and p95 as ticks of two
// colours (and the median's the longer), so each reads apart from the other and from the dots.
Chart latency_chart(const ListReport& list) {
  Frame frame;
  frame.width = 1140;
  frame.left = 90;
  frame.height = std::max(160.0, 30.0 + 30.0 * static_cast<double>(list.strategies.size()) + frame.bottom);
  double high = 0;
  for (const auto& row : list.strategies) {
    for (const double value : row.latencies_s) high = std::max(high, value);
  }
  if (high <= 0) return withheld("no latency chart: no fetch got a response");
  const auto ticks = nice_ticks(high);
  const auto x_of = [&](double seconds) { return frame.left + frame.plot_width() * seconds / ticks.back(); };
  const double band = frame.plot_height() / static_cast<double>(list.strategies.size());

  std::string svg = svg_open(frame, "latency of each fetch per strategy for " + list.name);
  for (const double tick : ticks) {
    svg += line(x_of(tick), frame.top, x_of(tick), frame.top + frame.plot_height(), "grid");
    svg += text_at(x_of(tick), frame.top + frame.plot_height() + 18, seconds_label(tick));
  }
  svg += text_at(frame.left + frame.plot_width() / 2, frame.height - 6, "latency of each fetch (lower is better)");
  for (std::size_t i = 0; i < list.strategies.size(); ++i) {
    const auto& row = list.strategies[i];
    const double middle = frame.top + band * (static_cast<double>(i) + 0.5);
    svg += text_at(frame.left - 8, middle + 4, row.report.strategy, "end", "label");
    // Dots spread over the band by a fixed scramble of their index, so equal latencies stay
    // visible and the same report always draws the same picture.
    for (std::size_t k = 0; k < row.latencies_s.size(); ++k) {
      const double spread = (static_cast<double>((k * 2654435761u) % 1000) / 999.0 - 0.5) * band * 0.6;
      svg += "<circle cx=\"" + number(x_of(row.latencies_s[k])) + "\" cy=\"" + number(middle + spread) +
             "\" r=\"3\" class=\"dot\"/>\n";
    }
    if (row.report.latency.count > 0) {
      const double p95 = x_of(row.report.latency.p95);
      const double p50 = x_of(row.report.latency.p50);
      svg += line(p95, middle - band * 0.32, p95, middle + band * 0.32, "p95");
      svg += line(p50, middle - band * 0.45, p50, middle + band * 0.45, "p50");
    }
  }
  return Chart{
      "Latency of every fetch, per strategy: median <span class=\"key p50\"></span> and 95th percentile "
      "<span class=\"key p95\"></span>",
      svg + "</svg>\n",
      {},
      true};
}

// The table's columns and what each counts: the header's tooltips and the legend under the title.
struct Column {
  const char* name;
  const char* meaning;
};
constexpr Column columns[] = {
    {"strategy", "how the fetches were organised"},
    {"wall", "first fetch started to last result in (with --runs, the median run \u00b1 the farthest)"},
    {"ideal", "what a client with zero overhead would take under the sites' model"},
    {"eff", "ideal / wall"},
    {"speedup", "sequential's wall / this wall"},
    {"cpu", "user + system CPU time of the process that ran the strategy"},
    {"conn", "TCP connections the client opened"},
    {"tls", "TLS handshakes the client made, resumed sessions included; 0 over plain http"},
    {"req/s", "fetches completed per second of wall time"},
    {"p50", "median latency of a whole fetch (redirects included)"},
    {"p95", "95th percentile of that latency"},
    {"max", "the slowest fetch"},
    {"threads", "most threads alive at once in the process that ran the strategy"},
    {"memory",
     "peak resident memory (RSS) of that process, its fixed start-up size included; "
     "MiB = 1,048,576 bytes"},
    {"ok/fail", "fetches that completed with a status under 400 / the rest"},
};

std::string table(const ListReport& list) {
  const auto* fastest = list.strategies.size() > 1 ? fastest_row(list) : nullptr;
  std::ostringstream html;
  html << "<div class=\"table\"><table>\n<thead><tr>";
  for (const auto& column : columns) {
    html << "<th title=\"" << html_escape(column.meaning) << "\">" << html_escape(column.name) << "</th>";
  }
  html << "</tr></thead>\n<tbody>\n";
  for (const auto& row : list.strategies) {
    const auto& r = row.report;
    const auto& l = r.latency;
    const double spread = row.wall_spread();
    html << "<tr" << (&row == fastest ? " class=\"fastest\"" : "") << "><td>" << html_escape(r.strategy) << "</td><td>"
         << format_seconds(r.wall_seconds()) << (spread >= 0 ? " \u00b1 " + format_seconds(spread) : "") << "</td><td>"
         << (row.ideal_s < 0 ? "-" : format_seconds(row.ideal_s)) << "</td><td>"
         << (row.efficiency() < 0 ? "-" : number(row.efficiency() * 100, "%.0f%%")) << "</td><td>"
         << (speedup(list, row) < 0 ? "-" : number(speedup(list, row), "%.2fx")) << "</td><td>"
         << format_seconds(r.cpu_user_s + r.cpu_sys_s) << "</td><td>" << r.connections_opened << "</td><td>"
         << r.tls_handshakes << "</td><td>" << number(r.requests_per_second()) << "</td><td>"
         << (l.count ? format_seconds(l.p50) : "-") << "</td><td>" << (l.count ? format_seconds(l.p95) : "-")
         << "</td><td>" << (l.count ? format_seconds(l.max) : "-") << "</td><td>" << r.peak_threads << "</td><td>"
         << format_bytes(static_cast<std::uint64_t>(std::max(0L, r.peak_rss_kb)) * 1024) << "</td><td>" << r.ok << "/"
         << r.failed << "</td></tr>\n";
  }
  html << "</tbody>\n</table></div>\n";
  return html.str();
}

std::string columns_legend() {
  std::string html = "<details class=\"columns\" open>\n<summary>What the columns mean</summary>\n<dl>\n";
  for (const auto& column : columns) {
    html += "<dt>" + html_escape(column.name) + "</dt><dd>" + html_escape(column.meaning) + "</dd>\n";
  }
  return html + "</dl>\n</details>\n";
}

// The terminal table's footer (fastest, what the origin saw, agreement) as sentences in the
// page's type: its word-wrapped lines joined again, each statement a list item led by its label.
std::string footer(const ListReport& list) {
  std::istringstream lines(render_table(list));
  std::string line;
  // Title, the --runs note, the header and one line per row come first.
  std::size_t skip = 1 + (runs_of(list) > 1 ? 1 : 0) + (list.strategies.empty() ? 0 : 1 + list.strategies.size());
  std::vector<std::string> statements;
  std::vector<std::string> disagreements;
  bool in_disagreement = false;
  while (std::getline(lines, line)) {
    if (skip > 0) {
      --skip;
      continue;
    }
    if (line.rfind("  ", 0) == 0 && !statements.empty()) {
      const auto rest = line.substr(line.find_first_not_of(' '));
      if (in_disagreement)
        disagreements.push_back(rest);
      else
        statements.back() += " " + rest;  // a wrapped line continues its statement
      continue;
    }
    in_disagreement = line.rfind("strategies DISAGREED", 0) == 0;
    if (line.rfind("* ", 0) == 0) line.erase(0, 2);  // the terminal's fastest-row mark
    statements.push_back(line);
  }
  std::string html = "<ul class=\"facts\">\n";
  for (const auto& statement : statements) {
    const bool disagreed = statement.rfind("strategies DISAGREED", 0) == 0;
    html += disagreed ? "<li class=\"disagreed\">" : "<li>";
    // "label: text" reads as a bold label; a sentence without one starts with a capital.
    const auto colon = statement.find(": ");
    std::string text = statement;
    if (colon != std::string::npos && colon < 32 && !disagreed) {
      std::string label = statement.substr(0, colon);
      label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
      html += "<b>" + html_escape(label) + "</b>: " + html_escape(statement.substr(colon + 2));
    } else {
      if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
      if (disagreed) text = "Strategies disagreed:";
      html += html_escape(text);
    }
    if (disagreed && !disagreements.empty()) {
      html += "\n<ul>\n";
      for (const auto& item : disagreements) html += "<li>" + html_escape(item) + "</li>\n";
      html += "</ul>";
    }
    html += "</li>\n";
  }
  return html + "</ul>\n";
}

std::string figure(const Chart& chart) {
  return std::string("<figure") + (chart.wide ? " class=\"wide\"" : "") + "><figcaption>" + chart.caption +
         "</figcaption>\n" + chart.svg + "</figure>\n";
}

std::string list_section(const ListReport& list) {
  std::string html =
      "<section>\n<h2>" + html_escape(list.name) + "</h2>\n<p class=\"note\">" + std::to_string(list.urls) + " URLs" +
      (list.origin_note.empty() ? "" : ", " + html_escape(list.origin_note)) +
      (runs_of(list) > 1 ? "; wall: the median of " + std::to_string(runs_of(list)) + " runs \u00b1 the farthest run"
                         : "") +
      "</p>\n";
  html += table(list) + footer(list);
  if (list.strategies.empty()) return html + "</section>\n";
  // Charts the data cannot draw are left out, and a line says which and why.
  const Chart charts[] = {pool_rows(list).size() >= 2 ? workers_chart(list) : wall_chart(list), speedup_chart(list),
                          latency_chart(list)};
  html += "<div class=\"charts\">\n";
  std::string reasons;
  for (const auto& chart : charts) {
    if (chart.svg.empty())
      reasons += (reasons.empty() ? "" : "; ") + chart.withheld;
    else
      html += figure(chart);
  }
  html += "</div>\n";
  if (!reasons.empty()) html += "<p class=\"note withheld\">" + html_escape(reasons) + ".</p>\n";
  if (const auto paragraphs = explain(list); !paragraphs.empty()) {
    html += "<h3>Reading the results</h3>\n<ul class=\"reading\">\n";
    for (const auto& paragraph : paragraphs) html += "<li>" + html_escape(paragraph) + "</li>\n";
    html += "</ul>\n";
  }
  return html + "</section>\n";
}

constexpr const char* style_sheet = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827;
       max-width: 1160px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 20px; margin: 32px 0 2px; border-top: 1px solid #e5e7eb; padding-top: 20px; }
h3 { font-size: 16px; margin: 16px 0 4px; }
.note { color: #4b5563; margin: 2px 0 10px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { padding: 3px 7px; text-align: right; border-bottom: 1px solid #e5e7eb; white-space: nowrap; }
div.table { overflow-x: auto; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f4f6; }
tr.fastest td { font-weight: 600; color: #15803d; }
p.meta { font-size: 13px; color: #6b7280; margin: 0 0 12px; }
ul.facts { margin: 8px 0 4px; padding-left: 20px; color: #374151; }
ul.facts li { margin: 2px 0; }
ul.facts li.disagreed { color: #b91c1c; font-weight: 600; }
ul.facts li.disagreed li { font-weight: 400; }
p.withheld { font-style: italic; }
details.columns { font-size: 13px; color: #374151; margin: 0 0 8px; }
details.columns summary { cursor: pointer; color: #4b5563; }
details.columns dl { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 1px 12px;
                     margin: 6px 0; }
details.columns dt { font-weight: 600; }
details.columns dd { margin: 0; }
th[title] { cursor: help; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px 24px; }
figure { margin: 0; }
figure.wide { grid-column: 1 / span 2; }
figcaption { font-weight: 600; font-size: 14px; margin: 8px 0 2px; }
svg { width: 100%; height: auto; }
svg .axis { font-size: 12px; fill: #4b5563; }
svg .label { font-size: 12px; fill: #111827; }
svg .value { font-size: 11px; fill: #374151; }
svg .grid { stroke: #e5e7eb; stroke-width: 1; }
svg .reference { stroke: #9ca3af; stroke-width: 1; stroke-dasharray: 2 3; }
svg .measured { fill: none; stroke: #2563eb; stroke-width: 2.5; }
svg .measured-dot { fill: #2563eb; }
svg .ideal { fill: none; stroke: #f59e0b; stroke-opacity: 0.45; stroke-width: 12; stroke-linecap: round;
             stroke-linejoin: round; }
svg .measured-label { font-size: 12px; font-weight: 600; fill: #1d4ed8; }
svg .ideal-label { font-size: 12px; font-weight: 600; fill: #b45309; }
svg .ideal-mark { stroke: #d97706; stroke-width: 3; }
svg .dot { fill: #2563eb; fill-opacity: 0.55; }
svg .p50 { stroke: #111827; stroke-width: 3; }
svg .p95 { stroke: #dc2626; stroke-width: 3; }
.key { display: inline-block; width: 22px; height: 0; vertical-align: middle; margin: 0 4px; }
.key.measured { border-top: 3px solid #2563eb; }
.key.ideal { border-top: 12px solid rgba(245, 158, 11, 0.45); border-radius: 6px; }
.key.ideal-mark { width: 3px; height: 14px; background: #d97706; }
.key.p50 { width: 3px; height: 14px; background: #111827; }
.key.p95 { width: 3px; height: 14px; background: #dc2626; }
ul.reading li { margin: 4px 0; }
@media (max-width: 800px) { .charts, details.columns dl { grid-template-columns: 1fr; } figure.wide { grid-column: auto; } }
)";

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// The run's metadata under the title, so two reports can be told apart: version, start, machine,
// and the command line.
std::string metadata_paragraph(const nlohmann::json& metadata) {
  if (!metadata.is_object()) return {};
  const auto text = [&](const char* key) { return metadata.value(key, std::string()); };
  const auto host = metadata.value("host", nlohmann::json::object());
  std::string command;
  for (const auto& argument : metadata.value("command_line", std::vector<std::string>())) {
    command += (command.empty() ? "" : " ") + argument;
  }
  const auto cpu = html_escape(host.value("cpu_model", std::string()));
  const auto kernel = html_escape(host.value("kernel", std::string()));
  return "<p class=\"meta\">" + html_escape(text("tool") + " " + text("version")) + " &middot; started " +
         html_escape(text("started")) + " &middot; " + cpu + ", " + std::to_string(host.value("cores", 0u)) +
         " cores &middot; " + kernel + "<br><code>" + html_escape(command) + "</code></p>\n";
}

}  // namespace

std::string render_html_report(const BenchReport& report) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>fetcher bench report</title>\n<style>" +
      std::string(style_sheet) + "</style>\n</head>\n<body>\n<h1>fetcher bench</h1>\n" +
      metadata_paragraph(report.metadata) +
      "<p class=\"note\">How the way fetches are organised changes the time an I/O-bound job takes.</p>\n" +
      columns_legend();
  for (const auto& list : report.lists) html += list_section(list);
  return html + "</body>\n</html>\n";
}

}  // namespace fetcher::cli
