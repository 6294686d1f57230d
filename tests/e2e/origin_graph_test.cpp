// origin_graph_test.cpp: the crawl features of the emulated origin (site_graph.hpp): the hrefs
// it writes mean the URLs it says (checked with Boost.URL's resolver, independent of the
// origin's own arithmetic), the special paths answer as documented, expected_crawl agrees with
// hand-checked graphs and with a crawl made from the served bodies, and the server counts
// requests per URL.
#include <fetcher/origin/control.hpp>
#include <fetcher/origin/server.hpp>
#include <fetcher/origin/site_graph.hpp>
#include <fetcher/origin/sites.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fetcher::origin {
namespace {

std::string parse_error(std::string_view text) {
  try {
    parse_sites(text, "sites.toml");
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

bool anywhere(std::string_view) { return true; }

// --- an independent reading of the served bodies ----------------------------------------------

std::string decode_entities(std::string text) {
  for (const auto& [entity, character] : std::vector<std::pair<std::string, std::string>>{
           {"&amp;", "&"}, {"&#47;", "/"}, {"&quot;", "\""}, {"&lt;", "<"}}) {
    for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1)) {
      text.replace(at, entity.size(), character);
    }
  }
  return text;
}

// `reference` against `base` by RFC 3986 (Boost.URL), then canonical: normalised, no fragment,
// no default port. Empty when not an http(s) URL.
std::string resolve(const std::string& base, const std::string& reference) {
  const auto base_view = boost::urls::parse_uri(base);
  const auto reference_view = boost::urls::parse_uri_reference(reference);
  if (!base_view || !reference_view) return {};
  boost::urls::url resolved;
  if (!boost::urls::resolve(*base_view, *reference_view, resolved)) return {};
  resolved.normalize();
  resolved.remove_fragment();
  if (resolved.scheme() != "http" && resolved.scheme() != "https") return {};
  if ((resolved.scheme() == "http" && resolved.port() == "80") ||
      (resolved.scheme() == "https" && resolved.port() == "443")) {
    resolved.remove_port();
  }
  if (resolved.encoded_path().empty()) resolved.set_encoded_path("/");
  return std::string(resolved.buffer());
}

struct ReadAnchor {
  std::string href;  // entities decoded
  bool nofollow = false;
};

struct ReadPage {
  std::string base_href;
  bool meta_nofollow = false;
  std::vector<ReadAnchor> anchors;
};

// What a crawler finds in a served body, by regular expressions over the markup the origin writes.
ReadPage read_page(const std::string& body) {
  ReadPage page;
  std::smatch match;
  if (std::regex_search(body, match, std::regex(R"re(<base href="([^"]*)">)re")))
    page.base_href = decode_entities(match[1]);
  page.meta_nofollow = std::regex_search(
      body, std::regex(R"re(<meta name="robots" content="[^"]*(nofollow|none)")re", std::regex::icase));
  const std::regex anchor(R"re(<(a|area)\b([^>]*)>)re");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), anchor); it != std::sregex_iterator(); ++it) {
    const std::string attributes = (*it)[2];
    std::smatch href;
    if (!std::regex_search(attributes, href, std::regex(R"re(href="([^"]*)")re"))) continue;
    const bool nofollow = std::regex_search(attributes, std::regex(R"re(rel="[^"]*nofollow)re", std::regex::icase));
    page.anchors.push_back({decode_entities(href[1]), nofollow});
  }
  return page;
}

std::string host_of(const std::string& url) { return std::string(boost::urls::parse_uri(url)->encoded_host()); }
std::string target_of(const std::string& url) {
  const auto view = boost::urls::parse_uri(url);
  return std::string(view->encoded_path()) + (view->has_query() ? "?" + std::string(view->encoded_query()) : "");
}

// --- the sites file -------------------------------------------------------------------------

TEST(GraphParse, ReadsEveryCrawlKey) {
  const SiteSet set = parse_sites(R"(
[[site]]
host = "g.test"
scheme = "HTTPS"
chain = true
link_forms = true
cross_links = 2
external_links = true
broken_links = 3
moved_links = 4
binary_links = 5
robots = "rules"
disallow = ["/private/", "/page/1"]
crawl_delay_ms = 250
traps = true
)",
                                  "sites.toml");
  const Site& site = set.sites.at(0);
  EXPECT_EQ(site.scheme, "https");
  EXPECT_TRUE(site.chain);
  EXPECT_TRUE(site.link_forms);
  EXPECT_EQ(site.cross_links, 2u);
  EXPECT_TRUE(site.external_links);
  EXPECT_EQ(site.broken_links, 3u);
  EXPECT_EQ(site.moved_links, 4u);
  EXPECT_EQ(site.binary_links, 5u);
  EXPECT_EQ(site.robots, Site::Robots::rules);
  EXPECT_EQ(site.disallow, (std::vector<std::string>{"/private/", "/page/1"}));
  EXPECT_EQ(site.crawl_delay, std::chrono::milliseconds(250));
  EXPECT_TRUE(site.traps);
  EXPECT_TRUE(site.has_graph());

  const Site plain = parse_sites("[[site]]\nhost = \"p.test\"\nlinks = 3\n", "t").sites.at(0);
  EXPECT_FALSE(plain.has_graph());
  EXPECT_EQ(plain.robots, Site::Robots::page);
  EXPECT_EQ(plain.disallow, std::vector<std::string>{"/private/"});
  EXPECT_EQ(parse_sites("[[site]]\nhost = \"p.test\"\nrobots = \"none\"\n", "t").sites.at(0).robots,
            Site::Robots::missing);
  EXPECT_EQ(parse_sites("[[site]]\nhost = \"p.test\"\nrobots = \"404\"\n", "t").sites.at(0).robots,
            Site::Robots::missing);
  EXPECT_EQ(parse_sites("[[site]]\nhost = \"p.test\"\nrobots = \"500\"\n", "t").sites.at(0).robots,
            Site::Robots::error);
}

TEST(GraphParse, ErrorsNameTheKey) {
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nrobots = \"maybe\"\n"),
            "sites.toml:3: robots must be \"rules\", \"404\", \"500\" or \"none\", not 'maybe'");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nchain = 1\n"), "sites.toml:3: chain must be true or false");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nscheme = \"ftp\"\n"),
            "sites.toml:3: scheme must be \"http\" or \"https\"");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\ncross_links = 1001\n"),
            "sites.toml:3: cross_links must be at most 1000");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nmoved_links = -1\n"),
            "sites.toml:3: moved_links must not be negative");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\ndisallow = \"/x\"\n"),
            "sites.toml:3: disallow must be an array of paths");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\ndisallow = [\"x/\"]\n"),
            "sites.toml:3: disallow 'x/' must be a path starting with '/' without '*', '$', '%', '#' or blanks");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\ndisallow = [\"/a*\"]\n"),
            "sites.toml:3: disallow '/a*' must be a path starting with '/' without '*', '$', '%', '#' or blanks");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\ncrawl_delay_ms = \"1s\"\n"),
            "sites.toml:3: crawl_delay_ms must be an integer");
}

// --- what the pages write --------------------------------------------------------------------

constexpr std::string_view forms_sites = R"(
seed = 7
[[site]]
host = "a.test"
body_bytes = 3000
pages = 300
links = 6
chain = true
link_forms = true
cross_links = 1

[[site]]
host = "b.test"
scheme = "https"
pages = 50
links = 2
link_forms = true
)";

TEST(GraphLinks, EveryHrefMeansTheUrlTheOriginSays) {
  const SiteSet sites = parse_sites(forms_sites, "t");
  std::set<std::string> bases;
  std::size_t areas = 0;
  for (const std::string scheme : {"http", "https"}) {
    for (const Site& site : sites.sites) {
      for (unsigned number = 0; number < site.pages; ++number) {
        std::vector<std::string> targets{"/page/" + std::to_string(number),
                                         "/page/" + std::to_string(number) + "?a=1&b=2"};
        if (number == 0) targets.push_back("/");
        for (const std::string& target : targets) {
          const std::string url = scheme + "://" + site.host + target;
          const std::string body = make_body(sites, site, target);
          const ReadPage read = read_page(body);
          const GraphPage page = graph_page(sites, site, scheme, target);
          ASSERT_EQ(read.anchors.size(), page.links.size()) << url;
          EXPECT_EQ(read.base_href, decode_entities(page.base_href)) << url;
          if (!read.base_href.empty()) bases.insert(read.base_href);
          areas += body.find("<area ") != std::string::npos;
          const std::string base = read.base_href.empty() ? url : resolve(url, read.base_href);
          for (std::size_t i = 0; i < page.links.size(); ++i) {
            EXPECT_EQ(resolve(base, read.anchors[i].href), page.links[i].url)
                << url << " href " << page.links[i].href << " base " << read.base_href;
          }
        }
      }
    }
  }
  EXPECT_EQ(bases, (std::set<std::string>{"/docs/v2/", "http://a.test/static/", "https://b.test/static/"}));
  EXPECT_GT(areas, 100u);
}

TEST(GraphLinks, EverySpellingIsWritten) {
  const SiteSet sites = parse_sites(forms_sites, "t");
  const Site& site = sites.sites[0];
  std::set<std::string> spellings;
  for (unsigned number = 0; number < site.pages; ++number) {
    const std::string target = "/page/" + std::to_string(number);
    const GraphPage page = graph_page(sites, site, "http", target);
    for (const auto& link : page.links) {
      const std::string& href = link.href;
      if (link.url.find("b.test") != std::string::npos) {
        spellings.insert(href.find("B.TEST") != std::string::npos ? "cross upper" : "cross");
      } else if (href.starts_with("/page&#47;")) {
        spellings.insert("entity");
      } else if (href.starts_with("/%70age/")) {
        spellings.insert("escape");
      } else if (href.starts_with("/a/../")) {
        spellings.insert("dots");
      } else if (href.find('#') != std::string::npos) {
        spellings.insert("fragment");
      } else if (href.find("?a=1&amp;b=2") != std::string::npos) {
        spellings.insert("query");
      } else if (href.starts_with("HTTP://A.TEST/")) {
        spellings.insert("upper");
      } else if (href.starts_with("http://a.test:80/")) {
        spellings.insert("port");
      } else if (href.starts_with("http://a.test/")) {
        spellings.insert("absolute");
      } else if (href.starts_with("//a.test/")) {
        spellings.insert("scheme-relative");
      } else if (href.starts_with("/page/")) {
        spellings.insert("path");
      } else if (href.starts_with("./")) {
        spellings.insert("dot-relative");
      } else if (href.starts_with("../")) {
        spellings.insert("parent");
      } else {
        spellings.insert("relative");
      }
    }
  }
  EXPECT_EQ(spellings, (std::set<std::string>{"absolute", "cross", "cross upper", "dot-relative", "dots", "entity",
                                              "escape", "fragment", "parent", "path", "port", "query", "relative",
                                              "scheme-relative", "upper"}));
}

TEST(GraphLinks, HandCheckedSpellingsFromAPageAndFromTheHome) {
  // A few spellings resolved by hand, against the page and against the home page.
  EXPECT_EQ(resolve("http://a.test/page/1", "3"), "http://a.test/page/3");
  EXPECT_EQ(resolve("http://a.test/", "page/3"), "http://a.test/page/3");
  EXPECT_EQ(resolve("http://a.test/", "page/./3"), "http://a.test/page/3");
  EXPECT_EQ(resolve("http://a.test/page/1", "/%70age/3"), "http://a.test/page/3");
  EXPECT_EQ(resolve("http://a.test/docs/v2/", "../../page/3"), "http://a.test/page/3");
  EXPECT_EQ(resolve("https://a.test/page/1", "//a.test/page/3#x"), "https://a.test/page/3");

  const SiteSet sites = parse_sites(forms_sites, "t");
  const Site& site = sites.sites[0];
  // The home page is /page/0's links written from "/": the same URLs.
  const GraphPage home = graph_page(sites, site, "http", "/");
  const GraphPage first = graph_page(sites, site, "http", "/page/0");
  ASSERT_EQ(home.links.size(), first.links.size());
  for (std::size_t i = 0; i < home.links.size(); ++i) EXPECT_EQ(home.links[i].url, first.links[i].url);
  EXPECT_EQ(home.links.at(0).url, "http://a.test/page/1");  // the chain first
}

TEST(GraphLinks, LinksComeFirstAndTheBodyIsBodyBytesLong) {
  const SiteSet sites = parse_sites(forms_sites, "t");
  const std::string body = make_body(sites, sites.sites[0], "/page/4");
  EXPECT_EQ(body.size(), 3000u);
  EXPECT_LT(body.rfind("href="), body.find("<p>"));
  EXPECT_TRUE(body.ends_with("</body></html>\n"));
  EXPECT_EQ(body, make_body(sites, sites.sites[0], "/page/4"));
}

TEST(GraphLinks, PlainSitesKeepTheirPages) {
  const SiteSet sites = parse_sites("[[site]]\nhost = \"p.test\"\nbody_bytes = 2000\nlinks = 3\npages = 9\n", "t");
  const Site& site = sites.sites[0];
  EXPECT_EQ(make_body(sites, site, "/anything"), make_body(site, "/anything"));
  EXPECT_EQ(path_answer(site, "/robots.txt").status, 200u);
  const GraphPage page = graph_page(sites, site, "https", "/x");
  const auto paths = page_links(site, "/x");
  ASSERT_EQ(page.links.size(), 3u);
  for (std::size_t i = 0; i < paths.size(); ++i) EXPECT_EQ(page.links[i].url, "https://p.test" + paths[i]);
}

// --- what the special paths answer -----------------------------------------------------------

constexpr std::string_view feature_sites = R"(
[[site]]
host = "f.test"
pages = 5
body_bytes = 500
external_links = true
broken_links = 1
moved_links = 1
binary_links = 1
robots = "rules"
disallow = ["/private/", "/page/4"]
crawl_delay_ms = 1500
traps = true
)";

TEST(GraphPaths, AnswersAsDocumented) {
  const SiteSet sites = parse_sites(feature_sites, "t");
  const Site& site = sites.sites[0];
  EXPECT_EQ(path_answer(site, "/page/0").status, 200u);
  EXPECT_EQ(path_answer(site, "/page/4?a=1&b=2").status, 200u);
  EXPECT_EQ(path_answer(site, "/page/5").status, 404u);   // pages = 5
  EXPECT_EQ(path_answer(site, "/page/03").status, 404u);  // numbers are written one way only
  EXPECT_EQ(path_answer(site, "/elsewhere").status, 404u);
  EXPECT_EQ(path_answer(site, "/missing/0").status, 404u);
  EXPECT_EQ(path_answer(site, "/private/0").status, 200u);

  const PathAnswer moved = path_answer(site, "/moved/3");
  EXPECT_EQ(moved.status, 301u);
  EXPECT_EQ(moved.location, "/page/3");

  const PathAnswer file = path_answer(site, "/file/2.bin");
  EXPECT_EQ(file.status, 200u);
  EXPECT_EQ(file.content_type, "application/octet-stream");
  EXPECT_FALSE(file.html);
  EXPECT_EQ(make_body(sites, site, "/file/2.bin").size(), 4096u);
  EXPECT_EQ(path_answer(site, "/file/2").status, 404u);

  const PathAnswer robots = path_answer(site, "/robots.txt");
  EXPECT_EQ(robots.status, 200u);
  EXPECT_EQ(robots.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(make_body(sites, site, "/robots.txt"),
            "# robots.txt of f.test, made by the fetcher origin\n"
            "User-agent: strictbot\nDisallow: /\n\n"
            "User-agent: *\nDisallow: /private/\nDisallow: /page/4\nCrawl-delay: 1.5\n");

  for (const auto& [mode, status] :
       std::vector<std::pair<std::string, unsigned>>{{"404", 404}, {"none", 404}, {"500", 500}}) {
    const Site other = parse_sites("[[site]]\nhost = \"r.test\"\nrobots = \"" + mode + "\"\n", "t").sites.at(0);
    EXPECT_EQ(path_answer(other, "/robots.txt").status, status) << mode;
  }
}

TEST(GraphPaths, PagesLinkEveryFeature) {
  const SiteSet sites = parse_sites(feature_sites, "t");
  const GraphPage page = graph_page(sites, sites.sites[0], "http", "/page/2");
  std::vector<std::string> hrefs;
  for (const auto& link : page.links)
    hrefs.push_back(link.href + (link.nofollow ? " nofollow" : "") + " -> " + link.url);
  // pages = 5: every special link draws from the number 0 alone.
  EXPECT_EQ(hrefs, (std::vector<std::string>{
                       "/moved/0 -> http://f.test/moved/0",
                       "/missing/0 -> http://f.test/missing/0",
                       "/file/0.bin -> http://f.test/file/0.bin",
                       "/private/0 -> http://f.test/private/0",
                       "/trap/0 nofollow -> http://f.test/trap/0",
                       "/nofollow/0 -> http://f.test/nofollow/0",
                       "http://outside.invalid/x -> http://outside.invalid/x",
                       "mailto:webmaster@outside.invalid -> ",
                       "javascript:void(0) -> ",
                       "tel:+10000000000 -> ",
                       "ftp://f.test/file.txt -> ",
                   }));
  const std::string body = make_body(sites, sites.sites[0], "/page/2");
  EXPECT_TRUE(body.find("<a rel=\"nofollow\" href=\"/trap/0\">") != std::string::npos ||
              body.find("<a rel=\"external NoFollow\" href=\"/trap/0\">") != std::string::npos);
}

TEST(GraphPaths, TrapsLeadToMoreTraps) {
  const SiteSet sites = parse_sites(feature_sites, "t");
  const Site& site = sites.sites[0];
  const GraphPage hidden = graph_page(sites, site, "http", "/nofollow/0");
  EXPECT_TRUE(hidden.meta_nofollow);
  ASSERT_EQ(hidden.links.size(), 2u);
  EXPECT_EQ(hidden.links[0].url, "http://f.test/trap/0");
  EXPECT_FALSE(hidden.links[0].nofollow);  // the page's meta says it, not the link
  const ReadPage read = read_page(make_body(sites, site, "/nofollow/0"));
  EXPECT_TRUE(read.meta_nofollow);

  const GraphPage trap = graph_page(sites, site, "http", "/trap/3");
  ASSERT_EQ(trap.links.size(), 1u);
  EXPECT_EQ(trap.links[0].url, "http://f.test/trap/4");
  EXPECT_EQ(path_answer(site, "/trap/4").status, 200u);
  EXPECT_EQ(path_answer(site, "/trap/5").status, 404u);  // bounded by pages
}

// --- expected_crawl on small graphs ----------------------------------------------------------

SiteSet chain_sites(std::string_view extra = "") {
  return parse_sites("[[site]]\nhost = \"c.test\"\npages = 3\nchain = true\n" + std::string(extra), "t");
}

TEST(ExpectedCrawl, AChainHasOneDepthPerPage) {
  const ExpectedCrawl crawl = expected_crawl(chain_sites(), {"http://C.test:80/page/0#top"}, anywhere);
  EXPECT_EQ(crawl.pages, (std::map<std::string, unsigned>{
                             {"http://c.test/page/0", 0}, {"http://c.test/page/1", 1}, {"http://c.test/page/2", 2}}));
  EXPECT_EQ(crawl.robots_hosts, std::set<std::string>{"c.test"});
  EXPECT_TRUE(crawl.disallowed.empty());

  const ExpectedCrawl shallow = expected_crawl(chain_sites(), {"http://c.test/page/0"}, anywhere, false, 1);
  EXPECT_EQ(shallow.pages.size(), 2u);
  EXPECT_TRUE(shallow.robots_hosts.empty());  // robots not obeyed
}

TEST(ExpectedCrawl, RedirectsKeepTheDepthAndNofollowIsObeyed) {
  const SiteSet sites = chain_sites("moved_links = 1\ntraps = true\nbroken_links = 1\nbinary_links = 1\n");
  const ExpectedCrawl crawl = expected_crawl(sites, {"http://c.test/page/2"}, anywhere);
  EXPECT_EQ(crawl.pages, (std::map<std::string, unsigned>{{"http://c.test/page/2", 0},
                                                          {"http://c.test/moved/0", 1},
                                                          {"http://c.test/page/0", 1},
                                                          {"http://c.test/page/1", 2},
                                                          {"http://c.test/missing/0", 1},
                                                          {"http://c.test/file/0.bin", 1},
                                                          {"http://c.test/nofollow/0", 1}}));
}

TEST(ExpectedCrawl, RobotsRulesAndErrors) {
  const SiteSet rules = chain_sites("robots = \"rules\"\ndisallow = [\"/private/\", \"/page/2\"]\n");
  const ExpectedCrawl obeyed = expected_crawl(rules, {"http://c.test/page/0"}, anywhere);
  EXPECT_EQ(obeyed.pages, (std::map<std::string, unsigned>{{"http://c.test/page/0", 0}, {"http://c.test/page/1", 1}}));
  EXPECT_EQ(obeyed.disallowed, (std::set<std::string>{"http://c.test/private/0", "http://c.test/page/2"}));

  const ExpectedCrawl ignored = expected_crawl(rules, {"http://c.test/page/0"}, anywhere, false);
  EXPECT_EQ(ignored.pages.size(), 4u);  // three pages and /private/0
  EXPECT_TRUE(ignored.disallowed.empty());

  const ExpectedCrawl failing = expected_crawl(chain_sites("robots = \"500\"\n"), {"http://c.test/page/0"}, anywhere);
  EXPECT_TRUE(failing.pages.empty());
  EXPECT_EQ(failing.disallowed, std::set<std::string>{"http://c.test/page/0"});
  EXPECT_EQ(failing.robots_hosts, std::set<std::string>{"c.test"});

  EXPECT_EQ(expected_crawl(chain_sites("robots = \"404\"\n"), {"http://c.test/page/0"}, anywhere).pages.size(), 3u);
}

TEST(ExpectedCrawl, ScopeDecidesCrossAndExternalLinks) {
  const SiteSet sites = parse_sites(R"(
[[site]]
host = "a.test"
pages = 2
chain = true
cross_links = 1
external_links = true
[[site]]
host = "b.test"
pages = 2
chain = true
)",
                                    "t");
  const auto only_a = [](std::string_view host) { return host == "a.test"; };
  const ExpectedCrawl narrow = expected_crawl(sites, {"http://a.test/page/0"}, only_a);
  for (const auto& [url, depth] : narrow.pages) EXPECT_TRUE(url.starts_with("http://a.test/")) << url;
  EXPECT_EQ(narrow.pages.size(), 2u);

  const ExpectedCrawl wide = expected_crawl(sites, {"http://a.test/page/0"}, anywhere);
  EXPECT_TRUE(wide.pages.contains("http://b.test/page/1"));
  // outside.invalid answers nothing: its robots.txt fails, so its URL is disallowed.
  EXPECT_TRUE(wide.robots_hosts.contains("outside.invalid"));
  EXPECT_EQ(wide.disallowed, std::set<std::string>{"http://outside.invalid/x"});
  const ExpectedCrawl rude = expected_crawl(sites, {"http://a.test/page/0"}, anywhere, false);
  EXPECT_EQ(rude.pages.at("http://outside.invalid/x"), 1u);
}

// A breadth-first crawl made from the served bodies alone (regular expressions and Boost.URL),
// robots.txt obeyed by prefix, to compare with expected_crawl.
std::map<std::string, unsigned> crawl_bodies(const SiteSet& sites, const std::vector<std::string>& seeds,
                                             const std::function<bool(std::string_view)>& in_scope) {
  std::map<std::string, unsigned> depth_of;
  std::deque<std::string> queue;
  for (const auto& seed : seeds) {
    depth_of[seed] = 0;
    queue.push_back(seed);
  }
  std::map<std::string, unsigned> fetched;
  // Breadth-first by depth: redirects keep the depth, so they go to the front.
  while (!queue.empty()) {
    const std::string url = queue.front();
    queue.pop_front();
    if (fetched.contains(url)) continue;
    const unsigned depth = depth_of[url];
    const Site* site = sites.find(host_of(url));
    if (site == nullptr) continue;
    const std::string target = target_of(url);
    if (site->robots == Site::Robots::rules) {
      const std::string robots = make_body(sites, *site, "/robots.txt");
      const auto star = robots.find("User-agent: *");
      bool disallowed = false;
      std::istringstream lines(robots.substr(star));
      for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("Disallow: ") && target.starts_with(line.substr(10))) disallowed = true;
      }
      if (disallowed) continue;
    }
    fetched[url] = depth;
    const PathAnswer answer = path_answer(*site, target);
    const auto add = [&](const std::string& next, unsigned next_depth, bool front) {
      if (next.empty() || !in_scope(host_of(next))) return;
      if (depth_of.contains(next) && depth_of[next] <= next_depth) return;
      depth_of[next] = next_depth;
      if (front) {
        queue.push_front(next);
      } else {
        queue.push_back(next);
      }
    };
    if (!answer.location.empty()) add(resolve(url, answer.location), depth, true);
    if (!answer.html || answer.status != 200) continue;
    const ReadPage page = read_page(make_body(sites, *site, target));
    if (page.meta_nofollow) continue;
    const std::string base = page.base_href.empty() ? url : resolve(url, page.base_href);
    for (const auto& anchor : page.anchors) {
      if (!anchor.nofollow) add(resolve(base, anchor.href), depth + 1, false);
    }
  }
  return fetched;
}

TEST(ExpectedCrawl, MatchesACrawlOfTheServedBodies) {
  const SiteSet sites = parse_sites(R"(
seed = 3
[[site]]
host = "a.test"
pages = 150
links = 3
link_forms = true
cross_links = 1
external_links = true
broken_links = 1
moved_links = 1
binary_links = 1
robots = "rules"
disallow = ["/private/", "/page/7"]
traps = true
[[site]]
host = "b.test"
scheme = "https"
pages = 80
links = 2
chain = true
link_forms = true
cross_links = 2
traps = true
)",
                                    "t");
  const auto in_set = [&](std::string_view host) { return sites.find(host) != nullptr; };
  const std::vector<std::string> seeds{"http://a.test/page/0", "https://b.test/page/0"};
  const ExpectedCrawl expected = expected_crawl(sites, seeds, in_set);
  const auto fetched = crawl_bodies(sites, seeds, in_set);
  EXPECT_EQ(expected.pages, fetched);
  EXPECT_GT(fetched.size(), 150u);
  EXPECT_TRUE(expected.disallowed.contains("http://a.test/private/0"));
  for (const auto& [url, depth] : expected.pages) EXPECT_EQ(url.find("/trap/"), std::string::npos) << url;
}

// --- the server counts requests per URL ------------------------------------------------------

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Reply {
  unsigned status = 0;
  std::string content_type;
  std::string location;
  std::string body;
};

class PlainClient {
 public:
  explicit PlainClient(std::uint16_t port) {
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  Reply get(std::string_view host, std::string_view target) {
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, host);
    http::write(stream_, request);
    http::response<http::string_body> response;
    http::read(stream_, buffer_, response);
    return {response.result_int(), std::string(response[http::field::content_type]),
            std::string(response[http::field::location]), std::move(response.body())};
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

TEST(GraphServer, AnswersTheGraphAndCountsRequestsPerUrl) {
  Server server(parse_sites(feature_sites, "t"));
  server.start();
  PlainClient client(server.http_port());
  EXPECT_EQ(client.get("f.test", "/page/1").status, 200u);
  EXPECT_EQ(client.get("f.test", "/page/1").status, 200u);
  const Reply moved = client.get("f.test", "/moved/2");
  EXPECT_EQ(moved.status, 301u);
  EXPECT_EQ(moved.location, "/page/2");
  const Reply file = client.get("F.test", "/file/0.bin");
  EXPECT_EQ(file.content_type, "application/octet-stream");
  EXPECT_EQ(file.body.size(), 4096u);
  const Reply robots = client.get("f.test", "/robots.txt");
  EXPECT_EQ(robots.content_type, "text/plain; charset=utf-8");
  EXPECT_TRUE(robots.body.starts_with("# robots.txt of f.test"));
  EXPECT_EQ(client.get("f.test", "/nowhere").status, 404u);
  EXPECT_EQ(client.get("f.test", "/page/1?a=1&b=2").body,
            make_body(server.sites(), server.sites().sites[0], "/page/1?a=1&b=2"));

  const auto counts = server.request_counts();
  std::vector<std::string> seen;
  for (const auto& count : counts)
    seen.push_back(count.host + " " + count.target + " " + std::to_string(count.requests));
  EXPECT_EQ(seen, (std::vector<std::string>{"f.test /file/0.bin 1", "f.test /moved/2 1", "f.test /nowhere 1",
                                            "f.test /page/1 2", "f.test /page/1?a=1&b=2 1", "f.test /robots.txt 1"}));

  const auto line = nlohmann::json::parse(paths_line(server));
  ASSERT_EQ(line.at("paths").size(), 6u);
  EXPECT_EQ(line.at("paths")[3], (nlohmann::json{{"host", "f.test"}, {"target", "/page/1"}, {"requests", 2}}));

  std::istringstream commands("paths\nreset\npaths\nquit\n");
  std::ostringstream answers;
  run_control_loop(server, commands, answers);
  std::istringstream lines(answers.str());
  std::string ready, before, reset, after;
  std::getline(lines, ready);
  std::getline(lines, before);
  std::getline(lines, reset);
  std::getline(lines, after);
  EXPECT_EQ(nlohmann::json::parse(before).at("paths").size(), 6u);
  EXPECT_EQ(after, "{\"paths\":[]}");
  EXPECT_TRUE(server.request_counts().empty());
  server.stop();
}

// Escapes of unreserved characters in the path are decoded before the path is mapped, as web
// servers do: "/%70age/1" is the page "/page/1" and counts as it. Other escapes and the query stay.
TEST(GraphServer, DecodesUnreservedEscapesInThePath) {
  Server server(parse_sites(feature_sites, "t"));
  server.start();
  PlainClient client(server.http_port());
  const Reply plain = client.get("f.test", "/page/1");
  const Reply escaped = client.get("f.test", "/%70age/%31");
  EXPECT_EQ(escaped.status, 200u);
  EXPECT_EQ(escaped.body, plain.body);
  EXPECT_EQ(client.get("f.test", "/page%2F1").status, 404u);  // "/" is reserved: a different path
  EXPECT_EQ(client.get("f.test", "/page/1?q=%70").status, 200u);
  std::vector<std::string> seen;
  for (const auto& count : server.request_counts()) seen.push_back(count.target + " " + std::to_string(count.requests));
  EXPECT_EQ(seen, (std::vector<std::string>{"/page%2F1 1", "/page/1 2", "/page/1?q=%70 1"}));
  server.stop();
}

}  // namespace
}  // namespace fetcher::origin
