// crawl_command.cpp: `fetcher crawl`, the crawl layer's crawler as a command: seeds in, pages out
// as JSON Lines, WARC and saved bodies (crawl_sinks), a progress line while it runs and a summary
// at the end. A shared crawl (crawl_shared) and a synthetic site (crawl_synthetic) run their own
// way; the flags are in crawl_flags.cpp.
#include "commands.hpp"
#include "common/interrupt.hpp"
#include "common/terminal_style.hpp"
#include "crawl/crawl_output.hpp"
#include "crawl/crawl_run.hpp"
#include "crawl/crawl_shared.hpp"
#include "crawl/crawl_synthetic.hpp"

#include <iostream>
#include <stdexcept>
#include <utility>

#include <unistd.h>

namespace fetcher::cli {
namespace {

int exit_code(const CrawlRun& run) {
  if (run.interrupted) return exit_code_for_signal(run.signal);
  return run.stats.failed > 0 || run.save_failures > 0 ? exit_some_failed : exit_ok;
}

}  // namespace

int crawl_command(const CrawlArgs& args) {
  if (!args.frontier.empty() || !args.crawl_id.empty() || !args.export_file.empty()) return shared_crawl(args);
  if (!args.synthetic.urls.empty()) return synthetic_crawl(args);
  auto seeds = seeds_of(args);
  if (seeds.empty()) throw std::invalid_argument("crawl: no seed URLs (give URLs as arguments or -i FILE)");
  auto options = crawl_options(args, std::move(seeds));
  const auto err_style = detect_style(parse_color_mode(args.color), STDERR_FILENO);
  const auto fetch_options = args.client.to_options();
  if (args.client.insecure) std::cerr << "fetcher: warning: --insecure: TLS certificates are NOT verified\n";
  const auto run = run_crawl(args, std::move(options), fetch_options);
  if (!args.quiet || run.interrupted) {
    std::cerr << crawl_summary(run.stats, err_style);
    std::cerr << crawl_client_line(run.cpu_seconds, run.stats.pages, run.peak_rss_bytes);
    if (run.interrupted) std::cerr << "  (interrupted)\n";
  }
  return exit_code(run);
}

}  // namespace fetcher::cli
