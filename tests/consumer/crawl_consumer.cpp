// crawl_consumer.cpp: the crawl layer on the installed package. Checks robots.txt rules and link
// extraction on fixed inputs, writes a WARC file and reads it back, crawls a site graph with
// Crawler, and makes SharedCrawler (hiredis) report a Redis that refuses the connection. Includes
// every public header of the layer, so that each one compiles against the installed tree alone.
// Prints what it found; exits 0 when every check holds.
//   crawl_consumer CONNECT_TO CA_FILE SEED MAX_PAGES WARC_PATH
#include <fetcher/crawl/crawler.hpp>
#include <fetcher/crawl/links.hpp>
#include <fetcher/crawl/robots.hpp>
#include <fetcher/crawl/shared_crawler.hpp>
#include <fetcher/crawl/url_hash.hpp>
#include <fetcher/crawl/warc.hpp>

#include <fstream>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool holds, const std::string& what) {
  std::cout << (holds ? "ok   " : "FAIL ") << what << "\n";
  if (!holds) ++failures;
}

void check_robots() {
  const auto rules = fetcher::crawl::RobotsRules::parse(
      "User-agent: *\nDisallow: /\n\n"
      "User-agent: fetcher\nDisallow: /private/\nAllow: /private/open$\nCrawl-delay: 0.5\n",
      fetcher::crawl::product_token("fetcher/0.1 (+https://example.org)"));
  check(rules.source() == fetcher::crawl::RobotsRules::Source::parsed, "robots: parsed");
  check(rules.allowed("/docs/index.html"), "robots: /docs/index.html allowed (fetcher's group, not *)");
  check(!rules.allowed("/private/notes"), "robots: /private/notes disallowed");
  check(rules.allowed("/private/open"), "robots: /private/open allowed (longer Allow)");
  check(!rules.allowed("/private/open/more"), "robots: /private/open/more disallowed ($ ends the pattern)");
  check(rules.crawl_delay() == std::chrono::milliseconds(500), "robots: crawl-delay 500 ms");
}

void check_links() {
  const auto page = fetcher::crawl::extract_links(
      "<!doctype html><html><head><base href=\"https://example.org/docs/\"></head><body>"
      "<a href=\"intro.html\">intro</a><!-- <a href=\"commented.html\">no</a> -->"
      "<a rel=\"external NoFollow\" href=\"ads.html\">ad</a>"
      "<script>document.write('<a href=\"script.html\">no</a>')</script>"
      "<a href=\"search?q=a&amp;page=2\">search</a><a>no href</a>"
      "<map name=\"m\"><area href=\"/map.html\"></map></body></html>");
  const std::vector<std::string> expected = {"intro.html", "search?q=a&page=2", "/map.html"};
  check(page.hrefs == expected, "links: hrefs in document order, comment/script/nofollow left out, entity decoded");
  check(page.base_href == "https://example.org/docs/", "links: base href");
  check(!page.nofollow, "links: no meta nofollow");
  check(
      fetcher::crawl::extract_links("<meta name=\"ROBOTS\" content=\"noindex, nofollow\"><a href=\"x\">x</a>").nofollow,
      "links: meta robots nofollow");
}

void check_warc(const std::string& path) {
  {
    fetcher::crawl::WarcWriter writer(path, "crawl_consumer/1.0", {{"robots", "obey"}});
    fetcher::crawl::WarcExchange exchange;
    exchange.target_uri = "http://site.example/";
    exchange.date = std::chrono::system_clock::now();
    exchange.request_head = "GET / HTTP/1.1\r\nHost: site.example\r\n\r\n";
    exchange.status = 200;
    exchange.response_fields = {{"Content-Type", "text/html"}};
    exchange.payload = "<p>hello</p>";
    writer.write(exchange);
    check(writer.records() == 3, "warc: warcinfo, request and response written");
  }
  std::ifstream in(path, std::ios::binary);
  const auto records = fetcher::crawl::read_warc(in);
  check(records.size() == 3 && records[2].field("WARC-Type") == "response" &&
            records[2].field("WARC-Target-URI") == "http://site.example/" &&
            records[2].field("WARC-Payload-Digest") == fetcher::crawl::warc_digest("<p>hello</p>"),
        "warc: the response record read back, with its payload digest");
}

void check_crawl(const char* connect_to, const char* ca_file, const char* seed, std::uint64_t max_pages) {
  fetcher::FetchOptions options;
  options.connect_to.push_back(fetcher::ConnectTo::parse(connect_to));
  options.ca_file = ca_file;
  fetcher::Client client(options);
  fetcher::crawl::CrawlOptions crawl;
  crawl.seeds = {seed};
  crawl.max_pages = max_pages;
  std::set<std::string> urls;
  std::uint64_t html_pages = 0, linked_pages = 0;
  fetcher::crawl::Crawler crawler(client, crawl, [&](const fetcher::crawl::CrawlPage& page) {
    std::cout << page.result->status << " " << page.depth << " " << page.url << "\n";
    urls.insert(page.url);
    if (page.result->status == 200 && fetcher::crawl::is_html(page.result->headers.content_type())) ++html_pages;
    if (page.depth > 0) ++linked_pages;
  });
  const auto stats = crawler.run();
  check(stats.pages == max_pages, "crawl: " + std::to_string(stats.pages) + " pages");
  check(html_pages == max_pages, "crawl: every page 200 text/html");
  check(urls.size() == max_pages, "crawl: each URL fetched once");
  check(linked_pages > 0, "crawl: pages found through links");
  check(stats.robots_fetches == 1, "crawl: robots.txt fetched once");
}

void check_shared_crawler() {
  fetcher::crawl::CrawlOptions crawl;
  crawl.seeds = {"http://site.example/"};
  fetcher::crawl::SharedCrawlOptions shared;
  shared.redis_url = "redis://127.0.0.1:1";  // nothing listens on port 1
  shared.crawl_id = "consumer";
  std::string error;
  try {
    fetcher::crawl::SharedCrawler crawler({}, crawl, shared,
                                          [](const fetcher::crawl::CrawlPage& page) { return page.url; });
  } catch (const std::runtime_error& refused) {
    error = refused.what();
  }
  std::cout << "shared crawler: " << error << "\n";
  check(error.find("127.0.0.1:1") != std::string::npos, "shared crawler: the refusing Redis is reported");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: crawl_consumer CONNECT_TO CA_FILE SEED MAX_PAGES WARC_PATH\n";
    return 2;
  }
  check_robots();
  check_links();
  check_warc(argv[5]);
  check(fetcher::crawl::url_hash("http://site.example/a") != fetcher::crawl::url_hash("http://site.example/b"),
        "url_hash: two URLs, two hashes");
  check_crawl(argv[1], argv[2], argv[3], std::stoull(argv[4]));
  check_shared_crawler();
  return failures == 0 ? 0 : 1;
}
