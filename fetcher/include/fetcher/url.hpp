// url.hpp: the URL arithmetic the client needs, public because crawlers need it too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fetcher {

// Resolves a Location header (absolute, scheme-relative, absolute-path or relative) against the
// URL it came from, per RFC 3986 section 5, and normalizes the result. On failure `url` is empty
// and `error` says why (unparsable reference, scheme other than http/https).
struct ResolvedUrl {
  std::string url;
  std::string error;
};
ResolvedUrl resolve_url(std::string_view base, std::string_view reference);

// The parts of an absolute http(s) URL a request needs.
struct UrlParts {
  bool tls = false;           // https
  std::string host;           // lower-case; IPv6 without brackets
  std::uint16_t port = 0;     // explicit or the scheme's default
  std::string host_header;    // host as written in the URL, with ":port" when not the default
  std::string target;         // path and query, "/" at least; never the fragment
  bool host_is_address = false;
};
// Returns false (and sets error) when `url` is not an absolute http(s) URL with a host.
bool split_url(std::string_view url, UrlParts& parts, std::string& error);

}  // namespace fetcher
