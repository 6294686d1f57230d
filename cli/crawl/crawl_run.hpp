// crawl_run.hpp: what every way of running `fetcher crawl` shares: its seeds and options from the
// flags, the progress line, this process's CPU and memory, and the crawl run in this process.
#pragma once

#include "commands.hpp"

#include <fetcher/crawl/crawler.hpp>
#include <fetcher/fetch_options.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace fetcher::cli {

// The seed URLs given as arguments, then those of each -i list; a list's bad lines are named on
// stderr and skipped.
std::vector<std::string> seeds_of(const CrawlArgs& args);

// The crawl's options from its flags; throws std::invalid_argument naming a flag whose value it
// cannot take.
crawl::CrawlOptions crawl_options(const CrawlArgs& args, std::vector<std::string> seeds);

// Redraws the progress line on stderr every quarter second while the crawl runs.
class CrawlProgressLine {
 public:
  // `enabled` false: draws nothing (--quiet, or stderr is not a terminal).
  CrawlProgressLine(std::function<crawl::CrawlStats()> stats, bool enabled);
  ~CrawlProgressLine() { finish(); }
  // Stops drawing and clears the line; the summary may follow.
  void finish();

 private:
  void draw_until(std::stop_token stop);

  std::function<crawl::CrawlStats()> stats_;
  std::chrono::steady_clock::time_point started_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::jthread thread_;
};

// This process's CPU (user + system) and peak resident set so far.
struct ProcessUsage {
  double cpu_seconds = 0;
  std::uint64_t peak_rss_bytes = 0;
};
ProcessUsage process_usage();

// The crawl in this process, what it counted and what it cost.
struct CrawlRun {
  crawl::CrawlStats stats;
  double cpu_seconds = 0;  // this process, user + system
  std::uint64_t peak_rss_bytes = 0;
  bool interrupted = false;
  int signal = 0;
  std::uint64_t save_failures = 0;
};

// Crawls with `options` into the sinks the flags name, with the progress line, until the
// frontier is empty or an interrupt stops it.
CrawlRun run_crawl(const CrawlArgs& args, crawl::CrawlOptions options, const FetchOptions& fetch_options);

}  // namespace fetcher::cli
