// page.hpp: what every crawler does with one fetched URL, whatever holds its frontier: the keys
// of a canonical URL, the body handlers for a page and for robots.txt, and the links a page
// gives (parsed, resolved, canonicalised, split by scope) plus a redirect's target.
#pragma once

#include "scope.hpp"

#include <fetcher/client.hpp>
#include <fetcher/crawl/crawler.hpp>
#include <fetcher/fetch_result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::crawl {

// The parts of a canonical URL ("scheme://authority/path?query") a crawl keys on. A canonical
// URL always has "://" and a path, and its host is already in lower case.
struct UrlKeys {
  std::string_view origin;  // "http://a.org:8080": robots.txt and the frontier go by it
  std::string_view host;    // "a.org" (an IPv6 address without brackets): scope and politeness
  std::string_view target;  // "/path?query": what robots.txt rules match
};
UrlKeys keys_of(std::string_view url);

// The body of a page as it arrives: an HTML body is kept (up to the parse limit) for its links;
// any other body only when every body is kept. A 2xx body that is not HTML is otherwise skipped
// after its header.
class PageBody : public BodyHandler {
 public:
  PageBody(std::uint64_t html_limit, bool keep_all) : html_limit_(html_limit), keep_all_(keep_all) {}

  Decision on_header(const FetchResult& response) override;
  void on_body_chunk(std::string_view chunk) override;

  bool parse() const { return html_ && !over_limit_; }
  const std::string& body() const { return body_; }

 private:
  std::uint64_t html_limit_;
  bool keep_all_;
  bool html_ = false;
  bool over_limit_ = false;
  std::string body_;
};

// robots.txt: its first robots_parse_limit bytes.
class RobotsBody : public BodyHandler {
 public:
  Decision on_header(const FetchResult&) override { return Decision::read_body; }
  void on_body_chunk(std::string_view chunk) override;
  const std::string& body() const { return body_; }

 private:
  std::string body_;
};

// CPU time of the calling thread (a system call, well under a microsecond).
std::chrono::nanoseconds thread_cpu_now();

// A link found on a page, canonical, with its seen-set hash.
struct FoundLink {
  std::string url;
  std::uint64_t hash = 0;
};

// The links of one fetched page, before any crawl state is consulted.
struct FoundLinks {
  std::vector<FoundLink> in_scope;        // distinct, in page order
  std::vector<FoundLink> out_of_scope;    // distinct
  std::uint64_t bad_links = 0;            // hrefs that are not http(s) URLs
  bool nofollow = false;                  // <meta name=robots> nofollow or none
  std::string location;                   // a 3xx's Location, canonical; empty otherwise
  std::chrono::nanoseconds parse_cpu{0};  // of this thread, in the HTML parser
};

// Parses a fetched page (when `body` was kept for parsing) and resolves its links against its
// <base href> or its URL; reads a redirect's Location.
FoundLinks links_of_page(const std::string& url, const FetchResult& result, const PageBody& body,
                         const ScopeFilter& scope);

// Makes each seed canonical in place; throws std::invalid_argument naming a seed that is not an
// http(s) URL, or when there is none.
void canonicalise_seeds(std::vector<std::string>& seeds);

// The hosts of canonical URLs (the seeds', for the scope filter).
std::vector<std::string> hosts_of(const std::vector<std::string>& urls);

// The request for an origin's robots.txt, its body streamed into `body`.
FetchRequest robots_request(const std::string& origin, std::shared_ptr<RobotsBody> body);

// The request for a page, its body streamed into `body`. A redirect is not followed: the crawl
// queues its Location as a link. `referrer` empty: a seed.
FetchRequest page_request(const std::string& url, const std::string& referrer, const HeaderFields& headers,
                          std::shared_ptr<PageBody> body);

// The head of a page's request as `client` writes it, for an archive's request record.
std::string page_request_head(const Client& client, const std::string& url, const HeaderFields& headers);

// One fetched URL for the page handler; request_head is left to the caller.
CrawlPage crawl_page(const std::string& url, const std::string& referrer, unsigned depth, std::uint64_t links,
                     const FetchResult& result, std::string_view body);

// Counts a fetched page in pages, failed, the status classes, transport errors and body bytes.
void count_page(CrawlStats& stats, const FetchResult& result);

}  // namespace fetcher::crawl
