// Unit tests for URL lists (url_list.hpp): parse_url_list, check_url and load_url_list.
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

}  // namespace
}  // namespace fetcher
