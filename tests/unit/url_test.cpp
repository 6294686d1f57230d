// Unit tests for URLs (url.hpp): references resolved by RFC 3986 and hrefs read as browsers read
// them (resolve_url), URLs split into host, port and request target (split_url), queries and path
// escapes kept byte-exact on the way to the request target, the canonical form for de-duplication
// (canonical_url), and the port range in every entry point.
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
// resolve_url (RFC 3986 section 5.4 examples, fragment dropped, normalized)

struct ResolveCase {
  const char* reference;
  const char* expected;
};

class ResolveUrlRfc : public ::testing::TestWithParam<ResolveCase> {};

TEST_P(ResolveUrlRfc, Resolves) {
  const auto& c = GetParam();
  const auto resolved = resolve_url("http://a/b/c/d;p?q", c.reference);
  EXPECT_EQ(resolved.error, "") << "reference '" << c.reference << "'";
  EXPECT_EQ(resolved.url, c.expected) << "reference '" << c.reference << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3986, ResolveUrlRfc,
    ::testing::Values(ResolveCase{"g", "http://a/b/c/g"}, ResolveCase{"./g", "http://a/b/c/g"},
                      ResolveCase{"g/", "http://a/b/c/g/"}, ResolveCase{"/g", "http://a/g"},
                      ResolveCase{"//g", "http://g"}, ResolveCase{"?y", "http://a/b/c/d;p?y"},
                      ResolveCase{"g?y", "http://a/b/c/g?y"}, ResolveCase{"#s", "http://a/b/c/d;p?q"},
                      ResolveCase{"g#s", "http://a/b/c/g"}, ResolveCase{"g?y#s", "http://a/b/c/g?y"},
                      ResolveCase{";x", "http://a/b/c/;x"}, ResolveCase{"", "http://a/b/c/d;p?q"},
                      ResolveCase{".", "http://a/b/c/"}, ResolveCase{"./", "http://a/b/c/"},
                      ResolveCase{"..", "http://a/b/"}, ResolveCase{"../", "http://a/b/"},
                      ResolveCase{"../g", "http://a/b/g"}, ResolveCase{"../..", "http://a/"},
                      ResolveCase{"../../g", "http://a/g"}, ResolveCase{"/./g", "http://a/g"},
                      ResolveCase{"g/./h/../i", "http://a/b/c/g/i"}, ResolveCase{"g;x=1/../y", "http://a/b/c/y"}));

// RFC 3986 5.4.2 "abnormal" examples: ".." above the root is dropped.
TEST(ResolveUrl, DotDotAboveTheRootIsRemoved) {
  const char* base = "http://a/b/c/d;p?q";
  EXPECT_EQ(resolve_url(base, "../../../g").url, "http://a/g");
  EXPECT_EQ(resolve_url(base, "../../../../g").url, "http://a/g");
  EXPECT_EQ(resolve_url(base, "/../g").url, "http://a/g");
  EXPECT_EQ(resolve_url("http://a/", "..").url, "http://a/");
}

TEST(ResolveUrl, AbsoluteUrlReplacesTheBase) {
  const auto resolved = resolve_url("http://a.example/x/y", "https://b.example:8443/p?q=1#frag");
  EXPECT_EQ(resolved.error, "");
  EXPECT_EQ(resolved.url, "https://b.example:8443/p?q=1");
}

TEST(ResolveUrl, SchemeRelativeKeepsTheBaseScheme) {
  EXPECT_EQ(resolve_url("https://a.example/x", "//host.example/x").url, "https://host.example/x");
  EXPECT_EQ(resolve_url("http://a.example/x", "//host.example/x").url, "http://host.example/x");
}

TEST(ResolveUrl, AbsolutePathKeepsHostAndPort) {
  const auto resolved = resolve_url("http://a.example:8080/one/two?z", "/three");
  EXPECT_EQ(resolved.error, "");
  EXPECT_EQ(resolved.url, "http://a.example:8080/three");
}

TEST(ResolveUrl, NormalizesSchemeAndHostCase) {
  const auto resolved = resolve_url("http://a.example/", "HTTP://B.EXAMPLE/Path");
  EXPECT_EQ(resolved.error, "");
  EXPECT_EQ(resolved.url, "http://b.example/Path");
}

TEST(ResolveUrl, UnsupportedSchemeIsAnError) {
  const auto resolved = resolve_url("http://a.example/", "ftp://x");
  EXPECT_EQ(resolved.url, "");
  EXPECT_EQ(resolved.error, "redirect to unsupported scheme 'ftp' (only http and https)");
}

TEST(ResolveUrl, SchemeRelativeWithoutHostIsAnError) {
  const auto resolved = resolve_url("http://a.example/", "//");
  EXPECT_EQ(resolved.url, "");
  EXPECT_EQ(resolved.error, "redirect to no host in URL: http://");
}

// A space or a stray '%' in a path is percent-encoded, as browsers do (BrowserHref below); in
// the host it is still an error.
TEST(ResolveUrl, GarbageIsAnError) {
  for (const char* garbage : {"http://[bad", "http://a b/", "http://%zz/"}) {
    const auto resolved = resolve_url("http://a.example/", garbage);
    EXPECT_EQ(resolved.url, "") << garbage;
    EXPECT_EQ(resolved.error, "Location is not a URL: " + std::string(garbage)) << garbage;
  }
  const auto control = resolve_url("http://a.example/", "http://a.example\x01/");
  EXPECT_EQ(control.url, "");
  EXPECT_EQ(control.error, "Location is not a URL: http://a.example\\x01/");
}

TEST(ResolveUrl, LongGarbageIsCutInTheMessage) {
  const std::string garbage = "http://a b" + std::string(500, 'x');
  const auto resolved = resolve_url("http://a.example/", garbage);
  EXPECT_EQ(resolved.url, "");
  EXPECT_EQ(resolved.error, "Location is not a URL: " + garbage.substr(0, 80) + "...");
}

TEST(ResolveUrl, ControlBytesInLocationAreEscaped) {
  // A server must not be able to write terminal escape sequences into our output.
  const auto resolved = resolve_url("http://a.example/", "http://\x1b[2J boom/");
  EXPECT_EQ(resolved.error, "Location is not a URL: http://\\x1b[2J boom/");
}

// Fuzz finding 3: a list URL may carry a fragment, and a redirect from it must resolve.
TEST(ResolveUrl, BaseWithAFragmentResolves) {
  const auto resolved = resolve_url("http://a.example/dir/page#top", "other");
  EXPECT_EQ(resolved.error, "");
  EXPECT_EQ(resolved.url, "http://a.example/dir/other");
}

TEST(ResolveUrl, BadBaseIsAnError) {
  const auto resolved = resolve_url("not a base", "g");
  EXPECT_EQ(resolved.url, "");
  EXPECT_EQ(resolved.error, "base URL does not parse: not a base");
}

// ---------------------------------------------------------------------------------------------
// split_url

UrlParts split_ok(std::string_view url) {
  UrlParts parts;
  std::string error = "stale";
  EXPECT_TRUE(split_url(url, parts, error)) << url << ": " << error;
  EXPECT_EQ(error, "") << url;
  return parts;
}

TEST(SplitUrl, HttpDefaultPort) {
  const auto parts = split_ok("http://example.org/a/b?c=d");
  EXPECT_FALSE(parts.tls);
  EXPECT_EQ(parts.host, "example.org");
  EXPECT_EQ(parts.port, 80);
  EXPECT_EQ(parts.host_header, "example.org");
  EXPECT_EQ(parts.target, "/a/b?c=d");
  EXPECT_FALSE(parts.host_is_address);
}

TEST(SplitUrl, FragmentIsNotPartOfTheTarget) {
  const auto parts = split_ok("http://example.org/a?b#frag");
  EXPECT_EQ(parts.host, "example.org");
  EXPECT_EQ(parts.target, "/a?b");
}

TEST(SplitUrl, HttpsDefaultPortAndEmptyPath) {
  const auto parts = split_ok("https://example.org");
  EXPECT_TRUE(parts.tls);
  EXPECT_EQ(parts.host, "example.org");
  EXPECT_EQ(parts.port, 443);
  EXPECT_EQ(parts.host_header, "example.org");
  EXPECT_EQ(parts.target, "/");
  EXPECT_FALSE(parts.host_is_address);
}

TEST(SplitUrl, EmptyPathWithQuery) {
  const auto parts = split_ok("http://example.org?x=1&y=2");
  EXPECT_EQ(parts.target, "/?x=1&y=2");
}

TEST(SplitUrl, ExplicitPort) {
  const auto parts = split_ok("http://example.org:8080/x");
  EXPECT_EQ(parts.port, 8080);
  EXPECT_EQ(parts.host_header, "example.org:8080");
  EXPECT_EQ(parts.target, "/x");
}

TEST(SplitUrl, ExplicitDefaultPortIsLeftOutOfTheHostHeader) {
  EXPECT_EQ(split_ok("http://example.org:80/").host_header, "example.org");
  EXPECT_EQ(split_ok("https://example.org:443/").host_header, "example.org");
  const auto crossed = split_ok("https://example.org:80/");
  EXPECT_EQ(crossed.port, 80);
  EXPECT_EQ(crossed.host_header, "example.org:80");
}

TEST(SplitUrl, HostIsLowerCasedButHostHeaderKeepsTheSpelling) {
  const auto parts = split_ok("HTTPS://WWW.Example.ORG:8443/Path?Q");
  EXPECT_TRUE(parts.tls);
  EXPECT_EQ(parts.host, "www.example.org");
  EXPECT_EQ(parts.port, 8443);
  EXPECT_EQ(parts.host_header, "WWW.Example.ORG:8443");
  EXPECT_EQ(parts.target, "/Path?Q");
}

TEST(SplitUrl, Ipv6Literal) {
  const auto parts = split_ok("http://[::1]:8080/x");
  EXPECT_FALSE(parts.tls);
  EXPECT_EQ(parts.host, "::1");
  EXPECT_TRUE(parts.host_is_address);
  EXPECT_EQ(parts.port, 8080);
  EXPECT_EQ(parts.host_header, "[::1]:8080");
  EXPECT_EQ(parts.target, "/x");

  const auto plain = split_ok("https://[2001:DB8::1]/");
  EXPECT_EQ(plain.host, "2001:db8::1");
  EXPECT_EQ(plain.port, 443);
  EXPECT_EQ(plain.host_header, "[2001:DB8::1]");
}

TEST(SplitUrl, Ipv4Literal) {
  const auto parts = split_ok("http://127.0.0.1:3000/p");
  EXPECT_EQ(parts.host, "127.0.0.1");
  EXPECT_TRUE(parts.host_is_address);
  EXPECT_EQ(parts.port, 3000);
  EXPECT_EQ(parts.host_header, "127.0.0.1:3000");
}

TEST(SplitUrl, RejectsWhatCheckUrlRejects) {
  for (const char* bad : {"ftp://x/", "http://", "garbage", "http://h:0/"}) {
    UrlParts parts;
    std::string error;
    EXPECT_FALSE(split_url(bad, parts, error)) << bad;
    EXPECT_EQ(error, check_url(bad)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

// Credentials in a URL are not sent (no Authorization header) and never reach the Host header.
TEST(SplitUrl, UserinfoStaysOutOfHostAndTarget) {
  UrlParts parts;
  std::string error;
  ASSERT_TRUE(split_url("http://user:secret@h.example:8080/p?q", parts, error)) << error;
  EXPECT_EQ(parts.host, "h.example");
  EXPECT_EQ(parts.host_header, "h.example:8080");
  EXPECT_EQ(parts.target, "/p?q");
}

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
