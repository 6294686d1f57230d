// bench_output.cpp: the bench's tables, formats and report written where they go (bench_output.hpp).
#include "bench/bench_output.hpp"

#include "bench/explain.hpp"
#include "bench/html_report.hpp"
#include "common/saved_bodies.hpp"
#include "common/terminal_charts.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace fetcher::cli {
namespace {

// The failures named on stderr per list; the JSON report carries them all.
constexpr std::size_t shown_failures = 5;

// Names the first few failures once per list, so a failed column never goes unexplained, and
// says how many more there are and where to read them.
void name_failures(const ListReport& list) {
  for (std::size_t i = 0; i < list.failures.size() && i < shown_failures; ++i) {
    const auto& failure = list.failures[i];
    std::cerr << "failed: " << printable(failure.message)
              << (failure.count > 1 ? " (" + std::to_string(failure.count) + " times)" : std::string()) << "\n";
  }
  if (list.failures.size() > shown_failures) {
    std::cerr << "failed: and " << list.failures.size() - shown_failures << " more (see --format json)\n";
  }
}

std::string list_text(const ListReport& list, const ListOutput& how) {
  std::string text = render_table(list, how.style);
  if (how.charts) {
    text += "\n" + render_wall_bars(list, how.style, how.width);
    const auto strategy = how.histogram.empty() ? default_histogram_strategy(list) : how.histogram;
    if (strategy != "none") {
      if (const auto histogram = render_latency_histogram(list, strategy, how.style, how.width); !histogram.empty()) {
        text += "\n" + histogram;
      }
    }
  }
  if (how.explain) {
    if (const auto reading = render_explanation(list, how.width); !reading.empty()) text += "\n" + reading;
  }
  return text;
}

// The whole bench in a non-table format; --explain adds the reading where the format allows.
std::string bench_text(const BenchReport& bench, const ListOutput& how) {
  if (how.format == OutputFormat::json && how.explain) {
    auto json = bench_to_json(bench);
    for (std::size_t i = 0; i < bench.lists.size(); ++i) json["lists"][i]["explanation"] = explain(bench.lists[i]);
    return json.dump(2) + "\n";
  }
  auto text = render(bench, how.format, how.style);
  if (how.format == OutputFormat::markdown && how.explain) {
    for (const auto& list : bench.lists) {
      text += "\n**Reading " + list.name + "**\n\n";
      for (const auto& paragraph : explain(list)) text += "- " + paragraph + "\n";
    }
  }
  return text;
}

// Opens `path` for writing; throws std::runtime_error when it cannot.
void open_for_writing(std::ofstream& file, const std::string& path) {
  file.open(path);
  if (!file) throw std::runtime_error(cannot_write(path));
}

}  // namespace

BenchOutput::BenchOutput(const BenchArgs& args, OutputFormat format, ColorMode color)
    : report_path_(args.report), out_(args.output.empty() ? std::cout : file_) {
  if (!args.output.empty()) open_for_writing(file_, args.output);
  if (!args.report.empty()) open_for_writing(report_file_, args.report);
  const int out_fd = args.output.empty() ? STDOUT_FILENO : -1;
  how_ = {format,
          detect_style(color, out_fd),
          std::min(table_width_limit, terminal_columns(out_fd, table_width_limit)),
          args.charts,
          args.histogram,
          args.explain};
}

void BenchOutput::list_done(const ListReport& list) {
  name_failures(list);
  if (how_.format == OutputFormat::table) {
    out_ << (lists_done_ ? "\n" : "") << list_text(list, how_) << std::flush;
  } else if (how_.format == OutputFormat::csv && how_.explain) {
    std::cerr << render_explanation(list, how_.width);  // CSV stays parseable: the reading goes aside
  }
  ++lists_done_;
}

void BenchOutput::bench_done(const BenchReport& bench) {
  if (how_.format != OutputFormat::table) out_ << bench_text(bench, how_) << std::flush;
  if (!report_file_.is_open()) return;
  report_file_ << render_html_report(bench);
  report_file_.close();
  if (!report_file_) throw std::runtime_error(cannot_write(report_path_));
  // On stderr, so the table or the --format output on stdout stays whole; the absolute path,
  // to open or copy whatever the working directory.
  std::error_code error;
  const auto where = std::filesystem::absolute(report_path_, error);
  std::cerr << "fetcher: HTML report written to " << printable(error ? report_path_ : where.string()) << "\n";
}

}  // namespace fetcher::cli
