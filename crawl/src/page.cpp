// page.cpp: see page.hpp.
#include "page.hpp"

#include <fetcher/crawl/links.hpp>
#include <fetcher/crawl/robots.hpp>
#include <fetcher/crawl/url_hash.hpp>
#include <fetcher/url.hpp>

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <unordered_set>

namespace fetcher::crawl {

UrlKeys keys_of(std::string_view url) {
  UrlKeys keys;
  const auto authority_start = url.find("://") + 3;
  const auto path_start = url.find('/', authority_start);
  keys.origin = url.substr(0, path_start);
  keys.target = path_start == std::string_view::npos ? std::string_view("/") : url.substr(path_start);
  auto authority = url.substr(authority_start, path_start - authority_start);
  if (authority.starts_with('[')) {
    keys.host = authority.substr(1, authority.find(']') - 1);
  } else {
    keys.host = authority.substr(0, authority.find(':'));
  }
  return keys;
}

BodyHandler::Decision PageBody::on_header(const FetchResult& response) {
  const bool success = response.status >= 200 && response.status < 300;
  html_ = success && is_html(response.headers.content_type());
  // A skipped body costs its connection. Redirects and error pages are small, so they are read
  // (and dropped) to keep the connection; a 2xx that is not HTML (a binary, maybe large) is not.
  return html_ || keep_all_ || !success ? Decision::read_body : Decision::skip_body;
}

void PageBody::on_body_chunk(std::string_view chunk) {
  if (keep_all_ || (html_ && body_.size() + chunk.size() <= html_limit_)) {
    body_.append(chunk);
  } else if (html_) {
    over_limit_ = true;
  }
}

void RobotsBody::on_body_chunk(std::string_view chunk) {
  const auto room = robots_parse_limit - std::min(robots_parse_limit, body_.size());
  body_.append(chunk.substr(0, room));
}

std::chrono::nanoseconds thread_cpu_now() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

FoundLinks links_of_page(const std::string& url, const FetchResult& result, const PageBody& body,
                         const ScopeFilter& scope) {
  FoundLinks links;
  if (body.parse()) {
    const auto started = thread_cpu_now();
    auto page = extract_links(body.body());
    links.parse_cpu = thread_cpu_now() - started;
    links.nofollow = page.nofollow;
    std::string base = url;
    if (!page.base_href.empty()) {
      if (auto resolved = resolve_url(url, page.base_href)) base = std::move(resolved.url);
    }
    std::unordered_set<std::uint64_t> distinct;
    for (const auto& href : page.hrefs) {
      auto canonical = canonical_url(base, href);
      if (!canonical) {
        ++links.bad_links;
        continue;
      }
      const auto hash = url_hash(canonical.url);
      if (!distinct.insert(hash).second) continue;
      auto& into = scope.in_scope(keys_of(canonical.url).host) ? links.in_scope : links.out_of_scope;
      into.push_back(FoundLink{std::move(canonical.url), hash});
    }
  }
  if (result.status >= 300 && result.status < 400) {
    if (const auto location = result.headers.find("location")) {
      if (auto canonical = canonical_url(url, *location)) links.location = std::move(canonical.url);
    }
  }
  return links;
}

void canonicalise_seeds(std::vector<std::string>& seeds) {
  if (seeds.empty()) throw std::invalid_argument("no seed URL to start from");
  for (auto& seed : seeds) {
    auto canonical = canonical_url(seed);
    if (!canonical) throw std::invalid_argument("seed " + seed + ": " + canonical.error);
    seed = std::move(canonical.url);
  }
}

std::vector<std::string> hosts_of(const std::vector<std::string>& urls) {
  std::vector<std::string> hosts;
  for (const auto& url : urls) hosts.emplace_back(keys_of(url).host);
  return hosts;
}

FetchRequest robots_request(const std::string& origin, std::shared_ptr<RobotsBody> body) {
  FetchRequest request(origin + "/robots.txt", "robots.txt");
  request.body_mode = BodyMode::stream;
  request.body_handler = std::move(body);
  return request;
}

FetchRequest page_request(const std::string& url, const std::string& referrer, const HeaderFields& headers,
                          std::shared_ptr<PageBody> body) {
  FetchRequest request(url, referrer.empty() ? std::string("seed") : referrer);
  request.headers = headers;
  request.follow_redirects = false;
  request.body_mode = BodyMode::stream;
  request.body_handler = std::move(body);
  return request;
}

std::string page_request_head(const Client& client, const std::string& url, const HeaderFields& headers) {
  FetchRequest request(url);
  request.headers = headers;
  return client.request_head(request);
}

CrawlPage crawl_page(const std::string& url, const std::string& referrer, unsigned depth, std::uint64_t links,
                     const FetchResult& result, std::string_view body) {
  CrawlPage page;
  page.url = url;
  page.final_url = result.final_url;
  page.referrer = referrer;
  page.depth = depth;
  page.links = links;
  page.result = &result;
  page.body = body;
  page.started = std::chrono::system_clock::now() -
                 std::chrono::duration_cast<std::chrono::system_clock::duration>(result.timings.total);
  return page;
}

void count_page(CrawlStats& stats, const FetchResult& result) {
  ++stats.pages;
  if (!result.ok()) ++stats.failed;
  if (!result.delivered()) {
    ++stats.transport_errors;
  } else if (result.status >= 500) {
    ++stats.status_5xx;
  } else if (result.status >= 400) {
    ++stats.status_4xx;
  } else if (result.status >= 300) {
    ++stats.status_3xx;
  } else {
    ++stats.status_2xx;
  }
  stats.body_bytes += result.body_bytes;
}

}  // namespace fetcher::crawl
