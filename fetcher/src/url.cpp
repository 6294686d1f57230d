// url.cpp: URL resolution and splitting with Boost.URL.
#include <fetcher/url.hpp>
#include <fetcher/url_list.hpp>

#include "checked_url.hpp"
#include "printable.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <vector>

namespace fetcher {
namespace {

// RFC 3986 section 5.2.4 on an already-resolved path. Boost.URL 1.81 keeps ".." segments that
// climb above the root ("http://a/../g"); the RFC drops them ("http://a/g").
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> kept;
  bool trailing_slash = false;
  std::size_t start = path.starts_with('/') ? 1 : 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, end - start);
    trailing_slash = end == path.size() && (segment == "." || segment == "..");
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (segment != ".") {
      kept.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& segment : kept) {
    out += '/';
    out += segment;
  }
  if (trailing_slash || out.empty()) out += '/';
  return out;
}

}  // namespace

ResolvedUrl resolve_url(std::string_view base, std::string_view reference) {
  auto base_url = boost::urls::parse_uri(base);  // a fragment is allowed, as in URL lists
  if (!base_url) return {{}, "base URL does not parse: " + std::string(base)};
  auto ref = boost::urls::parse_uri_reference(reference);
  if (!ref) return {{}, "Location is not a URL: " + detail::printable(reference)};
  boost::urls::url resolved;
  if (auto done = boost::urls::resolve(*base_url, *ref, resolved); !done) {
    return {{}, "cannot resolve Location " + detail::printable(reference)};
  }
  // "http:.///h/x" (a scheme, then a path) names no host: nothing to connect to. Caught here,
  // before the path rebuild below would read its "//h" as an authority (found by fuzzing).
  if (!resolved.has_authority()) {
    return {{}, "redirect to a URL without a host: " + detail::printable(reference)};
  }
  resolved.remove_fragment();
  resolved.normalize();
  std::string url(resolved.buffer());
  if (const auto path = resolved.encoded_path(); !path.empty()) {
    if (auto cleaned = remove_dot_segments(path); cleaned != path) {
      // Rebuilt by hand: Boost.URL 1.81's set_encoded_path("/") writes "/./".
      url = std::string(resolved.scheme()) + "://" + std::string(resolved.encoded_authority()) + cleaned;
      if (resolved.has_query()) url += "?" + std::string(resolved.encoded_query());
    }
  }
  if (auto problem = check_url(url); !problem.empty()) return {{}, problem.insert(0, "redirect to ")};
  return {std::move(url), {}};
}

bool split_url(std::string_view url, UrlParts& parts, std::string& error) {
  boost::urls::url_view parsed;
  if (error = detail::check_url(url, parsed); !error.empty()) return false;
  parts.tls = parsed.scheme_id() == boost::urls::scheme::https;
  const std::uint16_t default_port = parts.tls ? 443 : 80;
  const bool explicit_port = parsed.has_port() && !parsed.port().empty();  // "http://h:/" is the default
  parts.port = explicit_port ? parsed.port_number() : default_port;
  switch (parsed.host_type()) {
    case boost::urls::host_type::ipv6:
      parts.host = parsed.host_ipv6_address().to_string();
      parts.host_is_address = true;
      break;
    case boost::urls::host_type::ipv4:
      parts.host = parsed.host_ipv4_address().to_string();
      parts.host_is_address = true;
      break;
    default:
      parts.host = parsed.host();  // percent-decoded
      parts.host_is_address = false;
      break;
  }
  // ASCII letters only, as std::tolower does in the C locale (a percent-encoded host may decode
  // to bytes past ASCII: they stay as they are), without its locale lookup per byte.
  for (char& c : parts.host) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  parts.host_header = std::string(parsed.encoded_host_and_port());
  if (parsed.has_port() && (!explicit_port || parts.port == default_port)) {
    parts.host_header = std::string(parsed.encoded_host());
  }
  parts.target = std::string(parsed.encoded_path());
  if (parts.target.empty()) parts.target.push_back('/');
  if (parsed.has_query()) {
    parts.target += '?';
    parts.target += parsed.encoded_query();
  }
  return true;
}

}  // namespace fetcher
