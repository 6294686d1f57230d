// url.cpp: resolving references as browsers read them, canonical forms and splitting URLs.
// Boost.URL parses; the resolution (RFC 3986 section 5.2) and the spelling of results are done
// here, because Boost.URL 1.81's resolve() and normalize() rewrite escapes ("%41" to "A" in a
// path, "%2F" to "/" in a query) that must reach the server as written.
#include <fetcher/url.hpp>
#include <fetcher/url_list.hpp>

#include "checked_url.hpp"
#include "printable.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <charconv>
#include <vector>

namespace fetcher {

namespace detail {

std::uint16_t port_number(std::string_view digits) {
  unsigned value = 0;
  const char* const end = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || error != std::errc{} || stop != end || value == 0 || value > 65535) return 0;
  return static_cast<std::uint16_t>(value);
}

}  // namespace detail

namespace {

constexpr char upper_hex[] = "0123456789ABCDEF";

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

unsigned hex_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  return static_cast<unsigned>((c | 0x20) - 'a' + 10);
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return ascii_lower(c); });
  return out;
}

bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

// RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
bool is_unreserved(unsigned char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

// What RFC 3986 allows unescaped in a path or a query: pchar / "/" / "?".
bool allowed_in_path_or_query(unsigned char c) {
  return is_unreserved(c) || std::string_view("!$&'()*+,;=:@/?").find(static_cast<char>(c)) != std::string_view::npos;
}

// A '%' followed by two hex digits, at `at`.
bool starts_escape(std::string_view text, std::size_t at) {
  return text[at] == '%' && at + 2 < text.size() && is_hex(text[at + 1]) && is_hex(text[at + 2]);
}

void append_escape(std::string& out, unsigned char c) {
  out += '%';
  out += upper_hex[c >> 4];
  out += upper_hex[c & 15];
}

// Lower case, but an escape's hex digits in upper case: "%c3%A9.Example" gives "%C3%A9.example".
std::string host_in_lower_case(std::string_view host) {
  std::string out;
  out.reserve(host.size());
  for (std::size_t i = 0; i < host.size(); ++i) {
    if (starts_escape(host, i)) {
      out += '%';
      out += upper_hex[hex_value(host[i + 1])];
      out += upper_hex[hex_value(host[i + 2])];
      i += 2;
    } else {
      out += ascii_lower(host[i]);
    }
  }
  return out;
}

// RFC 3986 section 5.2.4 on a path that starts with '/'. Boost.URL 1.81 keeps ".." segments
// that climb above the root ("http://a/../g"); the RFC drops them ("http://a/g").
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

// ---------------------------------------------------------------------------------------------
// A reference as a browser reads it (WHATWG URL), rewritten into one Boost.URL parses.

std::string_view without_spaces_and_controls_at_the_ends(std::string_view text) {
  const auto is_space_or_control = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  while (!text.empty() && is_space_or_control(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space_or_control(text.back())) text.remove_suffix(1);
  return text;
}

std::string without_tabs_and_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '\t' && c != '\r' && c != '\n') out += c;
  }
  return out;
}

// The length of the scheme when `text` starts with one and a ':' (ALPHA *( ALPHA / DIGIT /
// "+" / "-" / "." ) ":"), else 0.
std::size_t scheme_length(std::string_view text) {
  if (text.empty() || !is_alnum(static_cast<unsigned char>(text[0])) || (text[0] >= '0' && text[0] <= '9')) return 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ':') return i;
    if (!is_alnum(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

// Percent-encodes what RFC 3986 does not allow in a path or query, as browsers do with spaces
// and quotes; escapes and every allowed byte stay as written.
std::string encode_path_and_query(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (allowed_in_path_or_query(c) || starts_escape(text, i)) {
      out += static_cast<char>(c);
    } else {
      append_escape(out, c);
    }
  }
  return out;
}

// For an http(s) reference: backslashes before the query become slashes; "http:g" against an
// http base is the relative "g"; any number of slashes may stand before the host, and an
// "https:" reference against an http base always names a host ("https:h/x" is "https://h/x").
// Another scheme's reference is left for the scheme check to reject.
std::string browser_reference(std::string_view href, std::string_view base_scheme) {
  std::string text = without_tabs_and_newlines(without_spaces_and_controls_at_the_ends(href));
  text.erase(std::min(text.find('#'), text.size()));  // the fragment is never sent
  const auto scheme_size = scheme_length(text);
  const std::string scheme = ascii_lower(std::string_view(text).substr(0, scheme_size));
  if (scheme_size != 0 && scheme != "http" && scheme != "https") return text;
  std::replace(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(text.find('?'), text.size())), '\\',
               '/');
  std::string_view rest(text);
  std::string head;
  bool names_host = rest.starts_with("//");
  if (scheme_size != 0) {
    rest.remove_prefix(scheme_size + 1);
    names_host = rest.starts_with("//") || scheme != ascii_lower(base_scheme);
    if (names_host) head = scheme + ":";
  }
  if (names_host) {
    rest.remove_prefix(std::min(rest.find_first_not_of('/'), rest.size()));
    const auto host_end = std::min(rest.find_first_of("/?"), rest.size());
    head += "//";
    head += rest.substr(0, host_end);
    rest.remove_prefix(host_end);
  } else if (!rest.starts_with('/') && rest.substr(0, rest.find_first_of("/?")).find(':') != std::string_view::npos) {
    head = "./";  // a colon in a relative path's first segment would read as a scheme
  }
  return head + encode_path_and_query(rest);
}

// ---------------------------------------------------------------------------------------------
// Spelling results

// "scheme://[userinfo@]host[:port]": scheme and host in lower case, the port as a number and
// left out when it is the scheme's default. A port out of range stays as written, for
// check_url to reject.
std::string scheme_and_authority(std::string_view scheme, const boost::urls::url_view& source) {
  std::string out = ascii_lower(scheme) + "://";
  if (source.has_userinfo()) {
    out += source.encoded_userinfo();
    out += '@';
  }
  out += host_in_lower_case(source.encoded_host());
  if (source.has_port() && !source.port().empty()) {
    const auto port = detail::port_number(source.port());
    if (port == 0) {
      out += ':';
      out += source.port();
    } else if (port != detail::default_port(scheme)) {
      out += ':' + std::to_string(port);
    }
  }
  return out;
}

// Boost.URL 1.81 reads "http://h:80a/x" as port 80 and the path "a/x", which RFC 3986 forbids
// after an authority; spelt again, the path would run into the host.
bool rootless_path_after_authority(const boost::urls::url_view& url) {
  return url.has_authority() && !url.encoded_path().empty() && !url.encoded_path().starts_with('/');
}

// In a path, escapes of unreserved characters decoded and the hex digits of others in upper
// case (RFC 3986 section 6.2.2.2): "/%7euser/%2f" gives "/~user/%2F".
std::string unreserved_decoded(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!starts_escape(path, i)) {
      out += path[i];
      continue;
    }
    const auto byte = static_cast<unsigned char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
    if (is_unreserved(byte)) {
      out += static_cast<char>(byte);
    } else {
      append_escape(out, byte);
    }
    i += 2;
  }
  return out;
}

// RFC 3986 section 5.2.2 on parsed URLs, with every path and query taken as written.
struct Target {
  std::string path;
  std::string_view query;
  bool has_query = false;
};
Target merged_target(const boost::urls::url_view& base, const boost::urls::url_view& ref) {
  const auto ref_path = ref.encoded_path();
  if (ref.has_scheme() || ref.has_authority() || ref_path.starts_with('/')) {
    return {std::string(ref_path), ref.encoded_query(), ref.has_query()};
  }
  if (ref_path.empty()) {
    return ref.has_query() ? Target{std::string(base.encoded_path()), ref.encoded_query(), true}
                           : Target{std::string(base.encoded_path()), base.encoded_query(), base.has_query()};
  }
  const auto base_path = base.encoded_path();
  std::string path = base_path.empty() ? "/" : std::string(base_path.substr(0, base_path.rfind('/') + 1));
  path += ref_path;
  return {std::move(path), ref.encoded_query(), ref.has_query()};
}

}  // namespace

namespace detail {

std::uint16_t default_port(std::string_view scheme) {
  const auto lower = ascii_lower(scheme);
  return lower == "https" ? 443 : lower == "http" ? 80 : 0;
}

}  // namespace detail

UrlResult resolve_url(std::string_view base, std::string_view reference) {
  auto base_url = boost::urls::parse_uri(base);  // a fragment is allowed, as in URL lists
  if (!base_url || rootless_path_after_authority(*base_url)) {
    return {{}, "base URL does not parse: " + detail::printable(base)};
  }
  const std::string rewritten = browser_reference(reference, base_url->scheme());
  auto ref = boost::urls::parse_uri_reference(rewritten);
  if (!ref) return {{}, "Location is not a URL: " + detail::printable(reference)};
  if (rootless_path_after_authority(*ref)) return {{}, "redirect to bad port in URL: " + detail::printable(reference)};
  if (ref->has_scheme() && detail::default_port(ref->scheme()) == 0) {
    return {{}, "redirect to unsupported scheme '" + detail::printable(ref->scheme()) + "' (only http and https)"};
  }
  // The reference's scheme brings its own authority, or none ("http:.///h/x" against an https
  // base): then there is nothing to connect to.
  const auto& authority_source = ref->has_scheme() || ref->has_authority() ? *ref : *base_url;
  if (!authority_source.has_authority()) {
    return {{}, "redirect to a URL without a host: " + detail::printable(reference)};
  }
  const auto target = merged_target(*base_url, *ref);
  std::string url = scheme_and_authority(ref->has_scheme() ? ref->scheme() : base_url->scheme(), authority_source);
  if (!target.path.empty()) url += remove_dot_segments(target.path);
  if (target.has_query) {
    url += '?';
    url += target.query;
  }
  if (auto problem = check_url(url); !problem.empty()) return {{}, problem.insert(0, "redirect to ")};
  return {std::move(url), {}};
}

UrlResult canonical_url(std::string_view url) {
  boost::urls::url_view parsed;
  if (auto problem = detail::check_url(url, parsed); !problem.empty()) return {{}, std::move(problem)};
  std::string out = scheme_and_authority(parsed.scheme(), parsed);
  out += remove_dot_segments(unreserved_decoded(parsed.encoded_path()));  // "" gives "/"
  if (parsed.has_query()) {
    out += '?';
    out += parsed.encoded_query();
  }
  return {std::move(out), {}};
}

UrlResult canonical_url(std::string_view base, std::string_view href) {
  auto resolved = resolve_url(base, href);
  if (!resolved) return resolved;
  return canonical_url(resolved.url);
}

bool split_url(std::string_view url, UrlParts& parts, std::string& error) {
  boost::urls::url_view parsed;
  if (error = detail::check_url(url, parsed); !error.empty()) return false;
  parts.tls = parsed.scheme_id() == boost::urls::scheme::https;
  const std::uint16_t default_port = parts.tls ? 443 : 80;
  const bool explicit_port = parsed.has_port() && !parsed.port().empty();          // "http://h:/" is the default
  parts.port = explicit_port ? detail::port_number(parsed.port()) : default_port;  // check_url: 1..65535
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
  for (char& c : parts.host) c = ascii_lower(c);
  parts.host_header = std::string(parsed.encoded_host());
  if (parts.port != default_port) parts.host_header += ':' + std::to_string(parts.port);
  // Path and query exactly as the URL spells them: a server may tell "%2F" from "/".
  parts.target = std::string(parsed.encoded_path());
  if (parts.target.empty()) parts.target.push_back('/');
  if (parsed.has_query()) {
    parts.target += '?';
    parts.target += parsed.encoded_query();
  }
  return true;
}

}  // namespace fetcher
