// Unit tests for URL lists and URL arithmetic: parse_url_list, check_url, load_url_list, resolve_url, split_url,
// --connect-to routing and ErrorKind names.
#include <fetcher/fetch_options.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/url.hpp>
#include <fetcher/url_list.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fetcher {
namespace {

std::vector<FetchRequest> parse(const std::string& text, std::string_view name = "list.txt") {
  std::istringstream in(text);
  return parse_url_list(in, name);
}

// True when every byte of `text` is printable ASCII (no control bytes, nothing >= 0x7f).
bool printable_ascii(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// parse_url_list

TEST(ParseUrlList, EmptyInputGivesNoRequests) {
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(parse("\n\n\n").empty());
  EXPECT_TRUE(parse("# only\n#comments\n   # indented comment\n").empty());
}

TEST(ParseUrlList, SkipsCommentsAndBlankLinesButCountsThemInLineNumbers) {
  const auto requests = parse(
      "# the list\n"               // 1
      "\n"                         // 2
      "http://a.example/\n"        // 3
      "   \t \n"                   // 4
      "  # indented comment\n"     // 5
      "https://b.example/x?y=1\n"  // 6
      "http://c.example/last",     // 7, no final newline
      "mipt.txt");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].url, "http://a.example/");
  EXPECT_EQ(requests[0].source, "mipt.txt:3");
  EXPECT_EQ(requests[0].error, "");
  EXPECT_EQ(requests[1].url, "https://b.example/x?y=1");
  EXPECT_EQ(requests[1].source, "mipt.txt:6");
  EXPECT_EQ(requests[1].error, "");
  EXPECT_EQ(requests[2].url, "http://c.example/last");
  EXPECT_EQ(requests[2].source, "mipt.txt:7");
  EXPECT_EQ(requests[2].error, "");
}

TEST(ParseUrlList, HandlesCrlfLineEndings) {
  const auto requests = parse("# header\r\n\r\nhttp://a.example/\r\nhttp://b.example/p\r\n", "win.txt");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].url, "http://a.example/");
  EXPECT_EQ(requests[0].source, "win.txt:3");
  EXPECT_EQ(requests[0].error, "");
  EXPECT_EQ(requests[1].url, "http://b.example/p");
  EXPECT_EQ(requests[1].source, "win.txt:4");
  EXPECT_EQ(requests[1].error, "");
}

TEST(ParseUrlList, TrimsSurroundingWhitespace) {
  const auto requests = parse(" \t http://a.example/x \t \r\n");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url, "http://a.example/x");
  EXPECT_EQ(requests[0].error, "");
  EXPECT_EQ(requests[0].source, "list.txt:1");
}

TEST(ParseUrlList, KeepsBadLinesWithAnErrorAndTheirLineNumber) {
  const auto requests = parse(
      "http://good.example/\n"       // 1
      "not a url\n"                  // 2
      "ftp://files.example/a.txt\n"  // 3
      "# comment\n"                  // 4
      "http://\n"                    // 5
      "example.org/no-scheme\n"      // 6
      "https://good.example/2\n",    // 7
      "l.txt");
  ASSERT_EQ(requests.size(), 6u);

  EXPECT_EQ(requests[0].source, "l.txt:1");
  EXPECT_EQ(requests[0].error, "");

  EXPECT_EQ(requests[1].url, "not a url");
  EXPECT_EQ(requests[1].source, "l.txt:2");
  EXPECT_EQ(requests[1].error, "not a URL: not a url");

  EXPECT_EQ(requests[2].url, "ftp://files.example/a.txt");
  EXPECT_EQ(requests[2].source, "l.txt:3");
  EXPECT_EQ(requests[2].error, "unsupported scheme 'ftp' (only http and https)");

  EXPECT_EQ(requests[3].url, "http://");
  EXPECT_EQ(requests[3].source, "l.txt:5");
  EXPECT_EQ(requests[3].error, "no host in URL: http://");

  EXPECT_EQ(requests[4].url, "example.org/no-scheme");
  EXPECT_EQ(requests[4].source, "l.txt:6");
  EXPECT_EQ(requests[4].error, "not a URL: example.org/no-scheme");

  EXPECT_EQ(requests[5].url, "https://good.example/2");
  EXPECT_EQ(requests[5].source, "l.txt:7");
  EXPECT_EQ(requests[5].error, "");
}

TEST(ParseUrlList, BinaryJunkIsEscapedInTheMessage) {
  std::string junk = "\x01\x02";
  junk += '\0';
  junk += "\x7f\xff\xfe";
  const auto requests = parse("http://ok.example/\n" + junk + "\nhttp://ok.example/2\n");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].url, junk);
  EXPECT_EQ(requests[1].source, "list.txt:2");
  EXPECT_EQ(requests[1].error, "not a URL (contains control bytes): \\x01\\x02\\x00\\x7f\\xff\\xfe");
  EXPECT_TRUE(printable_ascii(requests[1].error));
  EXPECT_EQ(requests[2].source, "list.txt:3");
  EXPECT_EQ(requests[2].error, "");
}

TEST(ParseUrlList, InvalidUtf8IsRejectedAndEscaped) {
  const std::string line = "http://ex\xc3\x28mple.org/\xe2\x82";  // truncated / invalid sequences
  const auto requests = parse(line + "\n");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url, line);
  EXPECT_EQ(requests[0].error,
            "non-ASCII bytes in URL (write an IDN host in its xn-- form, percent-encode the rest): "
            "http://ex\\xc3(mple.org/\\xe2\\x82");
  EXPECT_TRUE(printable_ascii(requests[0].error));
}

TEST(ParseUrlList, EmbeddedTabIsAControlByte) {
  const auto requests = parse("http://a.example/x\ty\n");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].error, "not a URL (contains control bytes): http://a.example/x\\x09y");
}

TEST(ParseUrlList, LongBadLineIsCutInTheMessage) {
  const std::string line(100, 'x');
  const auto requests = parse(line + "\n");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url, line);
  EXPECT_EQ(requests[0].error, "not a URL: " + std::string(80, 'x') + "...");
}

TEST(ParseUrlList, OverLongLinesAreRejectedAndTruncated) {
  const std::string prefix = "http://a.example/";
  const std::string exact = prefix + std::string(8192 - prefix.size(), 'a');  // exactly the limit
  const std::string over = prefix + std::string(20000, 'b');
  ASSERT_EQ(exact.size(), 8192u);
  const auto requests = parse(exact + "\n" + over + "\nhttp://after.example/\n");
  ASSERT_EQ(requests.size(), 3u);

  EXPECT_EQ(requests[0].url, exact);
  EXPECT_EQ(requests[0].error, "");

  EXPECT_EQ(requests[1].source, "list.txt:2");
  EXPECT_EQ(requests[1].error, "URL longer than 8192 bytes");
  EXPECT_EQ(requests[1].url.size(), 8193u);
  EXPECT_EQ(requests[1].url, over.substr(0, 8193));

  EXPECT_EQ(requests[2].url, "http://after.example/");
  EXPECT_EQ(requests[2].source, "list.txt:3");
  EXPECT_EQ(requests[2].error, "");
}

// A million lines (good, bad and comments, duplicates included): every line accounted for, in
// order, with its own line number. No timing is asserted; the suite's clock is the check.
TEST(ParseUrlList, AMillionLines) {
  std::string text;
  text.reserve(32'000'000);
  for (int i = 0; i < 1'000'000; ++i) {
    if (i % 10 == 3) {
      text += "# comment\n";
    } else if (i % 10 == 7) {
      text += "junk \xff line\n";
    } else {
      text += "http://host" + std::to_string(i % 50) + ".test/same\n";  // many duplicates
    }
  }
  const auto requests = parse(text);
  ASSERT_EQ(requests.size(), 900'000u);
  std::size_t bad = 0;
  for (const auto& request : requests) bad += !request.error.empty();
  EXPECT_EQ(bad, 100'000u);
  EXPECT_EQ(requests.back().source, "list.txt:1000000");
  EXPECT_EQ(requests[7 - 1].source, "list.txt:8");  // lines 1-3, 5-8: the comment on line 4 is skipped
}

// ---------------------------------------------------------------------------------------------
// check_url

TEST(CheckUrl, AcceptsHttpAndHttpsWithAHost) {
  EXPECT_EQ(check_url("http://example.org"), "");
  EXPECT_EQ(check_url("http://example.org/"), "");
  EXPECT_EQ(check_url("https://example.org:8443/a/b?c=d"), "");
  EXPECT_EQ(check_url("http://127.0.0.1:8080/"), "");
  EXPECT_EQ(check_url("http://[::1]:8080/x"), "");
  EXPECT_EQ(check_url("HTTPS://EXAMPLE.ORG/"), "");
  EXPECT_EQ(check_url("http://example.org:65535/"), "");
}

TEST(CheckUrl, RejectsWithTheReason) {
  EXPECT_EQ(check_url(""), "not a URL: ");
  EXPECT_EQ(check_url("garbage"), "not a URL: garbage");
  EXPECT_EQ(check_url("/relative/path"), "not a URL: /relative/path");
  EXPECT_EQ(check_url("ftp://example.org/"), "unsupported scheme 'ftp' (only http and https)");
  EXPECT_EQ(check_url("mailto:someone@example.org"), "unsupported scheme 'mailto' (only http and https)");
  EXPECT_EQ(check_url("http://"), "no host in URL: http://");
  EXPECT_EQ(check_url("http:/just/a/path"), "no host in URL: http:/just/a/path");
  EXPECT_EQ(check_url("https://:443/"), "no host in URL: https://:443/");
  EXPECT_EQ(check_url("http://example.org:0/"), "bad port in URL: http://example.org:0/");
  EXPECT_EQ(check_url("http://example.org:65536/"), "bad port in URL: http://example.org:65536/");
}

// Fuzz findings 1 and 2 (fuzz/README.md).
TEST(CheckUrl, RejectsPortDigitsFollowedByARootlessPath) {
  EXPECT_EQ(check_url("http://h:80a/x"), "bad port in URL: http://h:80a/x");
  EXPECT_EQ(check_url("http://h:abc/"), "bad port in URL: http://h:abc/");
}

TEST(CheckUrl, RejectsAHostThatDecodesToControlBytes) {
  EXPECT_EQ(check_url("http://%11.example/"), "bad host in URL (encodes control bytes): http://%11.example/");
  EXPECT_EQ(check_url("https://a%00.example.org/"),
            "bad host in URL (encodes control bytes): https://a%00.example.org/");
  EXPECT_EQ(check_url("http://caf%C3%A9.example/"), "");  // percent-encoded UTF-8 is not a control byte
}

// An IDN host must come in its ASCII form; the message says how.
TEST(CheckUrl, NonAsciiHostNamesTheAsciiForm) {
  const auto problem = check_url(
      "http://b\xc3\xbc"
      "cher.example/");
  EXPECT_NE(problem.find("non-ASCII"), std::string::npos) << problem;
  EXPECT_NE(problem.find("xn--"), std::string::npos) << problem;
  EXPECT_NE(problem.find("b\\xc3\\xbccher.example"), std::string::npos) << problem;
  EXPECT_EQ(check_url("http://xn--bcher-kva.example/"), "");
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

TEST(CheckUrl, AcceptsAFragment) {
  EXPECT_EQ(check_url("http://example.org/page#section"), "");
  EXPECT_EQ(check_url("https://example.org:8443/a/b?c=d#e"), "");
  EXPECT_EQ(check_url("http://example.org/#"), "");
  const auto requests = parse("http://example.org/page#section\n");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].error, "");
}

TEST(CheckUrl, SpaceIsPrintableButNotAUrl) {
  EXPECT_EQ(check_url("http://exa mple.org/"), "not a URL: http://exa mple.org/");
}

TEST(CheckUrl, LengthLimit) {
  const std::string prefix = "http://h/";
  EXPECT_EQ(check_url(prefix + std::string(8192 - prefix.size(), 'a')), "");
  EXPECT_EQ(check_url(prefix + std::string(8193 - prefix.size(), 'a')), "URL longer than 8192 bytes");
}

// ---------------------------------------------------------------------------------------------
// load_url_list

class LoadUrlList : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fetcher_url_list_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::filesystem::path dir_;
};

TEST_F(LoadUrlList, ReadsAFileWithFileLineSources) {
  const auto path = (dir_ / "list.txt").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "# two URLs and a bad one\r\n\r\nhttp://a.example/\r\nftp://b.example/\r\n  https://c.example/z  \n";
  }
  const auto requests = load_url_list(path);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].url, "http://a.example/");
  EXPECT_EQ(requests[0].source, path + ":3");
  EXPECT_EQ(requests[0].error, "");
  EXPECT_EQ(requests[1].url, "ftp://b.example/");
  EXPECT_EQ(requests[1].source, path + ":4");
  EXPECT_EQ(requests[1].error, "unsupported scheme 'ftp' (only http and https)");
  EXPECT_EQ(requests[2].url, "https://c.example/z");
  EXPECT_EQ(requests[2].source, path + ":5");
  EXPECT_EQ(requests[2].error, "");
}

TEST_F(LoadUrlList, EmptyFileGivesNoRequests) {
  const auto path = (dir_ / "empty.txt").string();
  { std::ofstream out(path); }
  EXPECT_TRUE(load_url_list(path).empty());
}

TEST_F(LoadUrlList, MissingFileThrowsNamingThePath) {
  const auto path = (dir_ / "does-not-exist.txt").string();
  try {
    load_url_list(path);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.rfind(path + ": cannot read: ", 0), 0u) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  }
}

TEST_F(LoadUrlList, DirectoryThrowsNamingThePath) {
  const auto path = dir_.string();
  try {
    load_url_list(path);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), path + ": cannot read: is a directory");
  }
}

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

// A space or a stray '%' in a path is percent-encoded, as browsers do (tests/url_test.cpp); in
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

// ---------------------------------------------------------------------------------------------
// ConnectTo::parse and FetchOptions::route

TEST(ConnectTo, ParsesAllFields) {
  const auto rule = ConnectTo::parse("example.org:443:127.0.0.1:8443");
  EXPECT_EQ(rule.host, "example.org");
  EXPECT_EQ(rule.port, 443);
  EXPECT_EQ(rule.target_host, "127.0.0.1");
  EXPECT_EQ(rule.target_port, 8443);
}

TEST(ConnectTo, EmptyHostAndPortMatchAny) {
  const auto rule = ConnectTo::parse("::127.0.0.1:8080");
  EXPECT_EQ(rule.host, "");
  EXPECT_EQ(rule.port, 0);
  EXPECT_EQ(rule.target_host, "127.0.0.1");
  EXPECT_EQ(rule.target_port, 8080);
  EXPECT_TRUE(rule.matches("example.org", 443));
  EXPECT_TRUE(rule.matches("other.example", 80));

  FetchOptions options;
  options.connect_to.push_back(rule);
  const auto a = options.route("example.org", 443);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 8080);
  const auto b = options.route("other.example", 80);
  EXPECT_EQ(b.host, "127.0.0.1");
  EXPECT_EQ(b.port, 8080);
}

TEST(ConnectTo, EmptyTargetPartsKeepTheUrlsOwn) {
  const auto rule = ConnectTo::parse("example.org:443::");
  EXPECT_EQ(rule.target_host, "");
  EXPECT_EQ(rule.target_port, 0);
  FetchOptions options;
  options.connect_to = {rule, ConnectTo::parse("a.example::b.example:")};
  const auto same = options.route("example.org", 443);
  EXPECT_EQ(same.host, "example.org");
  EXPECT_EQ(same.port, 443);
  const auto host_only = options.route("a.example", 8080);
  EXPECT_EQ(host_only.host, "b.example");
  EXPECT_EQ(host_only.port, 8080);
}

TEST(ConnectTo, Ipv6InBrackets) {
  const auto rule = ConnectTo::parse("[::1]:8080:[fe80::2]:9090");
  EXPECT_EQ(rule.host, "::1");
  EXPECT_EQ(rule.port, 8080);
  EXPECT_EQ(rule.target_host, "fe80::2");
  EXPECT_EQ(rule.target_port, 9090);

  const auto to_v6 = ConnectTo::parse("example.org:443:[::1]:8443");
  EXPECT_EQ(to_v6.host, "example.org");
  EXPECT_EQ(to_v6.port, 443);
  EXPECT_EQ(to_v6.target_host, "::1");
  EXPECT_EQ(to_v6.target_port, 8443);

  FetchOptions options;
  options.connect_to = {rule};
  const auto routed = options.route("::1", 8080);  // split_url gives IPv6 hosts without brackets
  EXPECT_EQ(routed.host, "fe80::2");
  EXPECT_EQ(routed.port, 9090);
}

TEST(ConnectTo, RouteMatchesHostAndPortAndTakesTheFirstRule) {
  FetchOptions options;
  options.connect_to = {ConnectTo::parse("example.org:443:127.0.0.1:8443"),
                        ConnectTo::parse("example.org::127.0.0.2:9000"), ConnectTo::parse("::127.0.0.3:1")};

  auto e = options.route("example.org", 443);
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 8443);

  e = options.route("example.org", 80);  // second rule: any port of example.org
  EXPECT_EQ(e.host, "127.0.0.2");
  EXPECT_EQ(e.port, 9000);

  e = options.route("other.example", 443);  // falls through to the catch-all
  EXPECT_EQ(e.host, "127.0.0.3");
  EXPECT_EQ(e.port, 1);
}

TEST(ConnectTo, NoRulesRoutesToTheUrlItself) {
  const FetchOptions options;
  const auto e = options.route("example.org", 8443);
  EXPECT_EQ(e.host, "example.org");
  EXPECT_EQ(e.port, 8443);

  FetchOptions specific;
  specific.connect_to = {ConnectTo::parse("example.org:443:127.0.0.1:8443")};
  const auto other_port = specific.route("example.org", 80);
  EXPECT_EQ(other_port.host, "example.org");
  EXPECT_EQ(other_port.port, 80);
  const auto other_host = specific.route("example.com", 443);
  EXPECT_EQ(other_host.host, "example.com");
  EXPECT_EQ(other_host.port, 443);
}

TEST(ConnectTo, HostMatchIsCaseInsensitive) {
  FetchOptions options;
  options.connect_to = {ConnectTo::parse("Example.ORG:443:127.0.0.1:8443")};
  const auto e = options.route("example.org", 443);
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 8443);
}

void expect_rejected(std::string_view text, std::string_view expected_detail) {
  try {
    (void)ConnectTo::parse(text);
    ADD_FAILURE() << "expected std::invalid_argument for '" << text << "'";
  } catch (const std::invalid_argument& error) {
    const std::string what = error.what();
    EXPECT_EQ(what, "--connect-to " + std::string(text) + ": " + std::string(expected_detail)) << text;
  }
}

TEST(ConnectTo, RejectsBadPorts) {
  expect_rejected("example.org:abc:127.0.0.1:80", "bad port 'abc'");
  expect_rejected("example.org:443:127.0.0.1:70000", "bad port '70000'");
  expect_rejected("example.org:65536:127.0.0.1:80", "bad port '65536'");
  expect_rejected("example.org:443:127.0.0.1:-1", "bad port '-1'");
  expect_rejected("example.org:443:127.0.0.1:80x", "bad port '80x'");
  expect_rejected("example.org:99999999999:h:1", "bad port '99999999999'");
  EXPECT_EQ(ConnectTo::parse("a:65535:b:65535").port, 65535);
}

TEST(ConnectTo, RejectsMalformedRules) {
  const char* shape = "expected HOST1:PORT1:HOST2:PORT2";
  expect_rejected("", shape);
  expect_rejected("example.org", shape);
  expect_rejected("example.org:443", shape);
  expect_rejected("example.org:443:127.0.0.1", shape);
  expect_rejected("[::1]x:443:h:1", shape);
  expect_rejected("h:443:[::1]x", shape);
  expect_rejected("h:443:[::1]", shape);
  expect_rejected("[::1:443:h:1", "unclosed '[' in IPv6 address");
  expect_rejected("h:443:[::1", "unclosed '[' in IPv6 address");
}

// ---------------------------------------------------------------------------------------------
// ErrorKind names

TEST(ErrorKindNames, EveryKindHasItsNameAndRoundTrips) {
  const std::vector<std::pair<ErrorKind, std::string_view>> expected = {
      {ErrorKind::none, "none"},
      {ErrorKind::bad_url, "bad-url"},
      {ErrorKind::bad_request, "bad-request"},
      {ErrorKind::dns, "dns"},
      {ErrorKind::connect, "connect"},
      {ErrorKind::tls, "tls"},
      {ErrorKind::timeout, "timeout"},
      {ErrorKind::protocol, "protocol"},
      {ErrorKind::http_status, "http-status"},
      {ErrorKind::too_large, "too-large"},
      {ErrorKind::redirect_loop, "redirect-loop"},
      {ErrorKind::too_many_redirects, "too-many-redirects"},
      {ErrorKind::cancelled, "cancelled"},
      {ErrorKind::resource, "resource"},
      {ErrorKind::internal, "internal"},
  };
  for (const auto& [kind, name] : expected) {
    EXPECT_EQ(to_string(kind), name);
    ErrorKind parsed = kind == ErrorKind::none ? ErrorKind::resource : ErrorKind::none;
    EXPECT_TRUE(parse_error_kind(name, parsed)) << name;
    EXPECT_EQ(parsed, kind) << name;
  }
  // Every enumerator from none to the last is in the list above, so none is missed.
  for (int i = 0; i <= static_cast<int>(ErrorKind::internal); ++i) {
    const auto kind = static_cast<ErrorKind>(i);
    ErrorKind back = ErrorKind::none;
    EXPECT_TRUE(parse_error_kind(to_string(kind), back)) << i;
    EXPECT_EQ(back, kind) << i;
  }
}

TEST(ErrorKindNames, UnknownNamesAreRejectedAndLeaveTheKindAlone) {
  for (const char* name : {"", "unknown", "bad_url", "Bad-URL", "DNS", "timeout ", "http_status"}) {
    ErrorKind kind = ErrorKind::tls;
    EXPECT_FALSE(parse_error_kind(name, kind)) << name;
    EXPECT_EQ(kind, ErrorKind::tls) << name;
  }
  EXPECT_EQ(to_string(static_cast<ErrorKind>(99)), "unknown");
}

}  // namespace
}  // namespace fetcher
