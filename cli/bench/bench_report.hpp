// bench_report.hpp: what `fetcher bench` measured, per list and strategy, and its renderings
// (an aligned table for people; markdown, CSV and versioned JSON for pasting and plotting).
// The figures are in bench_report.cpp, the table in bench_table.cpp and bench_footer.cpp, the
// other formats in bench_formats.cpp.
#pragma once

#include "common/terminal_style.hpp"

#include <fetcher/bench/process_usage.hpp>
#include <fetcher/run_report.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fetcher::cli {

struct StrategyRow {
  RunReport report;                 // measurements; results are not kept here
  bench::ProcessUsage usage;        // the measuring process's CPU and peak memory over the same run
  double ideal_s = -1;              // the model's ideal time; negative when unknown (--live)
  nlohmann::json origin_seen;       // the origin's per-host counters for this strategy, or null
  std::vector<double> wall_runs_s;  // every repeat's wall time, ascending (--runs)
  std::vector<double> latencies_s;  // each fetch that got a response, in list order (charts)

  double efficiency() const;  // ideal / wall; negative when unknown
  // How far the farthest repeat's wall time lies from the reported (median) one; negative with
  // fewer than two repeats.
  double wall_spread() const;
};

// One host of a list as the sites model describes it.
struct HostModel {
  std::string host;
  std::size_t urls = 0;   // URLs of the list that start on this host
  double latency_s = 0;   // per request, before jitter
  unsigned capacity = 0;  // requests served at once; 0 = unlimited
};

// What the sites model says about a list, for the explanation; empty with --live.
struct ListModel {
  std::vector<HostModel> hosts;       // in order of first appearance in the list
  std::string slowest_url;            // the URL that takes longest alone (redirects followed)
  double slowest_url_s = -1;          // its ideal time alone
  unsigned slowest_url_requests = 1;  // requests its chain took (1 + redirects)
  double all_at_once_s = -1;          // the ideal time with every URL in flight at once

  bool known() const { return all_at_once_s >= 0; }
};

// One failure message and how many results had it, over every strategy of a list.
struct FailureCount {
  std::string message;
  std::size_t count = 0;
};

struct ListReport {
  std::string name;  // file name, e.g. "mipt.txt"
  std::size_t urls = 0;
  bool agree = true;                       // all strategies agreed on every URL's status, size, digest
  std::size_t fetched_urls = 0;            // URLs some strategy got a response for: what agreement and the
                                           // charts speak of; a URL every strategy failed agrees vacuously
  std::vector<std::string> disagreements;  // the first few, for the footer
  std::vector<StrategyRow> strategies;
  std::vector<FailureCount> failures;  // every distinct failure message, in order of first appearance
  std::string origin_note;             // one line describing where the list was fetched from
  bool huge_pages = false;             // the bench put its measured processes' heap on huge pages (huge_pages.hpp)
  ListModel model;
};

struct BenchReport {
  std::vector<ListReport> lists;
  nlohmann::json metadata = nullptr;  // the run's (run_metadata.hpp), or null
};

enum class OutputFormat { table, markdown, csv, json };
// "table", "md", "csv", "json"; throws std::invalid_argument naming the value.
OutputFormat parse_output_format(std::string_view text);

// The fastest strategy among those that fetched the most URLs; nullptr for an empty list.
const StrategyRow* fastest_row(const ListReport& list);
// This row's wall time against sequential's; negative without a sequential row, or when
// sequential got no response at all (its wall time then measures only failures).
double speedup(const ListReport& list, const StrategyRow& row);

// The widest a terminal table line may be: it must read on an 80-column terminal. A narrower
// terminal (Style::columns) narrows the table and its footer further.
constexpr std::size_t table_width_limit = 80;

// How many times each strategy ran (--runs), the most over the list's rows; 1 for none.
std::size_t runs_of(const ListReport& list);

// One list for a terminal: the fastest strategy is marked with '*' (and bold when coloured),
// and a footer says what the origin saw and whether the strategies agreed, over how many URLs,
// or why agreement was not checked (one strategy, or no URL fetched by any). With repeated runs
// a line under the title says the wall is the median of N, and each wall cell carries its spread.
// On a terminal (style.columns > 0) every line fits min(table_width_limit, style.columns): prose
// wraps at word boundaries (a word longer than the width is never broken), and a narrow terminal's
// table leaves out optional columns in a fixed order (cpu, p95, conn, ideal, speedup, eff, ok/fail;
// strategy and wall always stay) with a line under it naming them and the width that shows them.
// For a file or a pipe (columns 0) the layout is the 80-column one, nothing left out.
std::string render_table(const ListReport& list, const Style& style = {});
std::string render(const BenchReport& report, OutputFormat format, const Style& style = {});
// The versioned JSON report: the metadata when there is one, then the lists; floats rounded to
// six significant digits, and the origin's counters only for hosts that got requests.
nlohmann::json bench_to_json(const BenchReport& report);

}  // namespace fetcher::cli
