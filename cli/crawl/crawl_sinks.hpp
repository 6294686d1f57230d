// crawl_sinks.hpp: where `fetcher crawl` puts its pages: a JSON Lines record each (--format json,
// --output), a WARC archive (--warc) and saved bodies (--save), with the old spellings of those
// flags settled first.
#pragma once

#include "commands.hpp"

#include <fetcher/crawl/crawler.hpp>
#include <fetcher/crawl/warc.hpp>

#include <cstdint>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>

namespace fetcher::cli {

// Where the per-page records and the bodies go, once the old spellings are settled.
struct CrawlOutput {
  std::string records;  // "": none; "-": standard output; else the file
  std::string save;     // --save DIR; empty: bodies are not saved
};

// --format, --output and --save, with the old spellings (--jsonl, -o, --output-dir) applied: each
// prints its deprecation note, and one given together with its replacement is a usage error.
CrawlOutput settle_output_flags(const CrawlArgs& args);

// Where the pages go: JSON Lines, a WARC archive, saved bodies. Called one page at a time.
class PageSinks {
 public:
  // Opens the records' file and the archive, and creates the --save directory; throws
  // std::runtime_error naming a directory it cannot create.
  PageSinks(const CrawlArgs& args, const CrawlOutput& how);

  // Saves the page's body (a failure is counted and named on stderr), archives the exchange and
  // writes the record; throws std::runtime_error when the records cannot be written.
  void write(const crawl::CrawlPage& page);

  // Bodies --save could not write.
  std::uint64_t save_failures() const { return save_failures_; }

 private:
  std::string save_dir_;
  std::ofstream jsonl_file_;
  std::ostream* jsonl_ = nullptr;
  std::unique_ptr<crawl::WarcWriter> warc_;
  std::uint64_t numbered_ = 0;
  std::uint64_t save_failures_ = 0;
};

}  // namespace fetcher::cli
