// bench_report.cpp: renderings of the bench's figures.
#include "bench_report.hpp"

#include "result_json.hpp"
#include "units.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace fetcher::cli {
namespace {

constexpr int json_format_version = 1;

const StrategyRow* sequential_row(const ListReport& list) {
  for (const auto& row : list.strategies) {
    if (row.report.strategy == "sequential") return &row;
  }
  return nullptr;
}

double speedup(const ListReport& list, const StrategyRow& row) {
  const auto* base = sequential_row(list);
  if (!base || row.report.wall_seconds() <= 0) return -1;
  return base->report.wall_seconds() / row.report.wall_seconds();
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

struct Column {
  const char* title;
  bool left;
};

// The columns of the table, the markdown table and the CSV, in one place.
std::vector<std::string> cells(const ListReport& list, const StrategyRow& row) {
  const auto& r = row.report;
  return {r.strategy,
          format_seconds(r.wall_seconds()),
          format_seconds(row.ideal_s),
          percent(row.efficiency()),
          fixed(speedup(list, row), "%.2fx"),
          format_seconds(r.cpu_user_s + r.cpu_sys_s),
          fixed(r.requests_per_second(), r.requests_per_second() < 100 ? "%.1f" : "%.0f"),
          r.latency.count ? format_seconds(r.latency.p50) : "-",
          r.latency.count ? format_seconds(r.latency.p95) : "-",
          std::to_string(r.ok) + "/" + std::to_string(r.failed)};
}

const std::vector<Column>& columns() {
  static const std::vector<Column> all = {{"strategy", true}, {"wall", false},    {"ideal", false},
                                          {"eff", false},     {"speedup", false}, {"cpu", false},
                                          {"req/s", false},   {"p50", false},     {"p95", false},
                                          {"ok/fail", false}};
  return all;
}

std::string footer(const ListReport& list) {
  std::string text;
  if (list.agree) {
    text = "all strategies agreed on every URL's status, size and SHA-256\n";
  } else {
    text = "strategies DISAGREED:\n";
    for (const auto& line : list.disagreements) text += "  " + line + "\n";
  }
  return text;
}

}  // namespace

double StrategyRow::efficiency() const {
  const double wall = report.wall_seconds();
  return ideal_s < 0 || wall <= 0 ? -1 : ideal_s / wall;
}

OutputFormat parse_output_format(std::string_view text) {
  if (text == "table") return OutputFormat::table;
  if (text == "md" || text == "markdown") return OutputFormat::markdown;
  if (text == "csv") return OutputFormat::csv;
  if (text == "json") return OutputFormat::json;
  throw std::invalid_argument("--format: unknown format '" + std::string(text) + "' (expected table, md, csv or json)");
}

std::string render_table(const ListReport& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : list.strategies) rows.push_back(cells(list, row));
  std::vector<std::size_t> width;
  for (const auto& column : columns()) width.push_back(std::string(column.title).size());
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::ostringstream out;
  out << list.name << ": " << list.urls << " URLs" << (list.origin_note.empty() ? "" : ", " + list.origin_note)
      << "\n";
  const auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const auto pad = std::string(width[i] - row[i].size(), ' ');
      if (i > 0) line += "  ";
      line += columns()[i].left ? row[i] + pad : pad + row[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  std::vector<std::string> titles;
  for (const auto& column : columns()) titles.emplace_back(column.title);
  print_row(titles);
  for (const auto& row : rows) print_row(row);
  out << footer(list);
  return out.str();
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
      if (!row.origin_seen.is_null()) item["origin"] = row.origin_seen;
      if (!row.wall_runs_s.empty()) item["wall_runs_s"] = row.wall_runs_s;
      strategies.push_back(std::move(item));
    }
    lists.push_back({{"name", list.name},
                     {"urls", list.urls},
                     {"agree", list.agree},
                     {"disagreements", list.disagreements},
                     {"strategies", std::move(strategies)}});
  }
  return {{"version", json_format_version}, {"lists", std::move(lists)}};
}

std::string render(const BenchReport& report, OutputFormat format) {
  std::ostringstream out;
  switch (format) {
    case OutputFormat::table:
      for (std::size_t i = 0; i < report.lists.size(); ++i) out << (i ? "\n" : "") << render_table(report.lists[i]);
      break;
    case OutputFormat::markdown:
      for (std::size_t i = 0; i < report.lists.size(); ++i) {
        const auto& list = report.lists[i];
        out << (i ? "\n" : "") << "**" << list.name << "**: " << list.urls << " URLs"
            << (list.origin_note.empty() ? "" : ", " + list.origin_note) << "\n\n|";
        for (const auto& column : columns()) out << " " << column.title << " |";
        out << "\n|";
        for (const auto& column : columns()) out << (column.left ? ":---|" : "---:|");
        out << "\n";
        for (const auto& row : list.strategies) {
          out << "|";
          for (const auto& cell : cells(list, row)) out << " " << cell << " |";
          out << "\n";
        }
        out << "\n" << footer(list);
      }
      break;
    case OutputFormat::csv:
      out << "list,strategy,urls,wall_s,ideal_s,efficiency,speedup,cpu_user_s,cpu_sys_s,req_per_s,"
             "p50_ms,p95_ms,p99_ms,max_ms,ok,failed,bytes,peak_threads,peak_rss_kb,agree\n";
      for (const auto& list : report.lists) {
        for (const auto& row : list.strategies) {
          const auto& r = row.report;
          const auto number = [](double value) { return value < 0 ? std::string() : fixed(value, "%.6g"); };
          out << csv_field(list.name) << "," << r.strategy << "," << list.urls << "," << number(r.wall_seconds()) << ","
              << number(row.ideal_s) << "," << number(row.efficiency()) << "," << number(speedup(list, row)) << ","
              << number(r.cpu_user_s) << "," << number(r.cpu_sys_s) << "," << number(r.requests_per_second())
              << "," << number(r.latency.p50 * 1e3) << "," << number(r.latency.p95 * 1e3) << ","
              << number(r.latency.p99 * 1e3) << "," << number(r.latency.max * 1e3) << "," << r.ok << ","
              << r.failed << "," << r.bytes << "," << r.peak_threads << "," << r.peak_rss_kb << ","
              << (list.agree ? "true" : "false") << "\n";
        }
      }
      break;
    case OutputFormat::json:
      out << bench_to_json(report).dump(2) << "\n";
      break;
  }
  return out.str();
}

}  // namespace fetcher::cli
