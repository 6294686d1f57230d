// origin_sites_test.cpp: the sites file and the deterministic model shared by the emulated
// origin and the ideal-time computation.
#include <fetcher/origin/sites.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

namespace fetcher::origin {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr std::string_view good_file = R"(
seed = 2024

[[site]]
host = "cs.mipt.ru"
latency_ms = 66
jitter_ms = 5
body_bytes = 25000
capacity = 1

[[site]]
host = "WWW.Python.org"
latency_ms = 120
body_bytes = 50000
redirect = "https://www.python.org/"
redirect_status = 308
)";

// The message of the std::runtime_error that parsing `text` throws, or "" if none.
std::string parse_error(std::string_view text) {
  try {
    parse_sites(text, "sites.toml");
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

TEST(SitesParse, ReadsEveryField) {
  const SiteSet set = parse_sites(good_file, "sites.toml");
  EXPECT_EQ(set.seed, 2024u);
  ASSERT_EQ(set.sites.size(), 2u);

  const Site& mipt = set.sites[0];
  EXPECT_EQ(mipt.host, "cs.mipt.ru");
  EXPECT_EQ(mipt.latency, milliseconds(66));
  EXPECT_EQ(mipt.jitter, milliseconds(5));
  EXPECT_EQ(mipt.body_bytes, 25000u);
  EXPECT_EQ(mipt.capacity, 1u);
  EXPECT_TRUE(mipt.redirect.empty());
  EXPECT_EQ(mipt.redirect_status, 301u);

  const Site& python = set.sites[1];
  EXPECT_EQ(python.host, "www.python.org");  // host names are stored in lower case
  EXPECT_EQ(python.jitter, milliseconds(0));
  EXPECT_EQ(python.capacity, 0u);
  EXPECT_EQ(python.redirect, "https://www.python.org/");
  EXPECT_EQ(python.redirect_status, 308u);
}

TEST(SitesParse, SeedDefaultsToOne) {
  const SiteSet set = parse_sites("[[site]]\nhost = \"a.example\"\n", "sites.toml");
  EXPECT_EQ(set.seed, 1u);
  EXPECT_EQ(set.sites.at(0).latency, milliseconds(0));
}

TEST(SitesParse, ReportsNameLineAndReason) {
  EXPECT_EQ(parse_error("[[site]]\nlatency_ms = 5\n"), "sites.toml:1: [[site]] without host");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nlatency_ms = \"slow\"\n"),
            "sites.toml:3: latency_ms must be an integer");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nbody_bytes = -1\n"), "sites.toml:3: body_bytes must not be negative");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\ncapacity = 1.5\n"), "sites.toml:3: capacity must be an integer");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nlatncy_ms = 5\n"),
            "sites.toml:3: unknown key 'latncy_ms' in [[site]]");
  EXPECT_EQ(parse_error("colour = 1\n[[site]]\nhost = \"a\"\n"),
            "sites.toml:1: unknown key 'colour' (expected seed or [[site]])");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\n\n[[site]]\nhost = \"A\"\n"), "sites.toml:5: duplicate host 'a'");
  EXPECT_EQ(parse_error("[[site]]\nhost = 5\n"), "sites.toml:2: host must be a string");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"\"\n"), "sites.toml:2: host must not be empty");
  EXPECT_EQ(parse_error("seed = -3\n[[site]]\nhost = \"a\"\n"), "sites.toml:1: seed must not be negative");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nredirect_status = 200\n"),
            "sites.toml:3: redirect_status must be 301, 302, 303, 307 or 308");
  EXPECT_EQ(parse_error(""), "sites.toml: no [[site]] tables");
}

TEST(SitesParse, RejectsRedirectsThatAreNotAbsoluteHttpUrls) {
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nredirect = \"/elsewhere\"\n"),
            "sites.toml:3: redirect '/elsewhere' is not an absolute URL");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nredirect = \"ftp://a/\"\n"),
            "sites.toml:3: redirect 'ftp://a/' is not an http or https URL");
  EXPECT_EQ(parse_error("[[site]]\nhost = \"a\"\nredirect = \"https:///x\"\n"),
            "sites.toml:3: redirect 'https:///x' has no host");
}

TEST(SitesParse, TomlSyntaxErrorsCarryTheLine) {
  const std::string message = parse_error("[[site]]\nhost = \"a\"\nlatency_ms = = 3\n");
  EXPECT_EQ(message.rfind("sites.toml:3: ", 0), 0u) << message;
}

TEST(SitesLoad, UnreadableFileSaysSo) {
  try {
    load_sites("/nonexistent/sites.toml");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "/nonexistent/sites.toml: cannot read: No such file or directory");
  }
}

TEST(SiteSetFind, IgnoresCase) {
  const SiteSet set = parse_sites(good_file, "sites.toml");
  ASSERT_NE(set.find("www.python.org"), nullptr);
  EXPECT_EQ(set.find("WWW.PYTHON.ORG"), &set.sites[1]);
  EXPECT_EQ(set.find("CS.mipt.RU"), &set.sites[0]);
  EXPECT_EQ(set.find("python.org"), nullptr);
  EXPECT_EQ(set.find(""), nullptr);
}

TEST(RequestLatency, WithoutJitterIsTheLatency) {
  const SiteSet set = parse_sites(good_file, "sites.toml");
  EXPECT_EQ(request_latency(set, set.sites[1], "/", 0), milliseconds(120));
  EXPECT_EQ(request_latency(set, set.sites[1], "/about", 7), milliseconds(120));
}

TEST(RequestLatency, JitterIsDeterministicAndInRange) {
  const SiteSet set = parse_sites(good_file, "sites.toml");
  const Site& site = set.sites[0];
  std::set<microseconds::rep> distinct;
  for (std::uint64_t repeat = 0; repeat < 200; ++repeat) {
    const auto latency = request_latency(set, site, "/", repeat);
    EXPECT_EQ(latency, request_latency(set, site, "/", repeat));
    EXPECT_GE(latency, microseconds(61'000));
    EXPECT_LE(latency, microseconds(71'000));
    distinct.insert(latency.count());
  }
  EXPECT_GT(distinct.size(), 150u);  // microsecond resolution, not a handful of values

  // Keyed by path and seed too.
  EXPECT_NE(request_latency(set, site, "/a", 0), request_latency(set, site, "/b", 0));
  SiteSet reseeded = set;
  reseeded.seed = 7;
  EXPECT_NE(request_latency(set, site, "/", 0), request_latency(reseeded, reseeded.sites[0], "/", 0));
  // An empty path is the root, as on the wire.
  EXPECT_EQ(request_latency(set, site, "", 3), request_latency(set, site, "/", 3));
}

TEST(RequestLatency, ClampsAtZero) {
  SiteSet set;
  Site site;
  site.host = "fast.example";
  site.latency = milliseconds(1);
  site.jitter = milliseconds(50);
  set.sites.push_back(site);
  bool saw_zero = false;
  for (std::uint64_t repeat = 0; repeat < 100; ++repeat) {
    const auto latency = request_latency(set, set.sites[0], "/", repeat);
    EXPECT_GE(latency, microseconds(0));
    EXPECT_LE(latency, microseconds(51'000));
    saw_zero = saw_zero || latency == microseconds(0);
  }
  EXPECT_TRUE(saw_zero);
}

TEST(IsRedirected, PythonOrgGoesToHttpsRoot) {
  const SiteSet set = parse_sites(good_file, "sites.toml");
  const Site& python = *set.find("www.python.org");
  EXPECT_TRUE(is_redirected(python, "http", ""));
  EXPECT_TRUE(is_redirected(python, "http", "/"));
  EXPECT_FALSE(is_redirected(python, "https", "/"));
  EXPECT_FALSE(is_redirected(python, "https", ""));
  EXPECT_FALSE(is_redirected(python, "HTTPS", "/"));
  EXPECT_TRUE(is_redirected(python, "https", "/about/"));
  EXPECT_FALSE(is_redirected(set.sites[0], "http", "/"));  // no redirect configured
}

TEST(MakeBody, HasExactSizeAndIsDeterministic) {
  const SiteSet set = parse_sites(good_file, "sites.toml");
  const Site& mipt = set.sites[0];
  const std::string body = make_body(mipt, "/");
  EXPECT_EQ(body.size(), 25000u);
  EXPECT_EQ(body, make_body(mipt, "/"));
  EXPECT_EQ(body.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(body.find("</html>"), std::string::npos);
  EXPECT_NE(body, make_body(mipt, "/other"));
  EXPECT_NE(make_body(set.sites[1], "/").substr(0, 25000), make_body(set.sites[1], "/x").substr(0, 25000));
}

TEST(MakeBody, AnySize) {
  Site site;
  site.host = "tiny.example";
  for (const std::uint64_t size : {0u, 1u, 10u, 79u, 80u, 81u, 100u, 4096u, 1000000u}) {
    site.body_bytes = size;
    EXPECT_EQ(make_body(site, "/").size(), size);
  }
}

TEST(SiteGraph, PagesLinkToSeededPagesOfTheSite) {
  const auto sites = parse_sites("[[site]]\nhost = \"graph.test\"\nbody_bytes = 2000\nlinks = 5\npages = 7\n", "t");
  const Site& site = sites.sites.at(0);
  EXPECT_EQ(site.links, 5u);
  EXPECT_EQ(site.pages, 7u);
  const auto links = page_links(site, "/page/3");
  ASSERT_EQ(links.size(), 5u);
  EXPECT_EQ(links, page_links(site, "/page/3"));  // seeded: the same every time
  EXPECT_NE(links, page_links(site, "/page/4"));
  const auto body = make_body(site, "/page/3");
  EXPECT_EQ(body.size(), 2000u);
  std::size_t from = 0;
  for (const auto& link : links) {
    EXPECT_TRUE(link.starts_with("/page/")) << link;
    EXPECT_LT(std::stoul(link.substr(6)), 7u) << link;
    const auto anchor = body.find("<a href=\"" + link + "\">", from);  // in the listed order
    ASSERT_NE(anchor, std::string::npos) << link;
    from = anchor + 1;
  }
}

TEST(SiteGraph, APageIsLongEnoughForItsLinks) {
  Site site;
  site.host = "graph.test";
  site.body_bytes = 10;
  site.links = 20;
  const auto body = make_body(site, "/");
  EXPECT_GT(body.size(), 20u * 20u);
  EXPECT_TRUE(body.ends_with("</body></html>\n"));
  EXPECT_EQ(body, make_body(site, "/"));
}

TEST(SiteGraph, LinksAndPagesAreChecked) {
  EXPECT_THROW(parse_sites("[[site]]\nhost = \"g.test\"\npages = 0\n", "t"), std::runtime_error);
  EXPECT_THROW(parse_sites("[[site]]\nhost = \"g.test\"\nlinks = 1001\n", "t"), std::runtime_error);
  EXPECT_TRUE(page_links(parse_sites("[[site]]\nhost = \"g.test\"\n", "t").sites.at(0), "/").empty());
}

TEST(ShippedSites, ParseAndHostEveryCourseUrl) {
  const std::string urls_directory = std::string(FETCHER_SOURCE_DIR) + "/urls";
  const SiteSet sites = load_sites(urls_directory + "/sites.toml");
  ASSERT_NE(sites.find("cs.mipt.ru"), nullptr);
  EXPECT_EQ(sites.find("cs.mipt.ru")->capacity, 1u);
  EXPECT_TRUE(is_redirected(*sites.find("www.python.org"), "http", "/"));

  int urls_checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(urls_directory)) {
    if (entry.path().extension() != ".txt") continue;
    std::ifstream list(entry.path());
    std::string line;
    while (std::getline(list, line)) {
      if (line.empty() || line.front() == '#') continue;
      const auto host_start = line.find("://") + 3;
      const auto host = line.substr(host_start, line.find_first_of("/:", host_start) - host_start);
      EXPECT_NE(sites.find(host), nullptr) << entry.path() << ": " << line;
      ++urls_checked;
    }
  }
  EXPECT_GT(urls_checked, 90);
}

}  // namespace
}  // namespace fetcher::origin
