// site_graph_crawl.cpp: the crawl a correct crawler makes of the sites (site_graph.hpp's
// expected_crawl), and the canonical URLs it keys on.
#include <fetcher/origin/site_graph.hpp>

#include "ascii_case.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace fetcher::origin {
namespace {

bool is_unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Escapes of unreserved characters decoded, other escapes' hex digits in upper case.
std::string normalise_escapes(std::string_view path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && hex_value(path[i + 1]) >= 0 && hex_value(path[i + 2]) >= 0) {
      const auto byte = static_cast<unsigned char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
      if (is_unreserved(byte)) {
        out += static_cast<char>(byte);
      } else {
        out += '%';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(path[i + 1])));
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(path[i + 2])));
      }
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

// RFC 3986 5.2.4.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, end - start);
    const bool last = end == path.size();
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      if (last) segments.emplace_back();
    } else if (segment == ".") {
      if (last) segments.emplace_back();
    } else {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto segment : segments) {
    out += '/';
    out += segment;
  }
  return out.empty() ? "/" : out;
}

// The parts of a canonical URL this file made.
struct UrlView {
  std::string_view scheme;
  std::string_view host;
  std::string_view target;
};

UrlView split(std::string_view url) {
  const auto scheme_end = url.find("://");
  const auto host_start = scheme_end + 3;
  const auto path_start = std::min(url.find('/', host_start), url.size());
  return {url.substr(0, scheme_end), url.substr(host_start, path_start - host_start), url.substr(path_start)};
}

// Whether a robots-obeying crawler (obey_robots) fetches `target` of `site` (null: a host
// outside the SiteSet, which answers nothing).
bool robots_allow(const Site* site, std::string_view target, bool obey_robots) {
  if (!obey_robots || target == "/robots.txt") return true;
  if (site == nullptr || site->robots == Site::Robots::error) return false;
  if (site->robots != Site::Robots::rules) return true;
  return std::none_of(site->disallow.begin(), site->disallow.end(),
                      [&](const std::string& prefix) { return target.starts_with(prefix); });
}

}  // namespace

std::string canonical_seed(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return {};
  const std::string scheme = to_lower(parsed->scheme());
  if ((scheme != "http" && scheme != "https") || parsed->encoded_host().empty()) return {};
  std::string canonical = scheme + "://" + to_lower(parsed->encoded_host());
  const std::string_view port = parsed->port();
  if (!port.empty() && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443")) {
    canonical += ":" + std::string(port);
  }
  const std::string_view path = parsed->encoded_path();
  canonical += remove_dot_segments(normalise_escapes(path.empty() ? std::string_view("/") : path));
  if (parsed->has_query()) canonical += "?" + std::string(parsed->encoded_query());
  return canonical;
}

ExpectedCrawl expected_crawl(const SiteSet& sites, const std::vector<std::string>& seeds,
                             const std::function<bool(std::string_view host)>& in_scope, bool obey_robots,
                             unsigned max_depth) {
  ExpectedCrawl crawl;
  std::unordered_map<std::string, unsigned> best;  // least depth found so far
  std::unordered_set<std::string> done;
  std::deque<std::pair<std::string, unsigned>> queue;  // 0-1 breadth-first: redirects go in front

  const auto relax = [&](const std::string& url, unsigned depth, bool front) {
    const auto found = best.find(url);
    if (found != best.end() && found->second <= depth) return;
    best[url] = depth;
    if (front) {
      queue.emplace_front(url, depth);
    } else {
      queue.emplace_back(url, depth);
    }
  };
  for (const auto& seed : seeds) {
    const std::string url = canonical_seed(seed);
    if (!url.empty()) relax(url, 0, false);
  }
  while (!queue.empty()) {
    const auto [url, depth] = queue.front();
    queue.pop_front();
    if (best[url] != depth || !done.insert(url).second) continue;
    const UrlView parts = split(url);
    const Site* site = sites.find(parts.host);
    if (obey_robots) crawl.robots_hosts.insert(std::string(parts.host));
    if (!robots_allow(site, parts.target, obey_robots)) {
      crawl.disallowed.insert(url);
      continue;
    }
    crawl.pages[url] = depth;
    if (site == nullptr) continue;
    if (is_redirected(*site, parts.scheme, parts.target)) {
      if (auto target = canonical_seed(site->redirect); !target.empty() && in_scope(split(target).host)) {
        relax(target, depth, true);
      }
      continue;
    }
    const PathAnswer answer = path_answer(*site, parts.target);
    if (!answer.location.empty()) {
      relax(std::string(parts.scheme) + "://" + std::string(parts.host) + answer.location, depth, true);
      continue;
    }
    if (!answer.html || answer.status != 200 || depth >= max_depth) continue;
    const GraphPage page = graph_page(sites, *site, parts.scheme, parts.target);
    if (page.meta_nofollow) continue;
    for (const auto& link : page.links) {
      if (link.nofollow || link.url.empty() || !in_scope(split(link.url).host)) continue;
      relax(link.url, depth + 1, false);
    }
  }
  return crawl;
}

}  // namespace fetcher::origin
