// robots.hpp: robots.txt as RFC 9309 reads it, for one crawler.
//
// The crawler fetches /robots.txt once per host before any other URL of that host and turns the
// outcome into a RobotsRules with rules_for_response():
//   2xx            the file is parsed (its first 500 KiB; the rest is ignored);
//   4xx (404 too)  everything is allowed;
//   5xx, or no response at all (DNS, connect, TLS, timeout, ...): nothing is allowed.
// Redirects of robots.txt itself are followed by the client (at least five, RFC 9309 2.3.1.2);
// the outcome is that of the final response.
//
// Matching (RFC 9309 2.2.2): the group whose user-agent line names the crawler's product token
// (case-insensitive; several groups naming it are merged), else the groups for "*"; then the
// rule with the longest matching path pattern wins, and Allow wins a tie. Patterns may hold "*"
// (any run of characters) and end in "$" (the end of the path). Paths are compared with their
// percent-encoding normalised (escapes of unreserved characters decoded, hex digits in upper
// case), so "/%7Ea" and "/~a" are one path. An empty Disallow allows everything.
// /robots.txt itself is always allowed.
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
  // seconds, fractions allowed, e.g. "Crawl-delay: 0.5" gives 500 ms. Bad values are ignored.
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
  std::vector<Rule> rules_;
  std::optional<std::chrono::milliseconds> crawl_delay_;
};

// What the fetch of robots.txt produced: `delivered` is FetchResult::delivered() (a whole
// response arrived), `status` its status, `body` its first robots_parse_limit bytes.
RobotsRules rules_for_response(bool delivered, unsigned status, std::string_view body,
                               std::string_view product_token);

// The product token of a User-Agent value: its first token, without the version
// ("fetcher/0.1 (+https://example.org)" gives "fetcher"). RFC 9309 2.2.1 allows only
// letters, '_' and '-' in it; other characters end it.
std::string product_token(std::string_view user_agent);

}  // namespace fetcher::crawl
