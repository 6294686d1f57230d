// crawl_run.cpp: the pieces every way of running a crawl shares, and the crawl in this process.
#include "crawl/crawl_run.hpp"

#include "common/interrupt.hpp"
#include "common/terminal_style.hpp"
#include "common/units.hpp"
#include "crawl/crawl_output.hpp"
#include "crawl/crawl_sinks.hpp"

#include <fetcher/client.hpp>
#include <fetcher/run.hpp>
#include <fetcher/strategy.hpp>
#include <fetcher/url_list.hpp>

#include <iostream>
#include <stdexcept>
#include <utility>

#include <sys/resource.h>
#include <unistd.h>

namespace fetcher::cli {

std::vector<std::string> seeds_of(const CrawlArgs& args) {
  std::vector<std::string> seeds = args.seeds;
  for (const auto& path : args.input_lists) {
    for (auto& request : load_url_list(path)) {
      if (!request.error.empty()) {
        std::cerr << "fetcher: " << printable(request.source) << ": " << printable(request.error) << " (skipped)\n";
        continue;
      }
      seeds.push_back(std::move(request.url));
    }
  }
  return seeds;
}

crawl::CrawlOptions crawl_options(const CrawlArgs& args, std::vector<std::string> seeds) {
  crawl::CrawlOptions options;
  options.seeds = std::move(seeds);
  if (!args.max_pages.empty()) options.max_pages = parse_count("--max-pages", args.max_pages);
  if (args.max_depth >= 0) options.max_depth = static_cast<unsigned>(args.max_depth);
  if (!crawl::parse_crawl_scope(args.scope, options.scope)) {
    throw std::invalid_argument("--scope: '" + args.scope + "' is not host, domain or any");
  }
  if (args.per_host == 0) throw std::invalid_argument("--per-host: must be at least 1");
  options.per_host = args.per_host;
  options.delay = parse_duration("--delay", args.delay);
  if (args.robots != "on" && args.robots != "off")
    throw std::invalid_argument("--robots: '" + args.robots + "' is not on or off");
  options.robots = args.robots == "on";
  options.strategy = Strategy::parse(args.strategy);
  if (options.strategy.kind != Strategy::Kind::async) {
    throw std::invalid_argument("--strategy: a crawl runs on event loops: async or async:N, not " + args.strategy);
  }
  options.max_in_flight = args.max_in_flight;
  options.keep_bodies = !args.save.empty() || !args.old_o.empty() || !args.old_output_dir.empty() || !args.warc.empty();
  options.record_exchange = !args.warc.empty();
  return options;
}

CrawlProgressLine::CrawlProgressLine(std::function<crawl::CrawlStats()> stats, bool enabled)
    : stats_(std::move(stats)) {
  if (!enabled) return;
  started_ = std::chrono::steady_clock::now();
  thread_ = std::jthread([this](std::stop_token stop) { draw_until(stop); });
}

void CrawlProgressLine::finish() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
  std::cerr << "\r\033[K" << std::flush;
}

void CrawlProgressLine::draw_until(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    wake_.wait_for(lock, std::chrono::milliseconds(250));
    if (stop.stop_requested()) break;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const auto line = crawl_progress_line(stats_(), elapsed);
    std::cerr << "\r\033[K" << truncate_to_width(line, terminal_columns(STDERR_FILENO) - 1) << std::flush;
  }
}

ProcessUsage process_usage() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return {static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
              static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
          static_cast<std::uint64_t>(usage.ru_maxrss) * 1024};
}

CrawlRun run_crawl(const CrawlArgs& args, crawl::CrawlOptions options, const FetchOptions& fetch_options) {
  PageSinks sinks(args, settle_output_flags(args));
  raise_open_files_limit();
  Client client(fetch_options);
  crawl::Crawler crawler(client, std::move(options), [&sinks](const crawl::CrawlPage& page) { sinks.write(page); });
  std::stop_source stop;
  InterruptWatcher interrupt([&stop] { stop.request_stop(); });
  CrawlProgressLine progress([&crawler] { return crawler.stats(); }, !args.quiet && is_terminal(STDERR_FILENO));
  CrawlRun run;
  run.stats = crawler.run(stop.get_token());
  progress.finish();
  run.interrupted = interrupt.interrupted();
  run.signal = interrupt.signal();
  run.save_failures = sinks.save_failures();
  const auto usage = process_usage();
  run.cpu_seconds = usage.cpu_seconds;
  run.peak_rss_bytes = usage.peak_rss_bytes;
  return run;
}

}  // namespace fetcher::cli
