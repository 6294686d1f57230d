// crawl_output.cpp: see crawl_output.hpp.
#include "crawl/crawl_output.hpp"

#include "common/units.hpp"

#include <fetcher/fetch_result.hpp>

#include <sstream>

namespace fetcher::cli {

namespace {

// 12345 -> "12,345": crawl counts run into the millions.
std::string grouped(std::uint64_t value) {
  auto digits = std::to_string(value);
  for (auto at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

double per_second(std::uint64_t count, double seconds) { return seconds > 0 ? count / seconds : 0; }

}  // namespace

nlohmann::json page_to_json(const crawl::CrawlPage& page) {
  const auto& result = *page.result;
  return {
      {"url", page.url},
      {"final_url", page.final_url},
      {"status", result.status},
      {"depth", page.depth},
      {"referrer", page.referrer},
      {"content_type", result.headers.content_type()},
      {"bytes", result.body_bytes},
      {"sha256", result.body_sha256},
      {"links", page.links},
      {"error", std::string(to_string(result.error))},
      {"message", result.message},
  };
}

std::string crawl_progress_line(const crawl::CrawlStats& stats, double elapsed_seconds) {
  std::ostringstream line;
  line << grouped(stats.pages) << " pages  queued " << grouped(stats.queued + stats.in_flight) << "  hosts "
       << grouped(stats.hosts) << "  " << static_cast<std::uint64_t>(per_second(stats.pages, elapsed_seconds))
       << " pages/s  failed " << grouped(stats.failed);
  return line.str();
}

std::string crawl_summary(const crawl::CrawlStats& stats, const Style& style) {
  const double wall = std::chrono::duration<double>(stats.wall).count();
  std::ostringstream out;
  out << paint(style, Paint::bold, grouped(stats.pages) + " pages") << " in " << format_seconds(wall) << " ("
      << static_cast<std::uint64_t>(per_second(stats.pages, wall)) << " pages/s), " << format_bytes(stats.body_bytes)
      << ", " << grouped(stats.hosts) << (stats.hosts == 1 ? " host" : " hosts") << "\n";
  out << "  status   2xx " << grouped(stats.status_2xx) << "  3xx " << grouped(stats.status_3xx) << "  4xx "
      << grouped(stats.status_4xx) << "  5xx " << grouped(stats.status_5xx) << "  no response "
      << grouped(stats.transport_errors) << "\n";
  out << "  skipped  robots.txt " << grouped(stats.robots_disallowed) << "  out of scope "
      << grouped(stats.out_of_scope) << "  nofollow " << grouped(stats.nofollow_skipped) << "  not http(s) "
      << grouped(stats.bad_links);
  if (stats.beyond_max_depth) out << "  past --max-depth " << grouped(stats.beyond_max_depth);
  if (stats.beyond_max_pages) out << "  past --max-pages " << grouped(stats.beyond_max_pages);
  out << "\n";
  out << "  seen     " << grouped(stats.seen) << " distinct URLs, " << grouped(stats.robots_fetches)
      << " robots.txt fetched\n";
  return out.str();
}

std::string crawl_client_line(double cpu_seconds, std::uint64_t pages, std::uint64_t peak_rss_bytes) {
  std::ostringstream out;
  out << "  client   CPU " << format_seconds(cpu_seconds);
  if (pages > 0) out << " (" << format_seconds(cpu_seconds / static_cast<double>(pages)) << " a page)";
  out << ", peak memory " << format_bytes(peak_rss_bytes) << "\n";
  return out.str();
}

std::string crawl_cpu_split_line(const crawl::CrawlStats& stats) {
  return "           of which parsing HTML " + format_seconds(std::chrono::duration<double>(stats.parse_cpu).count()) +
         ", links and frontier " + format_seconds(std::chrono::duration<double>(stats.links_cpu).count()) +
         ", the rest fetching and writing\n";
}

}  // namespace fetcher::cli
