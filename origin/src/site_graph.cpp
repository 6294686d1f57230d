// site_graph.cpp: the paths of a graph site (site_graph.hpp) and how each answers. The links of a
// page are site_graph_links.cpp's, the bodies site_graph_bodies.cpp's, and the crawl a correct
// crawler makes of them site_graph_crawl.cpp's.
#include <fetcher/origin/site_graph.hpp>

#include "ascii_case.hpp"
#include "site_graph_paths.hpp"

#include <algorithm>
#include <charconv>

namespace fetcher::origin {
namespace detail {

std::optional<unsigned> parse_number(std::string_view text) {
  if (text.empty() || text.size() > 9 || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Classified classify(const Site& site, std::string_view path) {
  if (path == "/") return {Family::home, 0};
  if (path == "/robots.txt") return {site.robots == Site::Robots::page ? Family::missing : Family::robots, 0};
  struct Prefix {
    std::string_view text;
    Family family;
    bool enabled;
  };
  const Prefix prefixes[] = {
      {"/page/", Family::page, true},
      {"/moved/", Family::moved, site.moved_links > 0},
      {"/file/", Family::file, site.binary_links > 0},
      {"/private/", Family::private_page, site.robots == Site::Robots::rules},
      {"/nofollow/", Family::nofollow, site.traps},
      {"/trap/", Family::trap, site.traps},
  };
  for (const auto& prefix : prefixes) {
    if (!prefix.enabled || !path.starts_with(prefix.text)) continue;
    std::string_view rest = path.substr(prefix.text.size());
    if (prefix.family == Family::file) {
      if (!rest.ends_with(".bin")) return {};
      rest.remove_suffix(4);
    }
    const auto number = parse_number(rest);
    if (!number || *number >= site.pages) return {};
    return {prefix.family, *number};
  }
  return {};
}

SplitMix64 seeded(const Site& site, std::string_view page_key, std::string_view purpose) {
  Fnv1a hash;
  hash.add(to_lower(site.host));
  hash.add_separator();
  hash.add(page_key);
  hash.add_separator();
  hash.add(purpose);
  return SplitMix64(hash.value());
}

unsigned special_pool(const Site& site) { return std::max(1u, (site.pages + 99) / 100); }

}  // namespace detail

using detail::Family;

PathAnswer path_answer(const Site& site, std::string_view target) {
  PathAnswer answer;
  if (!site.has_graph()) return answer;
  const detail::Classified classified = detail::classify(site, detail::without_query(target));
  switch (classified.family) {
    case Family::robots:
      answer.html = false;
      answer.content_type = "text/plain; charset=utf-8";
      if (site.robots == Site::Robots::missing) answer.status = 404;
      if (site.robots == Site::Robots::error) answer.status = 500;
      break;
    case Family::moved:
      answer.status = 301;
      answer.html = false;
      answer.location = "/page/" + std::to_string(classified.number);
      break;
    case Family::file:
      answer.html = false;
      answer.content_type = "application/octet-stream";
      break;
    case Family::missing:
      answer.status = 404;
      answer.html = false;
      break;
    default: break;
  }
  return answer;
}

}  // namespace fetcher::origin
