// bench_output.hpp: where `fetcher bench` writes what it measured. A table is printed as each list
// finishes; the other formats (markdown, CSV, JSON) once the bench is over, as is the HTML report
// (--report). Each list's failures are named on stderr before its table.
#pragma once

#include "bench/bench_report.hpp"
#include "commands.hpp"
#include "common/terminal_style.hpp"

#include <cstddef>
#include <fstream>
#include <ostream>
#include <string>

namespace fetcher::cli {

// Everything a list prints after its measurements, in the chosen format's place.
struct ListOutput {
  OutputFormat format;
  Style style;
  std::size_t width;
  bool charts;
  std::string histogram;
  bool explain;
};

class BenchOutput {
 public:
  // Opens --output and --report; throws std::runtime_error naming a file it cannot write.
  BenchOutput(const BenchArgs& args, OutputFormat format, ColorMode color);

  // A list measured: the first few of its failures on stderr, then its table (with charts and
  // reading as asked), or for CSV with --explain its reading on stderr.
  void list_done(const ListReport& list);
  // The bench over (or interrupted): the whole of it in a non-table format, and the HTML report,
  // whose path goes to stderr.
  void bench_done(const BenchReport& bench);

 private:
  std::ofstream file_;         // --output
  std::ofstream report_file_;  // --report
  std::string report_path_;
  std::ostream& out_;
  ListOutput how_;
  std::size_t lists_done_ = 0;
};

}  // namespace fetcher::cli
