// html_report.cpp: the HTML report's page: the run's metadata, the columns' legend, and per list
// its table, the footer's statements, its charts (html_report_charts.cpp) and the reading; the
// style sheet the page carries inline.
#include "bench/html_report.hpp"

#include "bench/explain.hpp"
#include "bench/html_report_charts.hpp"
#include "common/units.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

namespace fetcher::cli {

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

std::string html_number(double value, const char* format) {
  char text[48];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

namespace {

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
         << (row.efficiency() < 0 ? "-" : html_number(row.efficiency() * 100, "%.0f%%")) << "</td><td>"
         << (speedup(list, row) < 0 ? "-" : html_number(speedup(list, row), "%.2fx")) << "</td><td>"
         << format_seconds(row.usage.cpu_s()) << "</td><td>" << r.connections_opened << "</td><td>" << r.tls_handshakes
         << "</td><td>" << html_number(r.requests_per_second()) << "</td><td>"
         << (l.count ? format_seconds(l.p50) : "-") << "</td><td>" << (l.count ? format_seconds(l.p95) : "-")
         << "</td><td>" << (l.count ? format_seconds(l.max) : "-") << "</td><td>" << r.peak_threads << "</td><td>"
         << format_bytes(static_cast<std::uint64_t>(std::max(0L, row.usage.peak_rss_kb)) * 1024) << "</td><td>" << r.ok
         << "/" << r.failed << "</td></tr>\n";
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
  html += "<div class=\"charts\">\n";
  std::string reasons;
  for (const auto& chart : list_charts(list)) {
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