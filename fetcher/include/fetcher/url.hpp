// url.hpp: the URL arithmetic the client needs, public because crawlers need it too.
//
// Three jobs, three functions:
//   resolve_url    an href or a Location header, as a browser reads it, against the page it came
//                  from: the URL to fetch next;
//   canonical_url  one spelling per resource, for "have I seen this URL before?";
//   split_url      the parts a request needs (host, port, Host header, request target).
// Neither resolve_url nor split_url re-encodes a query or a path's escapes: what the server wrote
// is what goes on the wire.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fetcher {

// A URL, or why there is none: exactly one of `url` and `error` is empty.
struct UrlResult {
  std::string url;
  std::string error;
  explicit operator bool() const { return error.empty(); }
};
using ResolvedUrl = UrlResult;

// Resolves `reference` (an href or a Location header: absolute, scheme-relative, absolute-path or
// relative) against `base` per RFC 3986 section 5, reading the reference as browsers do (WHATWG
// URL) in the common cases:
//   - leading and trailing spaces and C0 controls are stripped, tabs, CRs and LFs removed;
//   - in the path and query, bytes RFC 3986 does not allow there (space, '"', '<', '>', '`',
//     '{', '}', '|', '^', '\' in the query, other controls, bytes past ASCII, a '%' not starting
//     an escape) are percent-encoded; every other byte, and every escape, stays as written;
//   - backslashes before the query are slashes; "http:x" against an http base is relative, and
//     any number of slashes (or backslashes) may stand before the host ("http:///h/").
// Browsers send '`', '{', '}', '|', '^' and '\' in a query unescaped; a request here carries them
// escaped, as RFC 3986 requires.
// The result has the scheme and host in lower case, no default port ("http://a:80/" gives
// "http://a/", ":0080" gives no port either), no fragment, and the path's dot-segments removed.
// It passes check_url; an error names the problem (no host, a bad port or one outside 1..65535,
// a scheme other than http/https, unparsable).
UrlResult resolve_url(std::string_view base, std::string_view reference);

// The canonical form of an absolute http(s) URL, for de-duplication: scheme and host in lower
// case, the default port dropped, the fragment dropped, an empty path made "/", in the path
// escapes of unreserved characters decoded ("%7E" gives "~") and other escapes' hex digits in
// upper case, then dot-segments removed. The query stays byte-exact: servers may tell "%2F"
// from "/" and "%2f" from "%2F" there. An error when `url` fails check_url.
UrlResult canonical_url(std::string_view url);
// canonical_url(resolve_url(base, href).url): the canonical form of an href found on `base`.
UrlResult canonical_url(std::string_view base, std::string_view href);

// The parts of an absolute http(s) URL a request needs.
struct UrlParts {
  bool tls = false;         // https
  std::string host;         // lower-case; IPv6 without brackets
  std::uint16_t port = 0;   // explicit (1..65535) or the scheme's default
  std::string host_header;  // host as written in the URL, with ":port" when not the default
  std::string target;       // path and query as written, "/" at least; never the fragment
  bool host_is_address = false;
};
// Returns false (and sets error) when `url` fails check_url.
bool split_url(std::string_view url, UrlParts& parts, std::string& error);

}  // namespace fetcher
