// Unit tests for extract_links() and is_html(): the links a crawler follows, as an HTML5 parser
// finds them (not inside comments, raw text or <template>), entities decoded, rel=nofollow and
// <meta name=robots> honoured, malformed and huge pages survived.
#include <fetcher/crawl/links.hpp>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace fetcher::crawl {
namespace {

using Hrefs = std::vector<std::string>;

Hrefs hrefs_of(std::string_view html) { return extract_links(html).hrefs; }

// ---------------------------------------------------------------------------------------------
// Which elements give links

TEST(ExtractLinks, AnchorsInDocumentOrder) {
  const auto links = extract_links(
      "<!DOCTYPE html><html><head><title>t</title></head><body>"
      "<p><a href=\"/one\">1</a> text <a href='two.html'>2</a></p><div><a href=http://x.test/3>3</a></div>"
      "</body></html>");
  EXPECT_EQ(links.hrefs, (Hrefs{"/one", "two.html", "http://x.test/3"}));
  EXPECT_EQ(links.base_href, "");
  EXPECT_FALSE(links.nofollow);
}

TEST(ExtractLinks, AreaElementsAreLinks) {
  EXPECT_EQ(hrefs_of("<map name=m><area shape=rect coords=0,0,1,1 href=\"/area\"><area nohref></map>"
                     "<a href=/after>x</a>"),
            (Hrefs{"/area", "/after"}));
}

TEST(ExtractLinks, OtherElementsWithHrefOrSrcAreNotLinks) {
  EXPECT_EQ(hrefs_of("<link rel=stylesheet href=/s.css><img src=/i.png><script src=/j.js></script>"
                     "<iframe src=/f></iframe><form action=/post></form><a href=/only>x</a>"),
            (Hrefs{"/only"}));
}

TEST(ExtractLinks, AnchorWithoutHrefOrWithEmptyHrefGivesNothing) {
  EXPECT_EQ(hrefs_of("<a name=top>top</a><a href>bare</a><a href=\"\">empty</a><a href=/x>x</a>"), (Hrefs{"/x"}));
}

TEST(ExtractLinks, HrefIsReturnedAsWritten) {
  // Resolving and filtering schemes is the crawler's job; whitespace and case are kept too.
  EXPECT_EQ(hrefs_of("<a href=\"javascript:void(0)\">j</a><a href=\"mailto:a@b.test\">m</a>"
                     "<a href=\"#frag\">f</a><a href=\" /Spaced \">s</a><a href=\"HTTP://X.TEST/P?q=1\">u</a>"),
            (Hrefs{"javascript:void(0)", "mailto:a@b.test", "#frag", " /Spaced ", "HTTP://X.TEST/P?q=1"}));
}

TEST(ExtractLinks, DuplicatesAreKept) {
  EXPECT_EQ(hrefs_of("<a href=/same>1</a><a href=/same>2</a>"), (Hrefs{"/same", "/same"}));
}

// ---------------------------------------------------------------------------------------------
// <base>

TEST(ExtractLinks, FirstBaseWins) {
  const auto links = extract_links(
      "<head><base href=\"http://b.test/dir/\"><base href=\"http://other.test/\">"
      "</head><body><a href=x>x</a></body>");
  EXPECT_EQ(links.base_href, "http://b.test/dir/");
  EXPECT_EQ(links.hrefs, (Hrefs{"x"}));
}

TEST(ExtractLinks, BaseWithoutHrefIsIgnored) {
  EXPECT_EQ(extract_links("<base target=_blank><base href=/second/>").base_href, "/second/");
  EXPECT_EQ(extract_links("<base target=_blank>").base_href, "");
}

TEST(ExtractLinks, BaseInBodyCounts) {
  // The parser moves nothing: a <base> after <body> is still the document's first base.
  EXPECT_EQ(extract_links("<body><p>text</p><base href=http://late.test/>").base_href, "http://late.test/");
}

// ---------------------------------------------------------------------------------------------
// Entities

TEST(ExtractLinks, EntitiesInHrefAreDecoded) {
  EXPECT_EQ(hrefs_of("<a href=\"/search?a=1&amp;b=2\">1</a>"
                     "<a href=\"http:&#x2F;&#x2f;e.test&#47;p\">2</a>"
                     "<a href=\"/caf&eacute;?x=&lt;&gt;&quot;\">3</a>"),
            (Hrefs{"/search?a=1&b=2", "http://e.test/p", "/caf\xC3\xA9?x=<>\""}));
}

TEST(ExtractLinks, AmbiguousAmpersandInHrefIsKept) {
  // In an attribute, "&copy=" is not a reference (legacy rule): query strings survive.
  EXPECT_EQ(hrefs_of("<a href=\"/q?a=1&copy=2&b\">x</a>"), (Hrefs{"/q?a=1&copy=2&b"}));
}

TEST(ExtractLinks, NumericReferencesAndNewlinesAsHtml5ReadsThem) {
  // &#128; is the windows-1252 euro sign, &#0; a replacement character; CR LF in a value becomes LF.
  EXPECT_EQ(hrefs_of("<a href=\"/&#128;&#0;\">x</a><a href=\"/x\r\ny\">y</a>"),
            (Hrefs{"/\xE2\x82\xAC\xEF\xBF\xBD", "/x\ny"}));
}

TEST(ExtractLinks, BytesThatAreNotUtf8AreKept) {
  EXPECT_EQ(hrefs_of("<a href=\"/caf\xE9\">x</a>"), (Hrefs{"/caf\xE9"}));
}

TEST(ExtractLinks, EntitiesInBaseAreDecoded) {
  EXPECT_EQ(extract_links("<base href=\"http://b.test/?x=1&amp;y=2\">").base_href, "http://b.test/?x=1&y=2");
}

// ---------------------------------------------------------------------------------------------
// rel=nofollow and <meta name=robots>

TEST(ExtractLinks, RelNofollowAloneIsLeftOut) {
  EXPECT_EQ(hrefs_of("<a href=/kept>k</a><a rel=nofollow href=/dropped>d</a>"), (Hrefs{"/kept"}));
}

TEST(ExtractLinks, RelNofollowAmongTokensAndUppercaseIsLeftOut) {
  EXPECT_EQ(hrefs_of("<a rel=\"noopener nofollow\" href=/1>1</a>"
                     "<a rel=\" ugc\tNoFollow\nsponsored \" href=/2>2</a>"
                     "<a rel=NOFOLLOW href=/3>3</a>"
                     "<area rel=nofollow href=/4>"
                     "<a rel=\"nofollowing\" href=/5>5</a>"
                     "<a rel=\"no-follow noreferrer\" href=/6>6</a>"
                     "<a rel=\"nofollow,noopener\" href=/7>7</a>"),
            (Hrefs{"/5", "/6", "/7"}));  // "nofollowing", "no-follow" and "nofollow," are other tokens
}

TEST(ExtractLinks, MetaRobotsNofollow) {
  const auto links = extract_links("<head><meta name=robots content=nofollow></head><a href=/x>x</a>");
  EXPECT_TRUE(links.nofollow);
  EXPECT_EQ(links.hrefs, (Hrefs{"/x"}));  // still filled, for counts
}

TEST(ExtractLinks, MetaRobotsNoneAndTokenLists) {
  EXPECT_TRUE(extract_links("<meta name=robots content=none>").nofollow);
  EXPECT_TRUE(extract_links("<meta name=\"robots\" content=\"noindex, nofollow\">").nofollow);
  EXPECT_TRUE(extract_links("<meta name=\"ROBOTS\" content=\"NOINDEX,NOFOLLOW\">").nofollow);
  EXPECT_TRUE(extract_links("<meta content=\" NoFollow \" name=\" Robots \">").nofollow);
  EXPECT_FALSE(extract_links("<meta name=robots content=\"noindex\">").nofollow);
  EXPECT_FALSE(extract_links("<meta name=robots content=\"index, follow\">").nofollow);
  EXPECT_FALSE(extract_links("<meta name=robots content=\"nofollowing\">").nofollow);
  EXPECT_FALSE(extract_links("<meta name=robots>").nofollow);
}

TEST(ExtractLinks, OtherMetaNamesAreIgnored) {
  EXPECT_FALSE(extract_links("<meta name=description content=nofollow>").nofollow);
  EXPECT_FALSE(extract_links("<meta name=googlebot content=nofollow>").nofollow);
  EXPECT_FALSE(extract_links("<meta http-equiv=robots content=nofollow>").nofollow);
  EXPECT_FALSE(extract_links("<meta property=robots content=none>").nofollow);
}

// ---------------------------------------------------------------------------------------------
// Markup that is not markup

TEST(ExtractLinks, CommentsHoldNoLinks) {
  EXPECT_EQ(hrefs_of("<!-- <a href=/in-comment>x</a> --><a href=/real>r</a><!--> <a href=/after-abrupt>y</a>"),
            (Hrefs{"/real", "/after-abrupt"}));  // "<!-->" is an (empty) comment on its own
}

TEST(ExtractLinks, RawTextAndRcdataHoldNoLinks) {
  EXPECT_EQ(hrefs_of("<head><script>document.write('<a href=\"/script\">s</a>')</script>"
                     "<style>/* <a href=/style>s</a> */</style><title><a href=/title>t</a></title></head>"
                     "<body><textarea><a href=/textarea>t</a></textarea>"
                     "<xmp><a href=/xmp>x</a></xmp><a href=/real>r</a></body>"),
            (Hrefs{"/real"}));
}

TEST(ExtractLinks, ScriptEndsOnlyAtItsEndTag) {
  EXPECT_EQ(hrefs_of("<script>var s = '</scrip><a href=/no>';</script><a href=/yes>y</a>"), (Hrefs{"/yes"}));
}

TEST(ExtractLinks, NoscriptContentIsMarkup) {
  // Parsed as with scripting disabled: a crawler that runs no scripts sees these links.
  EXPECT_EQ(hrefs_of("<body><noscript><a href=/noscript>n</a></noscript></body>"), (Hrefs{"/noscript"}));
}

TEST(ExtractLinks, TemplateContentIsInert) {
  EXPECT_EQ(hrefs_of("<template><a href=/template>t</a></template><a href=/real>r</a>"), (Hrefs{"/real"}));
}

TEST(ExtractLinks, SvgAnchorsAreNotHtmlLinksButForeignObjectHtmlIs) {
  EXPECT_EQ(hrefs_of("<svg><a href=/svg-a><text>s</text></a>"
                     "<foreignObject><div><a href=/html-in-svg>h</a></div></foreignObject></svg>"),
            (Hrefs{"/html-in-svg"}));
}

// ---------------------------------------------------------------------------------------------
// Malformed and large pages

TEST(ExtractLinks, MalformedHtmlIsRecovered) {
  EXPECT_EQ(hrefs_of("<html><body><div><p><a href=/unclosed>one<a href=/next>two"
                     "<table><tr><td><a href=unquoted?x=1&y=2 class=c>3</td></tr></table>"
                     "<a href=\"/unterminated>4</a>"),
            (Hrefs{"/unclosed", "/next", "unquoted?x=1&y=2"}));  // an unterminated quote eats the rest
  EXPECT_EQ(hrefs_of("no tags at all"), Hrefs{});
  EXPECT_EQ(hrefs_of(""), Hrefs{});
  EXPECT_EQ(hrefs_of("<a href=/x"), Hrefs{});  // a tag cut off by the end of input is dropped
  EXPECT_EQ(hrefs_of("<a href=/x>x</a><a href=\"/y"), (Hrefs{"/x"}));
}

TEST(ExtractLinks, CompleteTagsAfterManyLineBreaksAreKept) {
  // Tags are checked for their closing '>' in the page's own bytes, CR LF pairs and all.
  std::string html;
  for (int i = 0; i < 1000; ++i) html += "<p\r\n>line\r\n\r\n";
  html += "<a\r\nhref=/last\r\n>l</a\r\n>";
  EXPECT_EQ(hrefs_of(html), (Hrefs{"/last"}));
  EXPECT_EQ(hrefs_of(html + "<a href=/cut"), (Hrefs{"/last"}));
}

TEST(ExtractLinks, UppercaseTagAndAttributeNames) {
  const auto links = extract_links(
      "<HTML><HEAD><BASE HREF=\"/B/\"><META NAME=ROBOTS CONTENT=NONE></HEAD>"
      "<BODY><A HREF=\"/UP\">u</A><Area Href=/mixed><A REL=NOFOLLOW HREF=/nf>n</A>");
  EXPECT_EQ(links.hrefs, (Hrefs{"/UP", "/mixed"}));
  EXPECT_EQ(links.base_href, "/B/");
  EXPECT_TRUE(links.nofollow);
}

TEST(ExtractLinks, DuplicateAttributeFirstWins) {
  EXPECT_EQ(hrefs_of("<a href=/first href=/second>x</a>"), (Hrefs{"/first"}));
}

TEST(ExtractLinks, NulBytesDoNotCutThePage) {
  const std::string html("<a href=/a>a</a>\0<a href=/b>b</a>", 33);
  EXPECT_EQ(hrefs_of(html), (Hrefs{"/a", "/b"}));
}

TEST(ExtractLinks, LargePageWithManyLinks) {
  std::string html = "<!DOCTYPE html><html><head><title>big</title></head><body><ul>\n";
  Hrefs expected;
  for (int i = 0; i < 20000; ++i) {
    const auto href = "/item/" + std::to_string(i) + "?p=" + std::to_string(i % 7);
    html += "<li class=item><a title=\"item &amp; more\" href=\"" + href + "&amp;s=1\">item " + std::to_string(i) +
            "</a> <span>text</span></li>\n";
    expected.push_back(href + "&s=1");
  }
  html += "</ul></body></html>";
  EXPECT_EQ(hrefs_of(html), expected);
}

// Tree construction is quadratic in nesting depth (every start tag looks through the stack of open
// elements), so these depths keep the suite quick while still far beyond what a recursive walk of
// the tree survives with small stacks.
TEST(ExtractLinks, DeeplyNestedDocumentDoesNotCrash) {
  constexpr int depth = 25000;
  std::string html = "<!DOCTYPE html><body>";
  html.reserve(depth * 11 + 100);
  for (int i = 0; i < depth; ++i) html += "<div>";
  html += "<a href=/deep>d</a>";
  for (int i = 0; i < depth; ++i) html += "</div>";
  html += "<a href=/after>a</a>";
  EXPECT_EQ(hrefs_of(html), (Hrefs{"/deep", "/after"}));
}

TEST(ExtractLinks, DeeplyNestedUnclosedJunkDoesNotCrash) {
  std::string html;
  for (int i = 0; i < 10000; ++i) html += "<span><b><i>";
  html += "<a href=/deep>";
  EXPECT_EQ(hrefs_of(html), (Hrefs{"/deep"}));
}

TEST(ExtractLinks, PagesInTurnAndInThreadsDoNotMix) {
  // The parser is kept per thread between pages, and dropped after a large one (above 1 MiB).
  const std::string small = "<head><base href=/b/><meta name=robots content=none></head><a href=/s>s</a>";
  std::string large = "<a href=/first>f</a>";
  while (large.size() < (std::size_t{3} << 19)) large += "<p>filler <b>text</b> &amp; more filler</p>\n";
  large += "<a href=/last>l</a>";
  const auto check = [&](int rounds) {
    bool all_right = true;
    for (int round = 0; round < rounds; ++round) {
      const auto first = extract_links(small);
      all_right &= first.hrefs == Hrefs{"/s"} && first.base_href == "/b/" && first.nofollow;
      if (round % 8 == 0) all_right &= hrefs_of(large) == Hrefs{"/first", "/last"};
      const auto plain = extract_links("<a href=/p>p</a>");
      all_right &= plain.hrefs == Hrefs{"/p"} && plain.base_href.empty() && !plain.nofollow;
    }
    return all_right;
  };
  EXPECT_TRUE(check(9));
  std::vector<std::thread> threads;
  std::vector<int> results(2, 0);
  for (std::size_t t = 0; t < results.size(); ++t) threads.emplace_back([&, t] { results[t] = check(9) ? 1 : 0; });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(results, std::vector<int>(2, 1));
}

// ---------------------------------------------------------------------------------------------
// is_html

struct ContentTypeCase {
  const char* content_type;
  bool html;
};

std::ostream& operator<<(std::ostream& out, const ContentTypeCase& c) { return out << "'" << c.content_type << "'"; }

class IsHtml : public ::testing::TestWithParam<ContentTypeCase> {};

TEST_P(IsHtml, Classifies) { EXPECT_EQ(is_html(GetParam().content_type), GetParam().html); }

INSTANTIATE_TEST_SUITE_P(
    ContentTypes, IsHtml,
    ::testing::Values(ContentTypeCase{"text/html", true}, ContentTypeCase{"text/html; charset=utf-8", true},
                      ContentTypeCase{"TEXT/HTML;CHARSET=UTF-8", true}, ContentTypeCase{"Text/Html", true},
                      ContentTypeCase{"  text/html  ; charset=\"utf-8\"", true}, ContentTypeCase{"\ttext/html\t", true},
                      ContentTypeCase{"application/xhtml+xml", true},
                      ContentTypeCase{"Application/XHTML+XML; charset=utf-8", true}, ContentTypeCase{"", false},
                      ContentTypeCase{" ", false}, ContentTypeCase{";charset=utf-8", false},
                      ContentTypeCase{"text/plain", false}, ContentTypeCase{"text/htmlx", false},
                      ContentTypeCase{"text/html5", false}, ContentTypeCase{"text/xml", false},
                      ContentTypeCase{"application/xml", false}, ContentTypeCase{"application/json", false},
                      ContentTypeCase{"image/png", false}, ContentTypeCase{"text / html", false},
                      ContentTypeCase{"html", false}, ContentTypeCase{"text/", false}));

}  // namespace
}  // namespace fetcher::crawl
