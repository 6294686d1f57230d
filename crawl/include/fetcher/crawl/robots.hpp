// robots.hpp: robots.txt as RFC 9309 reads it, for one crawler.
//
// The crawler fetches /robots.txt once per host before any other URL of that host and turns the
// outcome into a RobotsRules with rules_for_response():
//   2xx            the file is parsed (its first 500 KiB; the rest is ignored);
//   3xx            the client stopped following redirects (RFC 9309 2.3.1.2: after more than five
//                  the file may be taken as unavailable): everything is allowed, as for a 4xx;
//   4xx (404 too)  everything is allowed, except 429 (Too Many Requests), read as a 5xx;
//   5xx, or no response at all (DNS, connect, TLS, timeout, ...): nothing is allowed;
//   any other status (1xx, >= 600) counts as no response: nothing is allowed.
// Redirects of robots.txt itself are followed by the client (at least five, RFC 9309 2.3.1.2);
// the outcome is that of the final response.
//
// Parsing (RFC 9309 2.2): lines end in LF, CR or CRLF; a leading UTF-8 BOM, "#" comments and
// whitespace around keys, ':' and values are ignored; keys are case-insensitive; lines without a
// ':' and unknown keys (Sitemap among them) are ignored and neither start nor end a group. A run
// of user-agent lines starts a group; its allow, disallow and crawl-delay lines follow. Blank
// lines do not end a group. When the text reaches robots_parse_limit bytes, its last line may be
// cut, so the text after the last line break within the limit is dropped rather than parsed.
//
// Matching (RFC 9309 2.2.2): the group whose user-agent line names the crawler's product token
// (case-insensitive; several groups naming it are merged), else the groups for "*"; none of
// either: everything is allowed. A user-agent value names the token of its leading letters, '_'
// and '-' ("fetcher/1.0" names "fetcher"); "*" names every crawler. Then the rule with the
// longest path pattern (its normalised length, '*' and '$' included) that matches wins, and Allow
// wins a tie. Patterns may hold "*" (any run of characters) and end in "$" (the end of the
// path); a pattern that begins with neither '/' nor '*' matches nothing. Paths and patterns are
// compared with their percent-encoding normalised: escapes of unreserved characters are decoded,
// hex digits are in upper case, and bytes that may not appear raw in a URI (non-ASCII, controls,
// space, '"', '<', '>', '\\', '^', '`', '{', '|', '}', a '%' not starting an escape) are escaped,
// so "/%7Ea" and "/~a" are one path, and so are a raw UTF-8 pattern and its escaped URL. Reserved
// characters keep their form: "/a%2Fb" and "/a/b" stay different paths. An empty Disallow
// allows everything. /robots.txt itself is always allowed.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::crawl {

// The most of a robots.txt body that is parsed (RFC 9309 2.5: at least 500 kibibytes).
constexpr std::size_t robots_parse_limit = 500 * 1024;

class RobotsRules {
 public:
  // Everything allowed (no file, a 4xx), or nothing allowed (a 5xx, unreachable).
  static RobotsRules allow_all();
  static RobotsRules disallow_all();
  // The rules of `robots_txt` for the crawler whose product token is `product_token` (e.g.
  // "fetcher"). Never fails: lines it does not understand are ignored, as the RFC asks.
  static RobotsRules parse(std::string_view robots_txt, std::string_view product_token);

  // May the crawler fetch `path_and_query` (the URL's target: "/a/b?q=1", "/" at least)?
  bool allowed(std::string_view path_and_query) const;
  // The Crawl-delay of the chosen group, if it has one (not in RFC 9309, but widely used):
  // seconds, fractions allowed, e.g. "Crawl-delay: 0.5" gives 500 ms (digits past the
  // millisecond are dropped). Bad values (signs, exponents, words) are ignored; the first valid
  // one of the chosen groups counts. Values above 60 s give 60 s, so that one host cannot stall
  // its share of the crawl for minutes per request.
  std::optional<std::chrono::milliseconds> crawl_delay() const;

  // How the rules came about, for the crawl's summary and tests.
  enum class Source { parsed, allow_all, disallow_all };
  Source source() const { return source_; }

 private:
  struct Rule {
    std::string pattern;  // normalised; may hold '*' and end in '$'
    bool allow = false;
  };
  Source source_ = Source::allow_all;
  // The chosen group's rules, longest pattern first and Allow before Disallow among equals, so
  // that the first rule that matches decides.
  std::vector<Rule> rules_;
  std::optional<std::chrono::milliseconds> crawl_delay_;
};

// What the fetch of robots.txt produced: `delivered` is FetchResult::delivered() (a whole
// response arrived), `status` its status, `body` its first robots_parse_limit bytes.
RobotsRules rules_for_response(bool delivered, unsigned status, std::string_view body, std::string_view product_token);

// The product token of a User-Agent value: its first token, without the version
// ("fetcher/0.1 (+https://example.org)" gives "fetcher"). RFC 9309 2.2.1 allows only
// letters, '_' and '-' in it; other characters end it.
std::string product_token(std::string_view user_agent);

}  // namespace fetcher::crawl
