// bench_formats.cpp: the bench's renderings other than the terminal table: markdown, CSV and
// the versioned JSON report, and --format's names for them.
#include "bench/bench_report.hpp"

#include "bench/bench_table.hpp"
#include "common/result_json.hpp"
#include "common/run_metadata.hpp"

#include <sstream>
#include <stdexcept>

namespace fetcher::cli {
namespace {

constexpr int json_format_version = 1;

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

// One list as markdown: its title, a row per strategy with the fastest in bold, and the
// footer's statements as paragraphs.
std::string markdown(const ListReport& list) {
  std::ostringstream out;
  const auto* best = list.strategies.size() > 1 ? fastest_row(list) : nullptr;
  const auto note = runs_note(list, true);
  out << "**" << list.name << "**: " << list.urls << " URLs"
      << (list.origin_note.empty() ? "" : ", " + list.origin_note) << (note.empty() ? "" : "\n\n" + note) << "\n\n|";
  for (const auto field : all_fields()) out << " " << field_title(field) << " |";
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
    if (!paragraph.empty()) out << "\n" << (paragraph.rfind("* ", 0) == 0 ? paragraph.substr(2) : paragraph) << "\n";
  }
  out << "\n" << agreement_lines(list);
  return out.str();
}

// Every list's rows as CSV, one header line for all; times in seconds and milliseconds.
std::string csv(const BenchReport& report) {
  std::ostringstream out;
  out << "list,strategy,urls,wall_s,ideal_s,efficiency,speedup,cpu_user_s,cpu_sys_s,req_per_s,"
         "p50_ms,p95_ms,p99_ms,max_ms,ok,failed,bytes,peak_threads,peak_rss_kb,connections_opened,tls_handshakes,"
         "agree\n";
  for (const auto& list : report.lists) {
    for (const auto& row : list.strategies) {
      const auto& r = row.report;
      const auto number = [](double value) { return value < 0 ? std::string() : fixed_or_dash(value, "%.6g"); };
      out << csv_field(list.name) << "," << r.strategy << "," << list.urls << "," << number(r.wall_seconds()) << ","
          << number(row.ideal_s) << "," << number(row.efficiency()) << "," << number(speedup(list, row)) << ","
          << number(row.usage.cpu_user_s) << "," << number(row.usage.cpu_sys_s) << ","
          << number(r.requests_per_second()) << "," << number(r.latency.p50 * 1e3) << "," << number(r.latency.p95 * 1e3)
          << "," << number(r.latency.p99 * 1e3) << "," << number(r.latency.max * 1e3) << "," << r.ok << "," << r.failed
          << "," << r.bytes << "," << r.peak_threads << "," << row.usage.peak_rss_kb << "," << r.connections_opened
          << "," << r.tls_handshakes << "," << (list.agree ? "true" : "false") << "\n";
    }
  }
  return out.str();
}

}  // namespace

OutputFormat parse_output_format(std::string_view text) {
  if (text == "table") return OutputFormat::table;
  if (text == "md" || text == "markdown") return OutputFormat::markdown;
  if (text == "csv") return OutputFormat::csv;
  if (text == "json") return OutputFormat::json;
  throw std::invalid_argument("--format: unknown format '" + std::string(text) + "' (expected table, md, csv or json)");
}

nlohmann::json bench_to_json(const BenchReport& report) {
  nlohmann::json lists = nlohmann::json::array();
  for (const auto& list : report.lists) {
    nlohmann::json strategies = nlohmann::json::array();
    for (const auto& row : list.strategies) {
      const auto& r = row.report;
      auto item = report_to_json(r, row.usage);
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
      for (std::size_t i = 0; i < report.lists.size(); ++i) out << (i ? "\n" : "") << markdown(report.lists[i]);
      break;
    case OutputFormat::csv: out << csv(report); break;
    case OutputFormat::json: out << bench_to_json(report).dump(2) << "\n"; break;
  }
  return out.str();
}

}  // namespace fetcher::cli
