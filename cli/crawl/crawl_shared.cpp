// crawl_shared.cpp: `fetcher crawl --frontier redis://... --crawl-id ID`: one worker of a crawl
// shared through Redis. Pages go to the local sinks (--output, --warc, --save) as they are fetched
// here; the crawl's results, recorded once per URL whichever worker fetched it, go to --export at
// the end.
#include "crawl/crawl_shared.hpp"

#include "common/interrupt.hpp"
#include "common/result_json.hpp"
#include "common/terminal_style.hpp"
#include "common/units.hpp"
#include "crawl/crawl_output.hpp"
#include "crawl/crawl_run.hpp"
#include "crawl/crawl_sinks.hpp"

#include <fetcher/crawl/shared_crawler.hpp>
#include <fetcher/run.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <stop_token>

#include <unistd.h>

namespace fetcher::cli {
namespace {

// The shared crawl's settings from the flags; `with_seeds`: the command line gives seeds, which
// the crawl then checks against its own.
crawl::SharedCrawlOptions shared_options(const CrawlArgs& args, bool with_seeds) {
  crawl::SharedCrawlOptions shared;
  shared.redis_url = args.frontier;
  shared.crawl_id = args.crawl_id;
  shared.worker = args.worker;
  shared.claim_idle = parse_duration("--claim-idle", args.claim_idle);
  if (shared.claim_idle < std::chrono::milliseconds(100)) {
    throw std::invalid_argument("--claim-idle: must be at least 100ms (a URL would pass between live workers)");
  }
  shared.redis_timeout = parse_duration("--redis-timeout", args.redis_timeout);
  shared.given = args.given;
  if (with_seeds) shared.given.insert("seeds");
  return shared;
}

// This worker's summary: its pages, its process's cost, and its part in the shared crawl.
void print_worker_summary(const CrawlArgs& args, const crawl::SharedCrawlStats& stats) {
  const auto style = detect_style(parse_color_mode(args.color), STDERR_FILENO);
  std::cerr << crawl_summary(stats.worker, style);
  const auto usage = process_usage();
  std::cerr << crawl_client_line(usage.cpu_seconds, stats.worker.pages, usage.peak_rss_bytes);
  const double pages = static_cast<double>(std::max<std::uint64_t>(stats.worker.pages, 1));
  char per_page[32];
  std::snprintf(per_page, sizeof per_page, "%.1f", static_cast<double>(stats.redis_commands) / pages);
  std::cerr << "  shared   crawl " << args.crawl_id << ": " << stats.crawl_pages << " pages recorded by all workers; "
            << "this worker reclaimed " << stats.reclaimed << ", fetched " << stats.recorded_elsewhere
            << " that another had recorded, waited for a lease " << stats.lease_waits << " times, sent "
            << stats.redis_commands << " Redis commands (" << per_page << " a page)\n";
}

}  // namespace

int shared_crawl(const CrawlArgs& args) {
  if (args.frontier.empty() || args.crawl_id.empty()) {
    throw std::invalid_argument("a shared crawl needs both --frontier redis://HOST[:PORT][/DB] and --crawl-id ID");
  }
  if (!args.synthetic.urls.empty()) throw std::invalid_argument("--synthetic runs alone, not in a shared crawl");
  auto seeds = seeds_of(args);
  auto options = crawl_options(args, std::move(seeds));
  const auto shared = shared_options(args, !options.seeds.empty());
  std::ofstream export_stream;
  if (!args.export_file.empty()) {
    // Opened now, so a path that cannot be written fails before the crawl rather than after it.
    export_stream.open(args.export_file, std::ios::binary | std::ios::trunc);
    if (!export_stream) {
      throw std::runtime_error("--export " + args.export_file + ": cannot open for writing: " + std::strerror(errno));
    }
  }
  if (args.client.insecure) std::cerr << "fetcher: warning: --insecure: TLS certificates are NOT verified\n";
  PageSinks sinks(args, settle_output_flags(args));
  raise_open_files_limit();
  crawl::SharedCrawler crawler(args.client.to_options(), std::move(options), shared,
                               [&sinks](const crawl::CrawlPage& page) {
                                 sinks.write(page);
                                 return json_line(page_to_json(page));
                               });
  if (!args.quiet) {
    std::cerr << "fetcher: " << (crawler.started_the_crawl() ? "started" : "joined") << " crawl " << args.crawl_id
              << "\n";
  }
  std::stop_source stop;
  InterruptWatcher interrupt([&stop] { stop.request_stop(); });
  CrawlProgressLine progress([&crawler] { return crawler.stats(); }, !args.quiet && is_terminal(STDERR_FILENO));
  const auto stats = crawler.run(stop.get_token());
  progress.finish();
  if (!args.quiet || interrupt.interrupted()) print_worker_summary(args, stats);
  if (interrupt.interrupted()) {
    std::cerr << "  (interrupted: the URLs this worker held go to other workers after --claim-idle)\n";
    return exit_code_for_signal(interrupt.signal());
  }
  if (!args.export_file.empty()) {
    const auto written = crawler.export_results(export_stream);
    export_stream.flush();
    if (!export_stream)
      throw std::runtime_error("--export " + args.export_file + ": cannot write: " + std::strerror(errno));
    if (!args.quiet) std::cerr << "  export   " << written << " results to " << args.export_file << "\n";
  }
  return sinks.save_failures() > 0 ? exit_some_failed : exit_ok;
}

}  // namespace fetcher::cli
