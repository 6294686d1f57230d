// sites.hpp: the model of the emulated sites, read from a TOML sites file (urls/sites.toml).
//
//   seed = 2024                       # optional, jitter generator seed
//   [[site]]
//   host = "cs.mipt.ru"
//   latency_ms = 66                   # to first byte, per request
//   jitter_ms = 5                     # optional: uniform in [-jitter, +jitter], seeded
//   body_bytes = 25000
//   capacity = 1                      # requests served at once; 0 = unlimited
//   redirect = "https://www.python.org/"   # optional
//   redirect_status = 301             # optional, default 301
//   gzip = true                       # optional: gzip bodies for clients that accept it
//   fail_first = 2                    # optional: first 2 requests per path fail...
//   fail_status = 503                 # ...with this status (default 503)
//   retry_after_s = 1                 # ...and this Retry-After (default none)
//   fault = "reset-body"              # optional: misbehave on purpose (see Fault below)
//   links = 4                         # optional: each page links to 4 pages of the site...
//   pages = 100                       # ...among /page/0 .. /page/99 (default 100)
//
// Crawl features (optional; site_graph.hpp says what each page then holds and answers, and
// what a correct crawler fetches). Every choice is seeded by the host and path alone:
//   scheme = "https"                  # scheme of the absolute URLs the site writes (default http)
//   chain = true                      # /page/K links /page/K+1 first: every page is reachable
//   link_forms = true                 # hrefs in varied spellings of the same URLs, <base href>
//   cross_links = 2                   # links per page to pages of the set's other sites
//   external_links = true             # links to outside.invalid and mailto:, javascript:, ftp:
//   broken_links = 1                  # links per page to /missing/K (404)
//   moved_links = 1                   # links per page to /moved/K (301 to /page/K)
//   binary_links = 1                  # links per page to /file/K.bin (application/octet-stream)
//   robots = "rules"                  # /robots.txt: "rules", "404", "500" or "none" (= 404)
//   disallow = ["/private/"]          # with rules: path prefixes disallowed (default /private/)
//   crawl_delay_ms = 250              # with rules: Crawl-delay
//   traps = true                      # rel=nofollow links and meta-nofollow pages to /trap/K
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::origin {

// A way a site misbehaves on purpose, for testing clients (`fault = "NAME"` in a [[site]]).
// A site with a fault also gets listening ports of its own (Server::site_ports): the faults
// of the connection itself (refuse, tls-*) act only there; the others act on every port,
// after the site's latency, for every request whose Host is the site.
enum class Fault {
  none,
  refuse,               // "refuse": nothing listens on the site's ports (connection refused)
  no_answer,            // "no-answer": reads the request, never answers
  stall_body,           // "stall-body": header and half the body, then silence
  drip,                 // "drip": header, then the body one byte per second
  reset_body,           // "reset-body": header and half the body, then a TCP reset
  close_before_status,  // "close-before-status": reads the request, closes without a byte
  bad_status_line,      // "bad-status-line": "HTTP/1.1 2OO OK"
  bad_header,           // "bad-header": a header line without a colon
  endless_headers,      // "endless-headers": header lines that never end
  huge_headers,         // "huge-headers": a 128 KB header section (the client's limit is 64 KB)
  bad_chunked,          // "bad-chunked": a chunk size that is not hexadecimal
  short_length,         // "short-length": Content-Length half the body actually sent
  long_length,          // "long-length": Content-Length 100 bytes more than sent, then close
  endless_body,         // "endless-body": a body without length that never ends
  redirect_loop,        // "redirect-loop": /loop-a -> /loop-b -> /loop-a, every other path -> /loop-a
  redirect_ftp,         // "redirect-ftp": 302 to ftp://HOST/file.txt
  tls_wrong_name,       // "tls-wrong-name": certificate (from the trusted CA) for wrong-name.invalid
  tls_expired,          // "tls-expired": certificate (from the trusted CA) expired 30 days ago
  tls_self_signed,      // "tls-self-signed": self-signed certificate for the right name
  tls_stall,            // "tls-stall": accepts, reads the ClientHello, never answers
};

std::string_view to_string(Fault fault);
// Inverse of to_string; false for an unknown name.
bool parse_fault(std::string_view name, Fault& fault);
// Every fault but none, in declaration order (for docs and tests).
std::vector<Fault> all_faults();

struct Site {
  std::string host;
  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds jitter{0};
  std::uint64_t body_bytes = 0;
  unsigned capacity = 0;  // 0 = unlimited
  // Absolute URL. Every request to this host whose URL is not this one is answered with
  // redirect_status and this Location, so "http://www.python.org" -> "https://www.python.org/".
  std::string redirect;
  unsigned redirect_status = 301;
  // Fault for testing retries: the first `fail_first` requests for each path (by repeat
  // number) are answered `fail_status`, with Retry-After when retry_after_s > 0.
  // Serve bodies gzip-compressed to clients that accept it (Content-Encoding: gzip).
  bool gzip = false;
  unsigned fail_first = 0;
  unsigned fail_status = 503;
  unsigned retry_after_s = 0;
  Fault fault = Fault::none;
  // A site graph for crawlers: every page's body starts with `links` anchors
  // (<a href="/page/K">) to pages drawn, seeded by host and path, from /page/0 .. /page/{pages-1}.
  // Such a page is at least as long as its anchors, whatever body_bytes says.
  unsigned links = 0;
  unsigned pages = 100;

  // Crawl features (site_graph.hpp).
  enum class Robots {
    page,     // key absent: /robots.txt is answered as any other path is
    rules,    // "rules": a robots.txt with a group for "*" (disallow, crawl_delay) and a stricter one
    missing,  // "404" or "none": 404
    error,    // "500": 500, so a crawler that obeys robots.txt fetches nothing else of the host
  };
  std::string scheme = "http";
  bool chain = false;
  bool link_forms = false;
  unsigned cross_links = 0;
  bool external_links = false;
  unsigned broken_links = 0;
  unsigned moved_links = 0;
  unsigned binary_links = 0;
  Robots robots = Robots::page;
  std::vector<std::string> disallow{"/private/"};
  std::chrono::milliseconds crawl_delay{0};
  bool traps = false;

  // True when any crawl feature is set: the site then answers only the paths of its graph and
  // 404 for the rest (a site with only links and pages answers every path with a page).
  bool has_graph() const;
};

struct SiteSet {
  std::vector<Site> sites;
  std::uint64_t seed = 1;

  const Site* find(std::string_view host) const;  // case-insensitive; nullptr if unknown
};

// Throws std::runtime_error("NAME: reason") / ("NAME:LINE: reason") on bad input: unknown or
// missing keys, wrong types, negative numbers, duplicate hosts, a redirect that is not an
// absolute http(s) URL.
SiteSet parse_sites(std::string_view toml_text, std::string_view name);
SiteSet load_sites(const std::string& path);

// Latency of the `repeat`-th (0-based, counted per host+path in arrival order) request for
// `path` on `site`: latency + jitter drawn from a generator seeded by (seed, host, path,
// repeat), clamped at zero. The server and the ideal-time model both use this.
std::chrono::microseconds request_latency(const SiteSet& sites, const Site& site, std::string_view path,
                                          std::uint64_t repeat);

// True when a request for scheme://site.host<path> is answered with the site's redirect.
bool is_redirected(const Site& site, std::string_view scheme, std::string_view path);

// The deterministic body served for `path` on `site` (site.body_bytes long, text/html; longer
// when the site's links need more room). A site with a graph (Site::has_graph) answers some
// paths with other bodies: robots.txt, binary files, short 404 pages (site_graph.hpp).
// Cross links need the other sites: without `sites`, a page has none.
std::string make_body(const SiteSet& sites, const Site& site, std::string_view path);
std::string make_body(const Site& site, std::string_view path);

// The paths a page of `site` links to, in the order its body lists them (empty without links).
std::vector<std::string> page_links(const Site& site, std::string_view path);

// `data` gzip-compressed (RFC 1952), for sites with gzip = true.
std::string gzip_compress(std::string_view data);

}  // namespace fetcher::origin
