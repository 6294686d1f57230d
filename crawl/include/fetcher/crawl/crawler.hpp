// crawler.hpp: a polite breadth-first crawler made of the public library (Client, Scheduler)
// and this layer's pieces (robots.txt, link extraction, the seen-set, WARC).
//
// The flow:
//   1. Seeds are canonicalised (canonical_url) and queued at depth 0; their hosts make the
//      scope (CrawlScope).
//   2. A host's first URL queues its /robots.txt first; the host's other URLs wait until its
//      rules are known (robots.hpp). A disallowed URL is never requested; Crawl-delay raises
//      the host's interval.
//   3. The frontier hands URLs to the Scheduler breadth-first (by depth, then discovery order),
//      a few per host at a time, so the queued URLs live in the frontier's compact form and the
//      Scheduler's host-aware dispatch keeps per_host and delay.
//   4. Each response is streamed: an HTML body (is_html) is kept up to html_limit and parsed
//      (links.hpp); other bodies are skipped after their header unless they are saved.
//      Redirects are not followed inside a fetch: a 3xx is a page of its own whose Location
//      is queued like a link (same depth), so robots, scope and de-duplication apply to it.
//   5. Every link is resolved (base href, else the final URL), canonicalised, filtered (scheme,
//      scope, nofollow) and queued once: the seen-set holds a 64-bit hash per URL.
//   6. on_page gets one CrawlPage per fetched URL (robots.txt fetches excluded), on the thread
//      that ran the fetch, one at a time (the crawler serialises them).
//   7. run() returns when nothing is queued or in flight, max_pages pages were fetched, or the
//      stop token fired (fetches in flight then end as cancelled; a cancelled fetch is no page:
//      on_page does not see it and it is not counted).
#pragma once

#include <fetcher/client.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/strategy.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::crawl {

enum class CrawlScope {
  host,    // only the seeds' hosts
  domain,  // the seeds' hosts and their subdomains, and the subdomains of a seed's parent
           // domain when the seed is www.* ("www.a.org" scopes "a.org" and "*.a.org")
  any,     // every http(s) host
};
std::string_view to_string(CrawlScope scope);
bool parse_crawl_scope(std::string_view text, CrawlScope& scope);

struct CrawlOptions {
  std::vector<std::string> seeds;
  std::uint64_t max_pages = std::numeric_limits<std::uint64_t>::max();
  unsigned max_depth = std::numeric_limits<unsigned>::max();
  CrawlScope scope = CrawlScope::host;
  unsigned per_host = 2;               // fetches in flight per host
  std::chrono::milliseconds delay{0};  // least time between two request starts on one host
  bool robots = true;                  // obey robots.txt
  Strategy strategy = Strategy::parse("async");
  std::size_t max_in_flight = 0;          // over all hosts; 0: the scheduler's default
  std::uint64_t html_limit = 8ull << 20;  // an HTML body over this many bytes is not parsed
  bool keep_bodies = false;               // CrawlPage::body holds every delivered body
  bool record_exchange = false;           // CrawlPage::request_head and response framing filled
};

// One fetched URL.
struct CrawlPage {
  std::string url;                                  // canonical, as queued
  std::string final_url;                            // the URL of the response (url: redirects are pages of their own)
  std::string referrer;                             // the page it was found on; empty for a seed
  unsigned depth = 0;                               // 0 for a seed
  std::uint64_t links = 0;                          // distinct in-scope links on the page, after canonicalisation
  const FetchResult* result = nullptr;              // status, headers, sizes, sha256, error, message
  std::string_view body;                            // the body when kept (keep_bodies) or parsed; empty otherwise
  std::string request_head;                         // what was sent (record_exchange)
  std::chrono::system_clock::time_point started{};  // when the fetch was dispatched
};

// Counters for the progress line and the summary.
struct CrawlStats {
  std::uint64_t pages = 0;   // fetched URLs reported to on_page (robots.txt excluded)
  std::uint64_t failed = 0;  // of those, not ok() (errors and statuses >= 400)
  std::uint64_t status_2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0;
  std::uint64_t transport_errors = 0;   // pages with no response (error other than http_status)
  std::uint64_t queued = 0;             // waiting in the frontier now
  std::uint64_t in_flight = 0;          // handed to the scheduler (robots.txt too), not yet reported
  std::uint64_t seen = 0;               // distinct canonical URLs met (queued once each)
  std::uint64_t hosts = 0;              // hosts met in scope
  std::uint64_t robots_fetches = 0;     // robots.txt requests made
  std::uint64_t robots_disallowed = 0;  // URLs not requested because robots.txt forbids them
  std::uint64_t out_of_scope = 0;       // distinct links left out for their host
  std::uint64_t nofollow_skipped = 0;   // links not followed because of rel or meta nofollow
  std::uint64_t bad_links = 0;          // hrefs that are not http(s) URLs
  std::uint64_t beyond_max_depth = 0;   // links not queued for max_depth
  std::uint64_t beyond_max_pages = 0;   // new URLs not queued because max_pages are already queued
  std::uint64_t body_bytes = 0;
  std::chrono::nanoseconds wall{0};
  // Where the crawler's CPU goes beside fetching (thread CPU time, all threads together): HTML
  // parsing, and turning hrefs into queued URLs (resolve, canonicalise, scope, seen-set, queue).
  std::chrono::nanoseconds parse_cpu{0};
  std::chrono::nanoseconds links_cpu{0};
};

using PageHandler = std::function<void(const CrawlPage&)>;

class Crawler {
 public:
  // `client` must outlive the crawler. Throws std::invalid_argument for bad options (no seeds,
  // a seed that is not an http(s) URL, per_host 0, a strategy the scheduler refuses).
  Crawler(Client& client, CrawlOptions options, PageHandler on_page = {});
  ~Crawler();
  Crawler(const Crawler&) = delete;
  Crawler& operator=(const Crawler&) = delete;

  // Crawls until done or stopped. Once per crawler.
  CrawlStats run(std::stop_token stop = {});
  // A snapshot of the counters, from any thread while run() runs (for a progress line).
  CrawlStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fetcher::crawl
