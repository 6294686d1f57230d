// Unit tests for URLs as a crawler meets them: hrefs read as browsers read them (resolve_url),
// queries and path escapes kept byte-exact on the way to the request target (split_url), the
// canonical form for de-duplication (canonical_url), and the port range in every entry point.
#include <fetcher/fetch_options.hpp>
#include <fetcher/url.hpp>
#include <fetcher/url_list.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace fetcher {
namespace {

struct UrlCase {
  std::string input;  // std::string: some cases hold control bytes
  std::string expected;
};

std::ostream& operator<<(std::ostream& out, const UrlCase& c) { return out << "'" << c.input << "'"; }

// ---------------------------------------------------------------------------------------------
// resolve_url: hrefs as browsers read them

constexpr const char* page = "http://a.example/dir/page?old";

class BrowserHref : public ::testing::TestWithParam<UrlCase> {};

TEST_P(BrowserHref, Resolves) {
  const auto resolved = resolve_url(page, GetParam().input);
  EXPECT_EQ(resolved.error, "");
  EXPECT_EQ(resolved.url, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(WhitespaceAndControls, BrowserHref,
                         ::testing::Values(UrlCase{"  /x  ", "http://a.example/x"},
                                           UrlCase{"\t\n/x\r\n", "http://a.example/x"},
                                           UrlCase{"\x01\x1f /x\x7f", "http://a.example/x%7F"},
                                           UrlCase{std::string("\0/x\0", 4), "http://a.example/x"},
                                           UrlCase{"/a\tb\r\nc", "http://a.example/abc"},
                                           UrlCase{"ht\ttp://b.exa\nmple/p", "http://b.example/p"},
                                           UrlCase{"/a\x01z", "http://a.example/a%01z"}));

INSTANTIATE_TEST_SUITE_P(PercentEncodedNotRejected, BrowserHref,
                         ::testing::Values(UrlCase{"/a b", "http://a.example/a%20b"},
                                           UrlCase{"/a b?q=c d", "http://a.example/a%20b?q=c%20d"},
                                           UrlCase{"my page.html", "http://a.example/dir/my%20page.html"},
                                           UrlCase{"/p?q=\"<>`{}|^", "http://a.example/p?q=%22%3C%3E%60%7B%7D%7C%5E"},
                                           UrlCase{"/[x]", "http://a.example/%5Bx%5D"},
                                           UrlCase{"/caf\xc3\xa9?q=\xc3\xa9", "http://a.example/caf%C3%A9?q=%C3%A9"},
                                           UrlCase{"/100%", "http://a.example/100%25"},
                                           UrlCase{"/%zz", "http://a.example/%25zz"},
                                           UrlCase{"/a%20b%2", "http://a.example/a%20b%252"},
                                           UrlCase{"a b:c", "http://a.example/dir/a%20b:c"},
                                           UrlCase{"x#a fragment with spaces", "http://a.example/dir/x"}));

INSTANTIATE_TEST_SUITE_P(
    BackslashesAndSlashes, BrowserHref,
    ::testing::Values(UrlCase{"\\x\\y", "http://a.example/x/y"}, UrlCase{"sub\\x", "http://a.example/dir/sub/x"},
                      UrlCase{"\\\\b.example\\p", "http://b.example/p"},
                      UrlCase{"http:\\\\b.example\\p", "http://b.example/p"},
                      UrlCase{"/p?a\\b", "http://a.example/p?a%5Cb"},  // in the query, not a slash
                      UrlCase{"http:///b.example/p", "http://b.example/p"},
                      UrlCase{"////b.example/p", "http://b.example/p"}, UrlCase{"http:g", "http://a.example/dir/g"},
                      UrlCase{"http:/g", "http://a.example/g"}, UrlCase{"http:", "http://a.example/dir/page?old"},
                      UrlCase{"https:b.example/x", "https://b.example/x"}));

INSTANTIATE_TEST_SUITE_P(SchemeHostAndPort, BrowserHref,
                         ::testing::Values(UrlCase{"HTTP://B.Example:80/X", "http://b.example/X"},
                                           UrlCase{"https://b.example:443", "https://b.example"},
                                           UrlCase{"https://b.example:443/x", "https://b.example/x"},
                                           UrlCase{"https://b.example:80/x", "https://b.example:80/x"},
                                           UrlCase{"http://b.example:0080/", "http://b.example/"},
                                           UrlCase{"http://b.example:08080/", "http://b.example:8080/"},
                                           UrlCase{"http://b.example:/x", "http://b.example/x"},
                                           UrlCase{"http://[2001:DB8::1]:80/", "http://[2001:db8::1]/"},
                                           UrlCase{"//B.example:8080", "http://b.example:8080"}));

TEST(ResolveUrl, KeepsRejectingWhatBrowsersReject) {
  EXPECT_EQ(resolve_url(page, "http://exa mple.org/").error, "Location is not a URL: http://exa mple.org/");
  EXPECT_EQ(resolve_url(page, "http://").error, "redirect to no host in URL: http://");
  EXPECT_EQ(resolve_url(page, "https:").error, "redirect to no host in URL: https://");
  EXPECT_EQ(resolve_url(page, "http://[bad").error, "Location is not a URL: http://[bad");
  EXPECT_EQ(resolve_url(page, "http://h:8o/").error, "redirect to bad port in URL: http://h:8o/");
  EXPECT_EQ(resolve_url(page, "javascript:alert(1)").error,
            "redirect to unsupported scheme 'javascript' (only http and https)");
  EXPECT_EQ(resolve_url(page, "mailto:a@b.example").error,
            "redirect to unsupported scheme 'mailto' (only http and https)");
  EXPECT_EQ(resolve_url(page, "ftp://b.example/").error, "redirect to unsupported scheme 'ftp' (only http and https)");
  EXPECT_EQ(resolve_url(page, "http://b\xc3\xbc.example/").url, "");  // an IDN host must come as xn--
}

// Every URL resolve_url gives resolves to itself, from itself and from any page: a redirect loop
// sees one spelling per URL.
TEST(ResolveUrl, ResultsAreFixedPoints) {
  for (const char* href : {"/a b?q=c d", "\\\\b.example\\p", "http://b.example:0080/x", "/p?q=\"<>", "/%zz",
                           "https:b.example/x", "/x/../%2e%2E/y?%2F", "a b:c"}) {
    const auto url = resolve_url(page, href).url;
    ASSERT_NE(url, "") << href;
    EXPECT_EQ(resolve_url(url, url).url, url) << href;
    EXPECT_EQ(resolve_url("https://other.example/z", url).url, url) << href;
  }
}

// ---------------------------------------------------------------------------------------------
// Byte-exact queries and path escapes

TEST(ResolveUrl, RedirectQueryIsByteExact) {
  EXPECT_EQ(resolve_url("http://a.example/start", "/next?b=%2F").url, "http://a.example/next?b=%2F");
  EXPECT_EQ(resolve_url("http://a.example/start", "/next?a=1&b=%2f").url, "http://a.example/next?a=1&b=%2f");
  EXPECT_EQ(resolve_url("http://a.example/start", "?x=%41%7e%2F&&=").url, "http://a.example/start?x=%41%7e%2F&&=");
  EXPECT_EQ(resolve_url("http://a.example/start", "http://B.example/n?b=%2F#f").url, "http://b.example/n?b=%2F");
  EXPECT_EQ(resolve_url("http://a.example/p?b=%2F", "").url, "http://a.example/p?b=%2F");
  EXPECT_EQ(resolve_url("http://a.example/p?b=%2F", "#top").url, "http://a.example/p?b=%2F");
  EXPECT_EQ(resolve_url("http://a.example/p", "?").url, "http://a.example/p?");
}

TEST(ResolveUrl, PathEscapesStayAsWrittenButDotSegmentsGo) {
  EXPECT_EQ(resolve_url("http://a.example/", "/%7Euser/%41b%2fc").url, "http://a.example/%7Euser/%41b%2fc");
  EXPECT_EQ(resolve_url("http://a.example/d/", "../x/./y/../%7e?q=%2e").url, "http://a.example/x/%7e?q=%2e");
  EXPECT_EQ(resolve_url("http://a.example/d/e", "HTTP://A.example:80/../Pa%41th").url, "http://a.example/Pa%41th");
}

TEST(SplitUrl, TargetIsByteExact) {
  UrlParts parts;
  std::string error;
  ASSERT_TRUE(split_url("http://a.example/p%2f%41/%7e?b=%2F&c=%2f&d=%41#frag", parts, error)) << error;
  EXPECT_EQ(parts.target, "/p%2f%41/%7e?b=%2F&c=%2f&d=%41");
  const auto next = resolve_url("http://a.example/start", "/next?b=%2F");
  ASSERT_TRUE(split_url(next.url, parts, error)) << error;
  EXPECT_EQ(parts.target, "/next?b=%2F");
}

// ---------------------------------------------------------------------------------------------
// canonical_url

class CanonicalUrl : public ::testing::TestWithParam<UrlCase> {};

TEST_P(CanonicalUrl, Canonicalizes) {
  const auto canonical = canonical_url(GetParam().input);
  EXPECT_EQ(canonical.error, "");
  EXPECT_EQ(canonical.url, GetParam().expected);
  EXPECT_EQ(canonical_url(canonical.url).url, canonical.url) << "canonical forms are fixed points";
}

INSTANTIATE_TEST_SUITE_P(
    Table, CanonicalUrl,
    ::testing::Values(UrlCase{"HTTP://Example.COM/a", "http://example.com/a"},
                      UrlCase{"http://example.com", "http://example.com/"},
                      UrlCase{"http://example.com?q", "http://example.com/?q"},
                      UrlCase{"http://example.com:80/", "http://example.com/"},
                      UrlCase{"https://example.com:443/x", "https://example.com/x"},
                      UrlCase{"https://example.com:80/x", "https://example.com:80/x"},
                      UrlCase{"http://example.com:8080/x", "http://example.com:8080/x"},
                      UrlCase{"http://example.com:0080/x", "http://example.com/x"},
                      UrlCase{"http://example.com:/x", "http://example.com/x"},
                      UrlCase{"http://example.com/a#frag", "http://example.com/a"},
                      UrlCase{"http://example.com/a/./b/../c", "http://example.com/a/c"},
                      UrlCase{"http://example.com/../a", "http://example.com/a"},
                      UrlCase{"http://example.com/a/b/..", "http://example.com/a/"},
                      UrlCase{"http://example.com/%7Euser", "http://example.com/~user"},
                      UrlCase{"http://example.com/%7euser", "http://example.com/~user"},
                      UrlCase{"http://example.com/%41%62%63-%5F%2E%30", "http://example.com/Abc-_.0"},
                      UrlCase{"http://example.com/a%2fb", "http://example.com/a%2Fb"},
                      UrlCase{"http://example.com/a%2Fb", "http://example.com/a%2Fb"},
                      UrlCase{"http://example.com/%e2%82%ac%20", "http://example.com/%E2%82%AC%20"},
                      UrlCase{"http://example.com/%2E%2E/a/%2e/b", "http://example.com/a/b"},
                      UrlCase{"http://example.com/p?b=%2F", "http://example.com/p?b=%2F"},
                      UrlCase{"http://example.com/p?b=%2f&a=%41&c=%7e", "http://example.com/p?b=%2f&a=%41&c=%7e"},
                      UrlCase{"http://example.com/p?", "http://example.com/p?"},
                      UrlCase{"http://[2001:DB8::1]:80/", "http://[2001:db8::1]/"},
                      UrlCase{"http://User@Example.com/", "http://User@example.com/"},
                      UrlCase{"http://example.com/a//b", "http://example.com/a//b"}));

TEST(CanonicalUrl, SpellingsOfOneResourceAgree) {
  const auto one = canonical_url("http://example.com/~a/b?x=%2F").url;
  EXPECT_EQ(canonical_url("HTTP://EXAMPLE.com:80/%7ea/./c/../b?x=%2F#top").url, one);
  EXPECT_EQ(canonical_url("http://example.com/%7Ea/b?x=%2F").url, one);
  EXPECT_NE(canonical_url("http://example.com/~a/b?x=/").url, one);  // the query is byte-exact
  EXPECT_NE(canonical_url("http://example.com/~a/b?x=%2f").url, one);
  EXPECT_NE(canonical_url("https://example.com/~a/b?x=%2F").url, one);
}

TEST(CanonicalUrl, RejectsWhatCheckUrlRejects) {
  for (const char* bad : {"ftp://x/", "http://", "not a url", "http://h:0/", "http://h:99999/", "/relative"}) {
    const auto canonical = canonical_url(bad);
    EXPECT_EQ(canonical.url, "") << bad;
    EXPECT_EQ(canonical.error, check_url(bad)) << bad;
    EXPECT_FALSE(canonical) << bad;
  }
}

TEST(CanonicalUrl, OfAnHrefOnAPage) {
  const auto canonical = canonical_url("http://A.example/dir/page", " ../%7Ex y?q=%2f#frag\n");
  EXPECT_TRUE(canonical) << canonical.error;
  EXPECT_EQ(canonical.url, "http://a.example/~x%20y?q=%2f");
  EXPECT_EQ(canonical_url("http://a.example/", "mailto:x@y.example").error,
            "redirect to unsupported scheme 'mailto' (only http and https)");
}

// ---------------------------------------------------------------------------------------------
// Ports: 1..65535 everywhere; Boost.URL alone wraps 99999 to 34463.

TEST(Ports, CheckUrl) {
  EXPECT_EQ(check_url("http://127.0.0.1:65535/"), "");
  EXPECT_EQ(check_url("http://127.0.0.1:1/"), "");
  for (const char* port : {"0", "00", "65536", "99999", "100000", "4294967376", "99999999999999999999"}) {
    const std::string url = "http://127.0.0.1:" + std::string(port) + "/";
    EXPECT_EQ(check_url(url), "bad port in URL: " + url) << port;
  }
}

TEST(Ports, SplitUrl) {
  UrlParts parts;
  std::string error;
  ASSERT_TRUE(split_url("http://127.0.0.1:65535/", parts, error)) << error;
  EXPECT_EQ(parts.port, 65535);
  EXPECT_EQ(parts.host_header, "127.0.0.1:65535");
  ASSERT_TRUE(split_url("http://h.example:0080/", parts, error)) << error;
  EXPECT_EQ(parts.port, 80);
  EXPECT_EQ(parts.host_header, "h.example");
  for (const char* url : {"http://127.0.0.1:0/", "http://127.0.0.1:65536/", "http://127.0.0.1:99999/"}) {
    EXPECT_FALSE(split_url(url, parts, error)) << url << " gave port " << parts.port;
    EXPECT_EQ(error, std::string("bad port in URL: ") + url);
  }
}

TEST(Ports, ResolveUrl) {
  EXPECT_EQ(resolve_url(page, "http://127.0.0.1:65535/x").url, "http://127.0.0.1:65535/x");
  for (const char* url : {"http://127.0.0.1:0/", "http://127.0.0.1:65536/", "http://127.0.0.1:99999/"}) {
    const auto resolved = resolve_url(page, url);
    EXPECT_EQ(resolved.url, "") << url;
    EXPECT_EQ(resolved.error, std::string("redirect to bad port in URL: ") + url);
  }
  EXPECT_EQ(resolve_url(page, "//127.0.0.1:99999").error, "redirect to bad port in URL: http://127.0.0.1:99999");
  EXPECT_EQ(resolve_url("http://127.0.0.1:99999/", "x").error, "redirect to bad port in URL: http://127.0.0.1:99999/x");
}

// --connect-to's ports are range-checked already; a proxy's port is read as URLs' ports are.
TEST(Ports, ConnectToAndProxy) {
  EXPECT_EQ(ConnectTo::parse("a.example:65535:127.0.0.1:65535").target_port, 65535);
  EXPECT_THROW(ConnectTo::parse("a.example:99999:127.0.0.1:80"), std::invalid_argument);
  EXPECT_THROW(ConnectTo::parse("a.example:80:127.0.0.1:65536"), std::invalid_argument);
  FetchOptions options;
  options.http_proxy = "http://127.0.0.1:65535";
  EXPECT_EQ(options.proxy_for(false, "a.example")->port, 65535);
  for (const char* proxy : {"http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:99999"}) {
    options.http_proxy = proxy;
    EXPECT_THROW(options.check_proxies(), std::invalid_argument) << proxy;
  }
}

}  // namespace
}  // namespace fetcher
