// site_graph.cpp: the paths, links and bodies of the crawl features (site_graph.hpp), and the
// crawl a correct crawler makes of them. The origin writes every href itself, so it knows the
// URL each one means without parsing it back.
#include <fetcher/origin/site_graph.hpp>

#include "seeded.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace fetcher::origin {
namespace {

constexpr std::string_view html_type = "text/html; charset=utf-8";
constexpr std::string_view external_host = "outside.invalid";
constexpr std::size_t binary_bytes = 4096;

std::string to_lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::string to_upper(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper;
}

std::string_view without_query(std::string_view target) { return target.substr(0, target.find('?')); }

// A decimal number as the origin writes it: digits, no leading zero, at most nine of them.
std::optional<unsigned> parse_number(std::string_view text) {
  if (text.empty() || text.size() > 9 || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The paths of a graph site (site_graph.hpp).
enum class Family { home, page, moved, file, private_page, nofollow, trap, robots, missing };

struct Classified {
  Family family = Family::missing;
  unsigned number = 0;
};

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

// A generator for one purpose of one page.
SplitMix64 seeded(const Site& site, std::string_view page_key, std::string_view purpose) {
  Fnv1a hash;
  hash.add(to_lower(site.host));
  hash.add_separator();
  hash.add(page_key);
  hash.add_separator();
  hash.add(purpose);
  return SplitMix64(hash.value());
}

// How many numbers the special links (moved, missing, file, private, trap, query) draw from.
unsigned special_pool(const Site& site) { return std::max(1u, (site.pages + 99) / 100); }

// Where a page's relative hrefs resolve: its <base href>, else its own URL.
struct ResolutionBase {
  std::string scheme;  // of the base: the request's, or the one an absolute <base href> names
  std::string dir;     // the directory relative paths start from: "/page/", "/", "/docs/v2/"
  unsigned depth = 0;  // segments in dir
};

std::string repeat_dots(unsigned count) {
  std::string dots;
  for (unsigned i = 0; i < count; ++i) dots += "../";
  return dots;
}

class PageWriter {
 public:
  PageWriter(const SiteSet* sites, const Site& site, std::string_view scheme, std::string_view page_key,
             std::string_view own_path, GraphPage& page)
      : sites_(sites), site_(site), page_key_(page_key), page_(page), forms_(seeded(site, page_key, "forms")),
        specials_(seeded(site, page_key, "specials")) {
    base_.scheme = to_lower(scheme);
    base_.dir = std::string(own_path.substr(0, own_path.rfind('/') + 1));
    base_.depth = static_cast<unsigned>(std::count(base_.dir.begin(), base_.dir.end(), '/')) - 1;
    if (site.link_forms) choose_base();
  }

  // Links of /page/K (and of the home page, which is /page/0 written from "/").
  void write_page_links(unsigned number) {
    if (site_.chain && number + 1 < site_.pages) add_page_link(number + 1);
    for (const auto& path : page_links(site_, page_key_)) add_page_link(parse_number(path.substr(6)).value_or(0));
    add_cross_links();
    const unsigned pool = special_pool(site_);
    if (site_.link_forms) {
      const auto number_text = std::to_string(specials_.below(pool));
      add("/page/" + number_text + "?a=1&amp;b=2", local_url("/page/" + number_text + "?a=1&b=2"));
    }
    for (unsigned i = 0; i < site_.moved_links; ++i) add_special("/moved/", "");
    for (unsigned i = 0; i < site_.broken_links; ++i) {
      const auto path = "/missing/" + std::to_string(specials_.below(pool));
      add(path, local_url(path));
    }
    for (unsigned i = 0; i < site_.binary_links; ++i) add_special("/file/", ".bin");
    if (site_.robots == Site::Robots::rules) add_special("/private/", "");
    if (site_.traps) {
      const auto trap = "/trap/" + std::to_string(specials_.below(pool));
      add(trap, local_url(trap), true);
      add_special("/nofollow/", "");
    }
    if (site_.external_links) add_external_links();
  }

  void write_trap_links(unsigned number) {
    for (const unsigned next : {number, number + 1}) {
      const auto path = "/trap/" + std::to_string(next);
      add(path, local_url(path));
    }
  }

  std::size_t area_index() const { return area_index_; }

 private:
  void choose_base() {
    auto generator = seeded(site_, page_key_, "base");
    if (generator.below(4) != 0) return;
    if (generator.below(2) == 0) {
      page_.base_href = "/docs/v2/";
      base_.dir = "/docs/v2/";
      base_.depth = 2;
    } else {
      page_.base_href = site_.scheme + "://" + site_.host + "/static/";
      base_.scheme = site_.scheme;
      base_.dir = "/static/";
      base_.depth = 1;
    }
  }

  std::string local_url(std::string_view path) const { return base_.scheme + "://" + site_.host + std::string(path); }

  void add(std::string href, std::string url, bool nofollow = false) {
    page_.links.push_back({std::move(href), std::move(url), nofollow});
  }

  void add_special(std::string_view prefix, std::string_view suffix) {
    const auto path = std::string(prefix) + std::to_string(specials_.below(special_pool(site_))) + std::string(suffix);
    add(path, local_url(path));
  }

  // A link to /page/NUMBER of this site, in one of the spellings (site_graph.hpp).
  void add_page_link(unsigned number) {
    const std::string n = std::to_string(number);
    const std::string path = "/page/" + n;
    if (!site_.link_forms) {
      add(path, local_url(path));
      return;
    }
    const std::string absolute = site_.scheme + "://" + site_.host;
    const std::string own_scheme_url = site_.scheme + "://" + site_.host + path;
    switch (forms_.below(12)) {
      case 0: add(path, local_url(path)); break;
      case 1: add(relative(n), local_url(path)); break;
      case 2: add("./" + relative(n), local_url(path)); break;
      case 3: add((base_.depth == 0 ? "page/./" : repeat_dots(base_.depth) + "page/") + n, local_url(path)); break;
      case 4: add(absolute + path, own_scheme_url); break;
      case 5: add(absolute + (site_.scheme == "https" ? ":443" : ":80") + path, own_scheme_url); break;
      case 6: add(path + "#s" + n, local_url(path)); break;
      case 7: add("/%70age/" + n, local_url(path)); break;
      case 8: add(to_upper(site_.scheme) + "://" + to_upper(site_.host) + path, own_scheme_url); break;
      case 9: add("/a/../page/./" + n, local_url(path)); break;
      case 10: add("//" + site_.host + path, local_url(path)); break;
      default: add("/page&#47;" + n, local_url(path)); break;
    }
    if (page_.links.size() == 2 && area_index_ == npos) area_index_ = 1;
  }

  // /page/N written relative to the base directory.
  std::string relative(const std::string& n) const {
    if (base_.dir == "/page/") return n;
    if (base_.dir == "/") return "page/" + n;
    return repeat_dots(base_.depth) + "page/" + n;
  }

  void add_cross_links() {
    if (site_.cross_links == 0 || sites_ == nullptr || sites_->sites.size() < 2) return;
    const Site* self = sites_->find(site_.host);
    const auto self_index =
        self == nullptr ? sites_->sites.size() : static_cast<std::size_t>(self - sites_->sites.data());
    const auto others = self == nullptr ? sites_->sites.size() : sites_->sites.size() - 1;
    auto generator = seeded(site_, page_key_, "cross");
    for (unsigned i = 0; i < site_.cross_links; ++i) {
      auto index = static_cast<std::size_t>(generator.below(others));
      if (index >= self_index) ++index;
      const Site& other = sites_->sites[index];
      const std::string path = "/page/" + std::to_string(generator.below(other.pages));
      const std::string url = other.scheme + "://" + other.host + path;
      const bool upper = site_.link_forms && generator.below(2) == 0;
      add(upper ? other.scheme + "://" + to_upper(other.host) + path : url, url);
    }
  }

  void add_external_links() {
    add("http://" + std::string(external_host) + "/x", "http://" + std::string(external_host) + "/x");
    add("mailto:webmaster@" + std::string(external_host), "");
    add("javascript:void(0)", "");
    add("tel:+10000000000", "");
    add("ftp://" + site_.host + "/file.txt", "");
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  const SiteSet* sites_;
  const Site& site_;
  std::string page_key_;
  GraphPage& page_;
  SplitMix64 forms_;
  SplitMix64 specials_;
  ResolutionBase base_;
  std::size_t area_index_ = npos;
};

// The links of `target` on `site`, and which anchor is an <area> (npos: none).
GraphPage build_page(const SiteSet* sites, const Site& site, std::string_view scheme, std::string_view target,
                     std::size_t* area_index = nullptr) {
  GraphPage page;
  if (!site.has_graph()) {
    const std::string base = to_lower(scheme) + "://" + site.host;
    for (auto& path : page_links(site, target)) {
      std::string url = base + path;
      page.links.push_back({std::move(path), std::move(url), false});
    }
    return page;
  }
  const std::string_view path = without_query(target);
  const Classified classified = classify(site, path);
  switch (classified.family) {
    case Family::home:
    case Family::page: {
      const std::string key = "/page/" + std::to_string(classified.number);
      PageWriter writer(sites, site, scheme, key, path, page);
      writer.write_page_links(classified.number);
      if (area_index != nullptr) *area_index = writer.area_index();
      break;
    }
    case Family::nofollow: {
      PageWriter writer(sites, site, scheme, path, path, page);
      page.meta_nofollow = true;
      writer.write_trap_links(classified.number);
      break;
    }
    case Family::trap: {
      const auto next = "/trap/" + std::to_string(classified.number + 1);
      page.links.push_back({next, to_lower(scheme) + "://" + site.host + next, false});
      break;
    }
    default: break;
  }
  return page;
}

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
  const GraphPage page = build_page(sites, site, site.scheme, target, &area_index);
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

// --- canonical URLs ---------------------------------------------------------------------------

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

}  // namespace

PathAnswer path_answer(const Site& site, std::string_view target) {
  PathAnswer answer;
  if (!site.has_graph()) return answer;
  const Classified classified = classify(site, without_query(target));
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

GraphPage graph_page(const SiteSet& sites, const Site& site, std::string_view scheme, std::string_view target) {
  return build_page(&sites, site, scheme, target);
}

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
  const auto allowed = [&](const Site* site, std::string_view target) {
    if (!obey_robots || target == "/robots.txt") return true;
    if (site == nullptr || site->robots == Site::Robots::error) return false;
    if (site->robots != Site::Robots::rules) return true;
    return std::none_of(site->disallow.begin(), site->disallow.end(),
                        [&](const std::string& prefix) { return target.starts_with(prefix); });
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
    if (!allowed(site, parts.target)) {
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
