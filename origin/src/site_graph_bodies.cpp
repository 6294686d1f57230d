// site_graph_bodies.cpp: the bodies the sites serve (sites.hpp's make_body): a plain site's
// pages, and a graph site's pages, robots.txt, binary files and short 404 pages
// (site_graph.hpp). A page is its anchors, then seeded text up to the site's body size.
#include <fetcher/origin/site_graph.hpp>

#include "ascii_case.hpp"
#include "site_graph_paths.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace fetcher::origin {
namespace {

using detail::Classified;
using detail::classify;
using detail::Family;
using detail::seeded;
using detail::without_query;

constexpr std::size_t binary_bytes = 4096;

std::string escape_text(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '&') {
      escaped += "&amp;";
    } else if (c == '<') {
      escaped += "&lt;";
    } else if (c == '"') {
      escaped += "&quot;";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// Fills `body` with seeded <p> lines up to `size` bytes in all, then `closing`; exactly `size`
// bytes unless the opening part is already longer. A line at a time into a local buffer, then
// one append, not an append per character: the origin makes each path's body on its first
// request, inside the round trip the client measures, so making it must be cheap. See
// docs/performance.md, "Origin: making a body".
std::string finish_body(std::string body, std::size_t size, const Site& site, std::string_view path) {
  const std::string closing = "</body></html>\n";
  Fnv1a hash;
  hash.add(to_lower(site.host));
  hash.add_separator();
  hash.add(path.empty() ? std::string_view("/") : path);
  SplitMix64 generator(hash.value());

  body.reserve(size + 128);
  static constexpr char hex_digits[] = "0123456789abcdef";
  char line[128];  // "<p>" + up to 20 digits + " " + 4 x 17 + "</p>\n": at most 97
  for (std::uint64_t number = 0; body.size() + closing.size() < size; ++number) {
    char* out = line;
    *out++ = '<';
    *out++ = 'p';
    *out++ = '>';
    out = std::to_chars(out, line + sizeof line, number).ptr;
    *out++ = ' ';
    for (int word = 0; word < 4; ++word) {
      std::uint64_t bits = generator.next();
      for (int digit = 0; digit < 16; ++digit, bits >>= 4) *out++ = hex_digits[bits & 0xf];
      *out++ = ' ';
    }
    for (const char c : std::string_view("</p>\n")) *out++ = c;
    body.append(line, static_cast<std::size_t>(out - line));
  }
  if (body.size() + closing.size() > size) {
    // Cut the filler, not the closing tag, whenever the closing tag fits at all.
    body.resize(size > closing.size() ? size - closing.size() : 0);
  }
  body += closing;
  body.resize(size);
  return body;
}

// The page of a site without a graph: anchors to page_links, as sites.hpp's `links` says.
std::string plain_page_body(const Site& site, std::string_view path) {
  const std::string title = site.host + std::string(path.empty() ? std::string_view("/") : path);
  std::string body = "<!DOCTYPE html>\n<html><head><title>" + title + "</title></head><body>\n";
  for (const auto& link : page_links(site, path)) body += "<a href=\"" + link + "\">" + link + "</a>\n";
  const std::size_t closing_size = std::string_view("</body></html>\n").size();
  const auto size = std::max(static_cast<std::size_t>(site.body_bytes), site.links ? body.size() + closing_size : 0);
  return finish_body(std::move(body), size, site, path);
}

std::string meta_robots(unsigned number) {
  switch (number % 3) {
    case 0: return "<meta name=\"robots\" content=\"nofollow\">";
    case 1: return "<meta name=\"ROBOTS\" content=\"noindex, nofollow\">";
    default: return "<meta name=\"robots\" content=\"none\">";
  }
}

std::string graph_page_body(const SiteSet* sites, const Site& site, std::string_view target) {
  std::size_t area_index = static_cast<std::size_t>(-1);
  const GraphPage page = detail::build_page(sites, site, site.scheme, target, &area_index);
  std::string body = "<!DOCTYPE html>\n<html><head><title>" + escape_text(site.host + std::string(target)) + "</title>";
  if (!page.base_href.empty()) body += "<base href=\"" + page.base_href + "\">";
  if (page.meta_nofollow) body += meta_robots(classify(site, without_query(target)).number);
  body += "</head><body>\n";
  auto rel_spelling = seeded(site, without_query(target), "rel");
  for (std::size_t i = 0; i < page.links.size(); ++i) {
    const auto& link = page.links[i];
    if (i == area_index) {
      body += "<map name=\"m\"><area shape=\"rect\" coords=\"0,0,8,8\" href=\"" + link.href + "\" alt=\"" + link.href +
              "\"></map>\n";
    } else if (link.nofollow) {
      const char* rel = rel_spelling.below(2) == 0 ? "nofollow" : "external NoFollow";
      body += "<a rel=\"" + std::string(rel) + "\" href=\"" + link.href + "\">" + link.href + "</a>\n";
    } else {
      body += "<a href=\"" + link.href + "\">" + link.href + "</a>\n";
    }
  }
  const std::size_t closing_size = std::string_view("</body></html>\n").size();
  const auto size = std::max(static_cast<std::size_t>(site.body_bytes), body.size() + closing_size);
  return finish_body(std::move(body), size, site, target);
}

std::string binary_body(const Site& site, std::string_view path) {
  auto generator = seeded(site, path, "binary");
  std::string body(binary_bytes, '\0');
  for (std::size_t i = 0; i < body.size(); i += 8) {
    std::uint64_t bits = generator.next();
    for (std::size_t byte = 0; byte < 8 && i + byte < body.size(); ++byte, bits >>= 8) {
      body[i + byte] = static_cast<char>(bits & 0xff);
    }
  }
  return body;
}

std::string make_any_body(const SiteSet* sites, const Site& site, std::string_view path) {
  if (!site.has_graph()) return plain_page_body(site, path);
  const Classified classified = classify(site, without_query(path));
  switch (classified.family) {
    case Family::robots:
      if (site.robots == Site::Robots::rules) return robots_txt(site);
      return site.robots == Site::Robots::error ? "robots.txt is failing on purpose\n" : "no robots.txt\n";
    case Family::moved: return {};
    case Family::file: return binary_body(site, path);
    case Family::missing:
      return "<!DOCTYPE html>\n<html><head><title>Not found</title></head><body><p>no such page</p></body></html>\n";
    default: return graph_page_body(sites, site, path);
  }
}

}  // namespace

std::string robots_txt(const Site& site) {
  std::string text = "# robots.txt of " + site.host + ", made by the fetcher origin\n";
  text += "User-agent: strictbot\nDisallow: /\n\nUser-agent: *\n";
  if (site.disallow.empty()) text += "Disallow:\n";
  for (const auto& path : site.disallow) text += "Disallow: " + path + "\n";
  if (site.crawl_delay.count() > 0) {
    const auto ms = site.crawl_delay.count();
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    text += "Crawl-delay: " + std::to_string(ms / 1000) + (fraction.empty() ? "" : "." + fraction) + "\n";
  }
  return text;
}

std::string make_body(const SiteSet& sites, const Site& site, std::string_view path) {
  return make_any_body(&sites, site, path);
}

std::string make_body(const Site& site, std::string_view path) { return make_any_body(nullptr, site, path); }

}  // namespace fetcher::origin
