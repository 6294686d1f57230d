// site_graph.hpp: the websites the emulated origin serves to crawlers (the crawl features of
// sites.hpp), and the crawl a correct crawler makes of them.
//
// Paths of a site with a graph (Site::has_graph; K is a decimal number without leading zeros;
// a query never changes what a path answers, only which URL it is):
//   /page/K      K < pages: 200 text/html, a page whose anchors come first (below), then filler
//                up to body_bytes. "/" is the home page: /page/0's links, written from "/".
//   /moved/K     (moved_links) 301, Location: /page/K
//   /missing/K   (broken_links) 404 text/html, a short page without links
//   /file/K.bin  (binary_links) 200 application/octet-stream, 4096 bytes
//   /private/K   (robots = "rules") 200 text/html without links; disallowed by the default rules
//   /nofollow/K  (traps) 200 text/html with <meta name="robots" content="nofollow"> (or "none",
//                or "noindex, nofollow") and links to /trap/K and /trap/K+1, not to be followed
//   /trap/K      (traps) K < pages: 200 text/html linking /trap/K+1: a crawler that follows
//                nofollow links walks down `pages` of them
//   /robots.txt  robots = "rules": 200 text/plain, a group for "strictbot" (Disallow: /) then one
//                for "*" (Disallow: each of disallow; Crawl-delay when crawl_delay_ms > 0);
//                "404"/"none": 404; "500": 500; absent: answered as any other path
//   anything else: 404. (A site with only links and pages answers every path with a page.)
//
// The anchors of a page, in order:
//   chain        /page/K+1 (K+1 < pages)
//   links        `links` pages drawn from /page/0 .. /page/{pages-1} (page_links)
//   cross_links  pages of the set's other sites, absolute URLs in their scheme
//   link_forms   one extra link to /page/Q?a=1&b=2, written "?a=1&amp;b=2" (a URL of its own)
//   moved_links, broken_links, binary_links: /moved/Q, /missing/Q, /file/Q.bin
//   robots = "rules": /private/Q
//   traps        <a rel="nofollow" href="/trap/Q"> (rel also "external NoFollow") and /nofollow/Q
//   external_links  http://outside.invalid/x, mailto:, javascript:, tel: and ftp://HOST/ hrefs
// Q is drawn per link from the first ceil(pages / 100) numbers, so each of those families adds
// at most ceil(pages / 100) URLs to a crawl, whatever the number of pages linking it.
//
// Without link_forms every href is an absolute path ("/page/3"). With link_forms the links of
// the chain, links and cross_links lists are written in spellings that all mean the same URL,
// chosen per link: the absolute path; relative to the page's directory ("3", "./3",
// "../page/3", "page/3" from "/"); an absolute URL in the site's scheme, also with the default
// port (":80", ":443"), with the host (and scheme) in upper case; scheme-relative ("//host/...");
// with a fragment ("#s3"); with an escaped unreserved character ("/%70age/3"); with dot segments
// ("/a/../page/./3"); with an entity ("/page&#47;3"). The second link is an <area> of a <map>.
// One page in four has a <base href>, "/docs/v2/" or "SCHEME://HOST/static/", and its relative
// hrefs are written against it ("../../page/3").
#pragma once

#include <fetcher/origin/sites.hpp>

#include <climits>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::origin {

// How a site answers one path (Site::has_graph() false: always a 200 page).
struct PathAnswer {
  unsigned status = 200;
  std::string_view content_type = "text/html; charset=utf-8";
  std::string location;  // 3xx: the Location header, an absolute path
  bool html = true;      // the body is a page a crawler parses
};
PathAnswer path_answer(const Site& site, std::string_view target);

// One anchor of a page.
struct GraphLink {
  std::string href;       // the attribute value as the HTML writes it (entities and all)
  std::string url;        // the canonical URL it means (see expected_crawl); empty: not http(s)
  bool nofollow = false;  // rel holds nofollow
};

// A page's links as a crawler reads them, for a request with `scheme` (relative hrefs keep
// the request's scheme unless a <base href> names one).
struct GraphPage {
  std::string base_href;  // as written; empty: none
  bool meta_nofollow = false;
  std::vector<GraphLink> links;  // in body order; empty for answers that are not pages
};
// `sites` supplies the targets of cross links; `target` is path and query.
GraphPage graph_page(const SiteSet& sites, const Site& site, std::string_view scheme, std::string_view target);

// The /robots.txt body of a site with robots = "rules".
std::string robots_txt(const Site& site);

// What a correct crawler fetches from `seeds`.
struct ExpectedCrawl {
  std::map<std::string, unsigned> pages;  // canonical URL ("http://h1.synthetic.test/page/3") -> depth
  std::set<std::string> robots_hosts;     // hosts whose /robots.txt a robots-obeying crawler fetches
  std::set<std::string> disallowed;       // canonical URLs linked in scope but disallowed by robots
};

// The crawl of a correct breadth-first crawler:
//   - URLs are canonical: scheme and host in lower case, the default port dropped, the fragment
//     dropped, dot segments removed, escapes of unreserved characters in the path decoded, the
//     query byte-exact. Seeds are canonicalised too; a seed that is not http(s) is dropped.
//   - A page's links are the hrefs of its <a> and <area> elements, entities decoded, resolved
//     against its <base href>, else its URL; rel=nofollow links and every link of a page with
//     <meta name="robots" content="nofollow"> (or "none") are not followed, nor hrefs that are
//     not http(s), nor URLs whose host fails `in_scope` (seeds are always in scope).
//   - A 3xx answer is fetched and its Location queued at the same depth; 404s and binary files
//     are fetched and have no links. Hosts outside the SiteSet answer nothing, so their pages
//     have no links.
//   - depth = fewest links from a seed (a redirect costs none); links beyond max_depth are not
//     queued.
//   - obey_robots: the first URL met on a host makes its robots.txt fetched (robots_hosts).
//     robots = "rules" disallows the URLs whose path and query start with a disallow entry
//     (robots.txt itself is always allowed); "500", and a host outside the SiteSet (no answer),
//     disallow everything; otherwise everything is allowed. A disallowed URL is not fetched
//     (so its links are not met) and is listed in `disallowed`.
// A site's `redirect` is followed like a 3xx of the graph; faults and fail_first are not
// modelled (every other answer is path_answer's).
ExpectedCrawl expected_crawl(const SiteSet& sites, const std::vector<std::string>& seeds,
                             const std::function<bool(std::string_view host)>& in_scope, bool obey_robots = true,
                             unsigned max_depth = UINT_MAX);

// The canonical form (as above) of an absolute http(s) URL written plainly (no entities, no
// whitespace); empty when it is not one. For seeds and tests.
std::string canonical_seed(std::string_view url);

}  // namespace fetcher::origin
