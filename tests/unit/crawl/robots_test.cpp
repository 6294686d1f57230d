// robots_test.cpp: robots.txt parsing and matching against RFC 9309's examples and edge cases
// (groups, agents, longest match, wildcards, percent-encoding, syntax, the size limit,
// Crawl-delay), rules_for_response's reading of the fetch outcome, and product_token.
#include <fetcher/crawl/robots.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using fetcher::crawl::product_token;
using fetcher::crawl::robots_parse_limit;
using fetcher::crawl::RobotsRules;
using fetcher::crawl::rules_for_response;
using std::chrono::milliseconds;

struct PathCase {
  std::string_view path;
  bool allowed;
};

// Checks every case of `cases` against the rules of `robots_txt` for `agent`.
void expect_paths(std::string_view robots_txt, std::string_view agent, const std::vector<PathCase>& cases) {
  const RobotsRules rules = RobotsRules::parse(robots_txt, agent);
  for (const PathCase& c : cases) {
    EXPECT_EQ(rules.allowed(c.path), c.allowed) << "agent " << agent << ", path " << c.path;
  }
}

// The rules of one group for "fetcher" holding `rules` (e.g. "Disallow: /a\n").
RobotsRules fetcher_rules(std::string_view rules) {
  return RobotsRules::parse("User-agent: fetcher\n" + std::string(rules), "fetcher");
}

// RFC 9309 5.1, the simple example.
constexpr std::string_view rfc_example =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n";

// --- groups and agents ---

TEST(RobotsGroups, RfcExampleFoobotGetsOnlyItsAllows) {
  expect_paths(rfc_example, "foobot",
               {{"/example/page.html", true},
                {"/example/allowed.gif", true},
                {"/", false},
                {"/example/other.html", false},
                {"/publications/", false}});
}

TEST(RobotsGroups, RfcExampleBarbotAndBazbotShareOneGroup) {
  for (std::string_view agent : {"barbot", "bazbot"}) {
    expect_paths(rfc_example, agent,
                 {{"/example/page.html", false}, {"/example/other.html", true}, {"/image.gif", true}});
  }
}

TEST(RobotsGroups, RfcExampleQuxbotHasAnEmptyGroupAndMayFetchEverything) {
  expect_paths(rfc_example, "quxbot", {{"/example/page.html", true}, {"/image.gif", true}, {"/", true}});
}

TEST(RobotsGroups, RfcExampleOtherCrawlersFollowTheStarGroup) {
  expect_paths(rfc_example, "fetcher",
               {{"/image.gif", false},
                {"/a/b.gif", false},
                {"/image.gif?x", true},
                {"/example/", false},
                {"/example/page.html", false},
                {"/publications/", true},
                {"/", true}});
}

TEST(RobotsGroups, GroupsNamingTheSameAgentMerge) {
  // RFC 9309 2.2.1.
  expect_paths(
      "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\n"
      "user-agent: ExampleBot\ndisallow: /baz\n",
      "ExampleBot", {{"/foo", false}, {"/bar", false}, {"/baz", false}, {"/qux", true}});
}

TEST(RobotsGroups, StarGroupsMergeToo) {
  expect_paths("User-agent: *\nDisallow: /a\n\nUser-agent: other\nDisallow: /b\n\nUser-agent: *\nDisallow: /c\n",
               "fetcher", {{"/a", false}, {"/b", true}, {"/c", false}});
}

TEST(RobotsGroups, OwnGroupReplacesTheStarGroupInsteadOfMergingWithIt) {
  expect_paths("User-agent: *\nDisallow: /private\n\nUser-agent: fetcher\nDisallow: /tmp\n", "fetcher",
               {{"/private", true}, {"/tmp", false}});
}

TEST(RobotsGroups, AgentMatchIsCaseInsensitive) {
  for (std::string_view line : {"User-agent: fetcher", "User-agent: FETCHER", "user-AGENT: FeTcHeR"}) {
    expect_paths(std::string(line) + "\nDisallow: /\n", "Fetcher", {{"/x", false}});
  }
}

TEST(RobotsGroups, AgentValueNamesItsLeadingTokenOnly) {
  // "fetcher/1.0" names fetcher; "fetch" and "fetcherbot" are other crawlers.
  expect_paths("User-agent: fetcher/1.0\nDisallow: /\n", "fetcher", {{"/x", false}});
  expect_paths("User-agent: fetch\nDisallow: /\n", "fetcher", {{"/x", true}});
  expect_paths("User-agent: fetcherbot\nDisallow: /\n", "fetcher", {{"/x", true}});
  expect_paths("User-agent: *bot\nDisallow: /\n", "fetcher", {{"/x", true}});
}

TEST(RobotsGroups, NoMatchingGroupAndNoStarGroupAllowsEverything) {
  const RobotsRules rules = RobotsRules::parse("User-agent: other\nDisallow: /\n", "fetcher");
  EXPECT_EQ(rules.source(), RobotsRules::Source::parsed);
  EXPECT_TRUE(rules.allowed("/"));
  EXPECT_TRUE(RobotsRules::parse("", "fetcher").allowed("/anything"));
}

TEST(RobotsGroups, RulesBeforeAnyUserAgentLineAreIgnored) {
  expect_paths("Disallow: /a\nUser-agent: *\nDisallow: /b\n", "fetcher", {{"/a", true}, {"/b", false}});
}

TEST(RobotsGroups, BlankLinesSitemapsAndUnknownLinesDoNotEndAnAgentRun) {
  expect_paths(
      "User-agent: other\n\nSitemap: https://example.com/sitemap.xml\nFoo: bar\n"
      "User-agent: fetcher\nDisallow: /a\n",
      "other", {{"/a", false}});
}

TEST(RobotsGroups, UserAgentAfterRulesStartsANewGroup) {
  expect_paths("User-agent: fetcher\nDisallow: /a\nUser-agent: other\nDisallow: /b\n", "fetcher",
               {{"/a", false}, {"/b", true}});
}

TEST(RobotsGroups, OneGroupMayNameStarAndTheCrawler) {
  const std::string_view text = "User-agent: *\nUser-agent: fetcher\nDisallow: /a\n";
  expect_paths(text, "fetcher", {{"/a", false}});
  expect_paths(text, "other", {{"/a", false}});
}

// --- rule precedence and patterns ---

TEST(RobotsMatching, LongestMatchWins) {
  // RFC 9309 5.2.
  expect_paths(
      "User-agent: *\nallow: /example/page/\ndisallow: /example/page/disallowed.gif\n", "fetcher",
      {{"/example/page/", true}, {"/example/page/allowed.gif", true}, {"/example/page/disallowed.gif", false}});
  expect_paths("User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n", "fetcher",
               {{"/a", false}, {"/a/b", true}, {"/a/b/c", false}, {"/a/bc", true}});
}

TEST(RobotsMatching, AllowWinsATieWhateverTheOrder) {
  for (std::string_view rules : {"Allow: /page\nDisallow: /page\n", "Disallow: /page\nAllow: /page\n"}) {
    EXPECT_TRUE(fetcher_rules(rules).allowed("/page")) << rules;
  }
  // Lengths count the pattern as written, '*' and '$' included.
  EXPECT_TRUE(fetcher_rules("Disallow: /a*\nAllow: /ab\n").allowed("/abc"));
  EXPECT_FALSE(fetcher_rules("Disallow: /ab$\nAllow: /ab\n").allowed("/ab"));
  EXPECT_TRUE(fetcher_rules("Disallow: /\nAllow: *\n").allowed("/x"));
}

TEST(RobotsMatching, WildcardsAndEndAnchor) {
  struct Case {
    std::string_view pattern;
    std::string_view path;
    bool matches;
  };
  const std::vector<Case> cases = {
      {"/fish", "/fish", true},
      {"/fish", "/fish.html", true},
      {"/fish", "/Fish.asp", false},
      {"/fish", "/catfish", false},
      {"/fish*", "/fishheads", true},
      {"/fish/", "/fish", false},
      {"/fish$", "/fish", true},
      {"/fish$", "/fish/", false},
      {"/fish$", "/fish?x", false},
      {"/*.php", "/index.php", true},
      {"/*.php", "/a/b.php?x=1", true},
      {"/*.php", "/windows.PHP", false},
      {"/*.php$", "/filename.php", true},
      {"/*.php$", "/filename.php?p", false},
      {"/*.php$", "/php.php5", false},
      {"/this/*/exactly", "/this/x/y/exactly", true},
      {"/this/*/exactly", "/this/exactly", false},
      {"*", "/", true},
      {"/*", "/anything", true},
      {"/a**b", "/ab", true},
      {"/a*b*c$", "/abxbc", true},
      {"/a*b*c$", "/acb", false},
      {"/a*b*c$", "/abcbc", true},
      {"/a*bc$", "/abc", true},
      {"/a*bcb$", "/abcb", true},
      {"/a*ab$", "/ab", false},
      {"/$", "/", true},
      {"/$", "/a", false},
      {"/a$b", "/a$b", true},
      {"/a$b", "/ab", false},
      {"/*$", "/x", true},
      {"fish", "/fish", false},
  };
  for (const Case& c : cases) {
    const RobotsRules rules = fetcher_rules("Disallow: " + std::string(c.pattern) + "\n");
    EXPECT_EQ(rules.allowed(c.path), !c.matches) << "pattern " << c.pattern << ", path " << c.path;
  }
}

TEST(RobotsMatching, ManyStarsAgainstALongPathFinishAndAnswerRightly) {
  const std::string path = "/" + std::string(20'000, 'a');
  EXPECT_TRUE(fetcher_rules("Disallow: /*a*a*a*a*a*a*a*a*a*a*b\n").allowed(path));
  EXPECT_FALSE(fetcher_rules("Disallow: /*a*a*a*a*a*a*a*a*a*a$\n").allowed(path));
}

TEST(RobotsMatching, QueryIsPartOfTheMatchedPath) {
  const RobotsRules rules = fetcher_rules("Disallow: /foo/bar?baz=quz\nDisallow: /*?sort=\n");
  EXPECT_FALSE(rules.allowed("/foo/bar?baz=quz"));
  EXPECT_FALSE(rules.allowed("/foo/bar?baz=quz&x=1"));
  EXPECT_TRUE(rules.allowed("/foo/bar?baz=other"));
  EXPECT_TRUE(rules.allowed("/foo/bar"));
  EXPECT_FALSE(rules.allowed("/list?sort=asc"));
}

TEST(RobotsMatching, EmptyDisallowDisallowsNothing) {
  const RobotsRules rules = RobotsRules::parse("User-agent: *\nDisallow:\n", "fetcher");
  EXPECT_TRUE(rules.allowed("/"));
  EXPECT_TRUE(rules.allowed("/anything"));
  // An empty Allow adds nothing either: the Disallow still applies.
  EXPECT_FALSE(fetcher_rules("Allow:\nDisallow: /\n").allowed("/x"));
}

TEST(RobotsMatching, RobotsTxtIsAlwaysAllowed) {
  const RobotsRules rules = fetcher_rules("Disallow: /\nDisallow: /robots.txt\n");
  EXPECT_TRUE(rules.allowed("/robots.txt"));
  EXPECT_TRUE(rules.allowed("/robots%2Etxt"));
  EXPECT_FALSE(rules.allowed("/robots.txt.bak"));
  EXPECT_TRUE(RobotsRules::disallow_all().allowed("/robots.txt"));
}

TEST(RobotsMatching, EmptyTargetIsTheRoot) {
  EXPECT_FALSE(fetcher_rules("Disallow: /$\n").allowed(""));
  EXPECT_TRUE(fetcher_rules("Disallow: /a\n").allowed(""));
}

// --- percent-encoding ---

TEST(RobotsEncoding, EscapesOfUnreservedCharactersMatchTheCharacters) {
  // Both directions: the escape in the pattern or in the path.
  EXPECT_FALSE(fetcher_rules("Disallow: /%7Efoo\n").allowed("/~foo"));
  EXPECT_FALSE(fetcher_rules("Disallow: /~foo\n").allowed("/%7Efoo"));
  EXPECT_FALSE(fetcher_rules("Disallow: /~foo\n").allowed("/%7efoo"));
  // RFC 9309 2.2.2's table: "/foo/bar/%62%61%7A" is matched as "/foo/bar/baz".
  EXPECT_FALSE(fetcher_rules("Disallow: /foo/bar/%62%61%7A\n").allowed("/foo/bar/baz"));
  EXPECT_FALSE(fetcher_rules("Disallow: /foo/bar/baz$\n").allowed("/foo/bar/%62%61%7A"));
}

TEST(RobotsEncoding, HexDigitsCompareInEitherCase) {
  EXPECT_FALSE(fetcher_rules("Disallow: /%e3%83%84\n").allowed("/%E3%83%84"));
  EXPECT_FALSE(fetcher_rules("Disallow: /%E3%83%84\n").allowed("/%e3%83%84"));
}

TEST(RobotsEncoding, RawUtf8AndItsEscapesAreOnePath) {
  // RFC 9309 2.2.2's table: "/foo/bar/U+E38384" is matched as "/foo/bar/%E3%83%84".
  EXPECT_FALSE(fetcher_rules("Disallow: /foo/bar/\xE3\x83\x84\n").allowed("/foo/bar/%E3%83%84"));
  EXPECT_FALSE(fetcher_rules("Disallow: /foo/bar/%E3%83%84\n").allowed("/foo/bar/\xE3\x83\x84"));
  EXPECT_TRUE(fetcher_rules("Disallow: /foo/bar/\xE3\x83\x84\n").allowed("/foo/bar/%E3%83%85"));
}

TEST(RobotsEncoding, ReservedCharactersKeepTheirForm) {
  EXPECT_TRUE(fetcher_rules("Disallow: /a/b\n").allowed("/a%2Fb"));
  EXPECT_FALSE(fetcher_rules("Disallow: /a%2fb\n").allowed("/a%2Fb"));
  // An escaped '*' or '$' in a pattern is a literal character, not a wildcard or an anchor.
  EXPECT_FALSE(fetcher_rules("Disallow: /a%2Ab\n").allowed("/a%2Ab"));
  EXPECT_TRUE(fetcher_rules("Disallow: /a%2Ab\n").allowed("/axb"));
  EXPECT_FALSE(fetcher_rules("Disallow: /price%24\n").allowed("/price%24/list"));
}

TEST(RobotsEncoding, CharactersThatMayNotBeRawMatchTheirEscapes) {
  EXPECT_FALSE(fetcher_rules("Disallow: /a b\n").allowed("/a%20b"));
  EXPECT_FALSE(fetcher_rules("Disallow: /a%20b\n").allowed("/a b"));
  EXPECT_FALSE(fetcher_rules("Disallow: /{x}|\n").allowed("/%7Bx%7D%7C"));
  // A '%' that starts no escape stands for itself.
  EXPECT_FALSE(fetcher_rules("Disallow: /100%\n").allowed("/100%25"));
  EXPECT_FALSE(fetcher_rules("Disallow: /100%25\n").allowed("/100%"));
  EXPECT_FALSE(fetcher_rules("Disallow: /%zz\n").allowed("/%25zz"));
}

TEST(RobotsEncoding, LongTargetsAreNormalisedWhole) {
  const std::string tail(5'000, 'x');
  const RobotsRules rules = fetcher_rules("Disallow: /~" + tail + "$\n");
  EXPECT_FALSE(rules.allowed("/%7E" + tail));
  EXPECT_FALSE(rules.allowed("/~" + tail));
  EXPECT_TRUE(rules.allowed("/%7E" + tail + "y"));
}

// --- syntax ---

TEST(RobotsSyntax, LineEndsLfCrAndCrlf) {
  for (std::string_view eol : {"\n", "\r", "\r\n"}) {
    const std::string text = "User-agent: other" + std::string(eol) + "Disallow: /o" + std::string(eol) +
                             "User-agent: fetcher" + std::string(eol) + "Disallow: /a" + std::string(eol) +
                             "Allow: /a/b";
    expect_paths(text, "fetcher", {{"/a", false}, {"/a/b", true}, {"/o", true}});
  }
}

TEST(RobotsSyntax, LeadingBomIsSkipped) {
  expect_paths("\xEF\xBB\xBFUser-agent: fetcher\nDisallow: /a\n", "fetcher", {{"/a", false}});
}

TEST(RobotsSyntax, CommentsAreIgnored) {
  expect_paths(
      "# rules for fetcher\nUser-agent: fetcher # ours\n"
      "Disallow: /a # not /b\n#Disallow: /c\nDisallow: /d#e\n",
      "fetcher", {{"/a", false}, {"/b", true}, {"/c", true}, {"/d", false}, {"/dx", false}});
}

TEST(RobotsSyntax, KeysAreCaseInsensitiveAndWhitespaceIsTolerated) {
  expect_paths("  USER-AGENT  :  fetcher  \n\tdisallow\t:\t/a\t\nALLOW :/a/b\n  DisAllow:/c  \n", "fetcher",
               {{"/a", false}, {"/a/b", true}, {"/c", false}, {"/d", true}});
}

TEST(RobotsSyntax, LinesWithoutColonAndUnknownKeysAreIgnored) {
  expect_paths("User-agent: fetcher\nDisallow /a\nNoindex: /b\nHost: example.com\n<html>\nDisallow: /c\n", "fetcher",
               {{"/a", true}, {"/b", true}, {"/c", false}});
}

TEST(RobotsSyntax, OnlyTheFirstParseLimitBytesAreParsed) {
  std::string text = "User-agent: fetcher\nDisallow: /early\n";
  text += "# " + std::string(robots_parse_limit, 'x') + "\n";  // a comment that crosses the limit
  text += "Disallow: /late\n";
  expect_paths(text, "fetcher", {{"/early", false}, {"/late", true}});
}

TEST(RobotsSyntax, ALineCutAtTheParseLimitIsDropped) {
  // "Disallow: /pub" would be cut to "Disallow: /" at the limit; it is dropped instead.
  std::string text = "User-agent: fetcher\nDisallow: /early\n";
  const std::string last_line = "Disallow: /pub";
  text += std::string(robots_parse_limit - text.size() - 12, '\n');
  text += last_line;
  ASSERT_GT(text.size(), robots_parse_limit);
  expect_paths(text, "fetcher", {{"/early", false}, {"/other", true}, {"/pub", true}});
}

TEST(RobotsSyntax, ALineEndingJustInsideTheParseLimitIsParsed) {
  std::string text = "User-agent: fetcher\n";
  const std::string last_line = "Disallow: /last\n";
  text += std::string(robots_parse_limit - text.size() - last_line.size(), '\n') + last_line;
  text += "Disallow: /beyond\n";
  expect_paths(text, "fetcher", {{"/last", false}, {"/beyond", true}});
}

// --- Crawl-delay ---

TEST(RobotsCrawlDelay, ValuesAreDecimalSecondsCappedAtOneMinute) {
  struct Case {
    std::string_view value;
    std::optional<milliseconds> delay;
  };
  const std::vector<Case> cases = {
      {"1", milliseconds(1000)},
      {"0.5", milliseconds(500)},
      {".25", milliseconds(250)},
      {"5.", milliseconds(5000)},
      {"0", milliseconds(0)},
      {"2.0009", milliseconds(2000)},
      {"10 ", milliseconds(10'000)},
      {"60", milliseconds(60'000)},
      {"61", milliseconds(60'000)},
      {"99999999999999999999999", milliseconds(60'000)},
      {"-1", std::nullopt},
      {"+1", std::nullopt},
      {"abc", std::nullopt},
      {"1e3", std::nullopt},
      {"", std::nullopt},
      {".", std::nullopt},
      {"1.2.3", std::nullopt},
      {"1 s", std::nullopt},
      {"inf", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(fetcher_rules("Crawl-delay: " + std::string(c.value) + "\n").crawl_delay(), c.delay)
        << "value '" << c.value << "'";
  }
}

TEST(RobotsCrawlDelay, ComesFromTheChosenGroupOnly) {
  const std::string_view text = "User-agent: *\nCrawl-delay: 5\n\nUser-agent: fetcher\nDisallow: /a\n";
  EXPECT_EQ(RobotsRules::parse(text, "fetcher").crawl_delay(), std::nullopt);
  EXPECT_EQ(RobotsRules::parse(text, "other").crawl_delay(), milliseconds(5000));
}

TEST(RobotsCrawlDelay, FirstValidValueOfTheMergedGroupsCounts) {
  const std::string_view text =
      "User-agent: fetcher\nCrawl-delay: soon\n\nUser-agent: fetcher\nCrawl-delay: 2\nCrawl-delay: 3\n";
  EXPECT_EQ(RobotsRules::parse(text, "fetcher").crawl_delay(), milliseconds(2000));
}

TEST(RobotsCrawlDelay, CrawlDelayEndsTheAgentRun) {
  const std::string_view text = "User-agent: other\nCrawl-delay: 1\nUser-agent: fetcher\nDisallow: /a\n";
  EXPECT_EQ(RobotsRules::parse(text, "other").crawl_delay(), milliseconds(1000));
  EXPECT_TRUE(RobotsRules::parse(text, "other").allowed("/a"));
}

TEST(RobotsCrawlDelay, NoneWithoutAParsedFile) {
  EXPECT_EQ(RobotsRules::allow_all().crawl_delay(), std::nullopt);
  EXPECT_EQ(RobotsRules::disallow_all().crawl_delay(), std::nullopt);
}

// --- rules_for_response and the fixed rule sets ---

TEST(RobotsResponse, StatusDecidesTheRules) {
  using Source = RobotsRules::Source;
  struct Case {
    bool delivered;
    unsigned status;
    Source source;
    bool page_allowed;
  };
  const std::vector<Case> cases = {
      {true, 200, Source::parsed, false},       {true, 204, Source::parsed, true},
      {true, 301, Source::allow_all, true},     {true, 404, Source::allow_all, true},
      {true, 403, Source::allow_all, true},     {true, 401, Source::allow_all, true},
      {true, 410, Source::allow_all, true},     {true, 429, Source::disallow_all, false},
      {true, 500, Source::disallow_all, false}, {true, 503, Source::disallow_all, false},
      {true, 100, Source::disallow_all, false}, {true, 600, Source::disallow_all, false},
      {false, 0, Source::disallow_all, false},  {false, 200, Source::disallow_all, false},
  };
  for (const Case& c : cases) {
    // The body is parsed only for a 2xx; 204's body is empty however the server sent it.
    const std::string_view body = c.status == 204 ? "" : "User-agent: *\nDisallow: /page\n";
    const RobotsRules rules = rules_for_response(c.delivered, c.status, body, "fetcher");
    EXPECT_EQ(rules.source(), c.source) << c.delivered << " " << c.status;
    EXPECT_EQ(rules.allowed("/page"), c.page_allowed) << c.delivered << " " << c.status;
  }
}

TEST(RobotsResponse, ParsedBodyUsesTheProductToken) {
  const std::string_view body = "User-agent: fetcher\nDisallow: /mine\n\nUser-agent: *\nDisallow: /\n";
  const RobotsRules rules = rules_for_response(true, 200, body, "fetcher");
  EXPECT_FALSE(rules.allowed("/mine"));
  EXPECT_TRUE(rules.allowed("/other"));
}

TEST(RobotsResponse, AllowAllAndDisallowAll) {
  EXPECT_EQ(RobotsRules::allow_all().source(), RobotsRules::Source::allow_all);
  EXPECT_TRUE(RobotsRules::allow_all().allowed("/"));
  EXPECT_TRUE(RobotsRules::allow_all().allowed("/any/where?q=1"));
  EXPECT_EQ(RobotsRules::disallow_all().source(), RobotsRules::Source::disallow_all);
  EXPECT_FALSE(RobotsRules::disallow_all().allowed("/"));
  EXPECT_FALSE(RobotsRules::disallow_all().allowed("/any/where?q=1"));
}

// --- product_token ---

TEST(RobotsProductToken, FirstTokenOfTheUserAgent) {
  struct Case {
    std::string_view user_agent;
    std::string_view token;
  };
  const std::vector<Case> cases = {
      {"fetcher/0.1 (+https://example.org)", "fetcher"},
      {"fetcher", "fetcher"},
      {"  fetcher/2", "fetcher"},
      {"Example_Bot-x/1.0", "Example_Bot-x"},
      {"Mozilla/5.0 (compatible; ExampleBot/0.1)", "Mozilla"},
      {"bot2000/1", "bot"},
      {"fetcher crawler", "fetcher"},
      {"/1.0", ""},
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(product_token(c.user_agent), c.token) << c.user_agent;
}

}  // namespace
