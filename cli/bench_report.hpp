// bench_report.hpp: what `fetcher bench` measured, per list and strategy, and its renderings
// (an aligned table for people; markdown, CSV and versioned JSON for pasting and plotting).
#pragma once

#include <fetcher/run_report.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fetcher::cli {

struct StrategyRow {
  RunReport report;             // measurements; results are not kept here
  double ideal_s = -1;          // the model's ideal time; negative when unknown (--live)
  nlohmann::json origin_seen;   // the origin's per-host counters for this strategy, or null
  std::vector<double> wall_runs_s;  // every repeat's wall time, ascending (--runs)

  double efficiency() const;    // ideal / wall; negative when unknown
};

struct ListReport {
  std::string name;             // file name, e.g. "mipt.txt"
  std::size_t urls = 0;
  bool agree = true;            // all strategies agreed on every URL's status, size, digest
  std::vector<std::string> disagreements;  // the first few, for the footer
  std::vector<StrategyRow> strategies;
  std::string origin_note;      // one line describing where the list was fetched from
};

struct BenchReport {
  std::vector<ListReport> lists;
};

enum class OutputFormat { table, markdown, csv, json };
// "table", "md", "csv", "json"; throws std::invalid_argument naming the value.
OutputFormat parse_output_format(std::string_view text);

std::string render_table(const ListReport& list);  // one list, for a terminal
std::string render(const BenchReport& report, OutputFormat format);
nlohmann::json bench_to_json(const BenchReport& report);

}  // namespace fetcher::cli
