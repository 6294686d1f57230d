// crawl_output.hpp: what `fetcher crawl` writes: a JSON Lines record per page, the live progress
// line, and the summary at the end.
#pragma once

#include "common/terminal_style.hpp"

#include <fetcher/crawl/crawler.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace fetcher::cli {

// {"url", "final_url", "status", "depth", "referrer", "content_type", "bytes", "sha256", "links",
//  "error", "message"}: `error` is the library's error kind, "none" on success.
nlohmann::json page_to_json(const crawl::CrawlPage& page);

// "1,204 pages  queued 3,311  hosts 4  412 pages/s  failed 12" for a terminal's status line.
std::string crawl_progress_line(const crawl::CrawlStats& stats, double elapsed_seconds);

// The summary: pages by status class, failures, robots-disallowed, out-of-scope, wall, pages/s;
// several lines, each ending in '\n'.
std::string crawl_summary(const crawl::CrawlStats& stats, const Style& style = {});

// "  client   CPU 1.27 s (0.12 ms a page), peak memory 61.3 MB\n": the crawling process alone
// (the local origin of --synthetic runs in a process of its own).
std::string crawl_client_line(double cpu_seconds, std::uint64_t pages, std::uint64_t peak_rss_bytes);
// "           of which parsing HTML 612 ms, links and frontier 120 ms, the rest fetching\n".
std::string crawl_cpu_split_line(const crawl::CrawlStats& stats);

}  // namespace fetcher::cli
