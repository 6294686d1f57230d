// sites.cpp: reading the sites file and the deterministic parts of the sites model (latency
// with seeded jitter, redirects, a plain page's links) that the server and the ideal-time model
// share. Bodies and the crawl features are site_graph*.cpp's.
#include <fetcher/origin/sites.hpp>

#include "ascii_case.hpp"
#include "seeded.hpp"

#include <zlib.h>

#include <boost/url/parse.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace fetcher::origin {
namespace {

// --- parsing ------------------------------------------------------------------------------

// Builds "NAME:LINE: reason" errors for one sites file.
class SitesReader {
 public:
  explicit SitesReader(std::string_view name) : name_(name) {}

  SiteSet read(std::string_view toml_text) const {
    const toml::table root = parse_toml(toml_text);
    SiteSet result;
    bool has_sites = false;
    for (const auto& [key, node] : root) {
      if (key == "seed") {
        result.seed = read_unsigned(node, "seed");
      } else if (key == "site") {
        has_sites = true;
        read_site_array(node, result);
      } else {
        fail(key.source(), "unknown key '" + std::string(key.str()) + "' (expected seed or [[site]])");
      }
    }
    if (!has_sites) throw std::runtime_error(name_ + ": no [[site]] tables");
    return result;
  }

 private:
  toml::table parse_toml(std::string_view toml_text) const {
    try {
      return toml::parse(toml_text, name_);
    } catch (const toml::parse_error& error) {
      fail(error.source(), std::string(error.description()));
    }
  }

  [[noreturn]] void fail(const toml::source_region& where, const std::string& reason) const {
    throw std::runtime_error(name_ + ":" + std::to_string(where.begin.line) + ": " + reason);
  }

  std::uint64_t read_unsigned(const toml::node& node, std::string_view key) const {
    const auto* integer = node.as_integer();
    if (integer == nullptr) fail(node.source(), std::string(key) + " must be an integer");
    if (integer->get() < 0) fail(node.source(), std::string(key) + " must not be negative");
    return static_cast<std::uint64_t>(integer->get());
  }

  unsigned read_small_unsigned(const toml::node& node, std::string_view key) const {
    const auto value = read_unsigned(node, key);
    if (value > std::numeric_limits<unsigned>::max()) fail(node.source(), std::string(key) + " is too large");
    return static_cast<unsigned>(value);
  }

  std::chrono::milliseconds read_milliseconds(const toml::node& node, std::string_view key) const {
    const auto value = read_unsigned(node, key);
    // A day is far beyond any useful latency and keeps microsecond arithmetic from overflowing.
    if (value > 86'400'000) fail(node.source(), std::string(key) + " is too large");
    return std::chrono::milliseconds(value);
  }

  std::string read_string(const toml::node& node, std::string_view key) const {
    const auto* text = node.as_string();
    if (text == nullptr) fail(node.source(), std::string(key) + " must be a string");
    return text->get();
  }

  bool read_bool(const toml::node& node, std::string_view key) const {
    const auto* flag = node.as_boolean();
    if (flag == nullptr) fail(node.source(), std::string(key) + " must be true or false");
    return flag->get();
  }

  unsigned read_link_count(const toml::node& node, std::string_view key) const {
    const auto count = read_small_unsigned(node, key);
    if (count > 1000) fail(node.source(), std::string(key) + " must be at most 1000");
    return count;
  }

  // Path prefixes, which robots.txt writes as they are: no wildcards, escapes or blanks.
  std::vector<std::string> read_disallow(const toml::node& node) const {
    const auto* array = node.as_array();
    if (array == nullptr) fail(node.source(), "disallow must be an array of paths");
    std::vector<std::string> paths;
    for (const auto& element : *array) {
      const std::string path = read_string(element, "disallow");
      const bool plain = std::none_of(path.begin(), path.end(), [](unsigned char c) {
        return c == '*' || c == '$' || c == '%' || c == '#' || std::isspace(c) || std::iscntrl(c);
      });
      if (!path.starts_with('/') || !plain) {
        fail(element.source(),
             "disallow '" + path + "' must be a path starting with '/' without '*', '$', '%', '#' or blanks");
      }
      paths.push_back(path);
    }
    return paths;
  }

  void read_site_array(const toml::node& node, SiteSet& result) const {
    const auto* array = node.as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      fail(node.source(), "site must be an array of tables ([[site]])");
    }
    for (const auto& element : *array) {
      Site site = read_site(*element.as_table());
      for (const auto& existing : result.sites) {
        if (equal_ignoring_case(existing.host, site.host)) {
          fail(element.as_table()->get("host")->source(), "duplicate host '" + site.host + "'");
        }
      }
      result.sites.push_back(std::move(site));
    }
  }

  Site read_site(const toml::table& table) const {
    Site site;
    bool has_host = false;
    for (const auto& [key, node] : table) {
      if (key == "host") {
        site.host = to_lower(read_string(node, "host"));
        check_host(node, site.host);
        has_host = true;
      } else if (!read_serving_key(key, node, site) && !read_crawl_key(key, node, site)) {
        fail(key.source(), "unknown key '" + std::string(key.str()) + "' in [[site]]");
      }
    }
    if (!has_host) fail(table.source(), "[[site]] without host");
    return site;
  }

  // A key of how the site serves its pages (latency, size, capacity, redirect, gzip, faults), read
  // into `site`; false when `key` is not one of them.
  bool read_serving_key(const toml::key& key, const toml::node& node, Site& site) const {
    if (key == "latency_ms") {
      site.latency = read_milliseconds(node, "latency_ms");
    } else if (key == "jitter_ms") {
      site.jitter = read_milliseconds(node, "jitter_ms");
    } else if (key == "body_bytes") {
      site.body_bytes = read_unsigned(node, "body_bytes");
      if (site.body_bytes > (std::uint64_t{1} << 30)) fail(node.source(), "body_bytes is too large (max 1 GiB)");
    } else if (key == "capacity") {
      site.capacity = read_small_unsigned(node, "capacity");
    } else if (key == "redirect") {
      site.redirect = read_string(node, "redirect");
      check_redirect(node, site.redirect);
    } else if (key == "redirect_status") {
      site.redirect_status = read_small_unsigned(node, "redirect_status");
      check_redirect_status(node, site.redirect_status);
    } else if (key == "gzip") {
      site.gzip = read_bool(node, "gzip");
    } else if (key == "fail_first") {
      site.fail_first = read_small_unsigned(node, "fail_first");
    } else if (key == "fail_status") {
      site.fail_status = read_small_unsigned(node, "fail_status");
      if (site.fail_status < 400 || site.fail_status > 599) fail(node.source(), "fail_status must be 400 to 599");
    } else if (key == "retry_after_s") {
      site.retry_after_s = read_small_unsigned(node, "retry_after_s");
    } else if (key == "fault") {
      const std::string name = read_string(node, "fault");
      if (!parse_fault(name, site.fault)) {
        std::string known;
        for (const Fault fault : all_faults()) known += (known.empty() ? "" : ", ") + std::string(to_string(fault));
        fail(node.source(), "unknown fault '" + name + "' (one of: " + known + ")");
      }
    } else {
      return false;
    }
    return true;
  }

  // A key of the crawl features (site_graph.hpp), read into `site`; false when `key` is not one.
  bool read_crawl_key(const toml::key& key, const toml::node& node, Site& site) const {
    if (key == "links") {
      site.links = read_small_unsigned(node, "links");
      if (site.links > 1000) fail(node.source(), "links must be at most 1000");
    } else if (key == "pages") {
      site.pages = read_small_unsigned(node, "pages");
      if (site.pages == 0) fail(node.source(), "pages must be at least 1");
    } else if (key == "scheme") {
      site.scheme = to_lower(read_string(node, "scheme"));
      if (site.scheme != "http" && site.scheme != "https") {
        fail(node.source(), "scheme must be \"http\" or \"https\"");
      }
    } else if (key == "chain") {
      site.chain = read_bool(node, "chain");
    } else if (key == "link_forms") {
      site.link_forms = read_bool(node, "link_forms");
    } else if (key == "cross_links") {
      site.cross_links = read_link_count(node, "cross_links");
    } else if (key == "external_links") {
      site.external_links = read_bool(node, "external_links");
    } else if (key == "broken_links") {
      site.broken_links = read_link_count(node, "broken_links");
    } else if (key == "moved_links") {
      site.moved_links = read_link_count(node, "moved_links");
    } else if (key == "binary_links") {
      site.binary_links = read_link_count(node, "binary_links");
    } else if (key == "robots") {
      const std::string mode = read_string(node, "robots");
      if (mode == "rules") {
        site.robots = Site::Robots::rules;
      } else if (mode == "404" || mode == "none") {
        site.robots = Site::Robots::missing;
      } else if (mode == "500") {
        site.robots = Site::Robots::error;
      } else {
        fail(node.source(), "robots must be \"rules\", \"404\", \"500\" or \"none\", not '" + mode + "'");
      }
    } else if (key == "disallow") {
      site.disallow = read_disallow(node);
    } else if (key == "crawl_delay_ms") {
      site.crawl_delay = read_milliseconds(node, "crawl_delay_ms");
    } else if (key == "traps") {
      site.traps = read_bool(node, "traps");
    } else {
      return false;
    }
    return true;
  }
  void check_host(const toml::node& node, const std::string& host) const {
    if (host.empty()) fail(node.source(), "host must not be empty");
    const bool plain = std::all_of(host.begin(), host.end(),
                                   [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; });
    if (!plain) fail(node.source(), "host '" + host + "' is not a plain host name");
  }

  void check_redirect(const toml::node& node, const std::string& redirect) const {
    const auto url = boost::urls::parse_absolute_uri(redirect);
    if (!url) fail(node.source(), "redirect '" + redirect + "' is not an absolute URL");
    const auto scheme = to_lower(url->scheme());
    if (scheme != "http" && scheme != "https") {
      fail(node.source(), "redirect '" + redirect + "' is not an http or https URL");
    }
    if (url->encoded_host().empty()) fail(node.source(), "redirect '" + redirect + "' has no host");
  }

  void check_redirect_status(const toml::node& node, unsigned status) const {
    constexpr std::array<unsigned, 5> redirect_statuses{301, 302, 303, 307, 308};
    if (std::find(redirect_statuses.begin(), redirect_statuses.end(), status) == redirect_statuses.end()) {
      fail(node.source(), "redirect_status must be 301, 302, 303, 307 or 308");
    }
  }

  std::string name_;
};

std::string_view path_or_root(std::string_view path) { return path.empty() ? std::string_view("/") : path; }

struct FaultName {
  Fault fault;
  std::string_view name;
};
constexpr std::array<FaultName, 20> fault_names{{
    {Fault::refuse, "refuse"},
    {Fault::no_answer, "no-answer"},
    {Fault::stall_body, "stall-body"},
    {Fault::drip, "drip"},
    {Fault::reset_body, "reset-body"},
    {Fault::close_before_status, "close-before-status"},
    {Fault::bad_status_line, "bad-status-line"},
    {Fault::bad_header, "bad-header"},
    {Fault::endless_headers, "endless-headers"},
    {Fault::huge_headers, "huge-headers"},
    {Fault::bad_chunked, "bad-chunked"},
    {Fault::short_length, "short-length"},
    {Fault::long_length, "long-length"},
    {Fault::endless_body, "endless-body"},
    {Fault::redirect_loop, "redirect-loop"},
    {Fault::redirect_ftp, "redirect-ftp"},
    {Fault::tls_wrong_name, "tls-wrong-name"},
    {Fault::tls_expired, "tls-expired"},
    {Fault::tls_self_signed, "tls-self-signed"},
    {Fault::tls_stall, "tls-stall"},
}};

}  // namespace

std::string_view to_string(Fault fault) {
  for (const auto& entry : fault_names) {
    if (entry.fault == fault) return entry.name;
  }
  return "none";
}

bool parse_fault(std::string_view name, Fault& fault) {
  if (name == "none") {
    fault = Fault::none;
    return true;
  }
  for (const auto& entry : fault_names) {
    if (entry.name == name) {
      fault = entry.fault;
      return true;
    }
  }
  return false;
}

std::vector<Fault> all_faults() {
  std::vector<Fault> faults;
  for (const auto& entry : fault_names) faults.push_back(entry.fault);
  return faults;
}

bool Site::has_graph() const {
  return chain || link_forms || cross_links > 0 || external_links || broken_links > 0 || moved_links > 0 ||
         binary_links > 0 || robots != Robots::page || traps;
}

const Site* SiteSet::find(std::string_view host) const {
  for (const auto& site : sites) {
    if (equal_ignoring_case(site.host, host)) return &site;
  }
  return nullptr;
}

SiteSet parse_sites(std::string_view toml_text, std::string_view name) { return SitesReader(name).read(toml_text); }

SiteSet load_sites(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  return parse_sites(text.str(), path);
}

std::chrono::microseconds request_latency(const SiteSet& sites, const Site& site, std::string_view path,
                                          std::uint64_t repeat) {
  const auto base = std::chrono::duration_cast<std::chrono::microseconds>(site.latency);
  const auto jitter = std::chrono::duration_cast<std::chrono::microseconds>(site.jitter).count();
  if (jitter == 0) return base;

  Fnv1a hash;
  hash.add(sites.seed);
  hash.add_separator();
  hash.add(to_lower(site.host));
  hash.add_separator();
  hash.add(path_or_root(path));
  hash.add_separator();
  hash.add(repeat);
  SplitMix64 generator(hash.value());

  const auto span = static_cast<std::uint64_t>(2 * jitter + 1);
  const auto offset = static_cast<std::int64_t>(generator.next() % span) - jitter;
  return std::max(base + std::chrono::microseconds(offset), std::chrono::microseconds(0));
}

bool is_redirected(const Site& site, std::string_view scheme, std::string_view path) {
  if (site.redirect.empty()) return false;
  const auto target = boost::urls::parse_absolute_uri(site.redirect);
  if (!target) return false;  // parse_sites rejects these; a hand-made Site may not
  const bool same = equal_ignoring_case(target->scheme(), scheme) &&
                    equal_ignoring_case(target->encoded_host(), site.host) &&
                    path_or_root(target->encoded_target()) == path_or_root(path);
  return !same;
}

std::vector<std::string> page_links(const Site& site, std::string_view path) {
  Fnv1a hash;
  hash.add(to_lower(site.host));
  hash.add_separator();
  hash.add(path_or_root(path));
  hash.add_separator();
  hash.add("links");
  SplitMix64 generator(hash.value());
  std::vector<std::string> links;
  links.reserve(site.links);
  for (unsigned i = 0; i < site.links; ++i) links.push_back("/page/" + std::to_string(generator.next() % site.pages));
  return links;
}

}  // namespace fetcher::origin

namespace fetcher::origin {

std::string gzip_compress(std::string_view data) {
  z_stream stream{};
  // 15 + 16: a gzip wrapper rather than zlib's own.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

}  // namespace fetcher::origin
