// Unit tests for what a person sees from the bench and get: colour and width handling, the
// table's fit to 80 columns and its footer, the bars and histogram, the progress line, the
// explanation read from hand-built reports, the HTML report and `fetcher get`'s lines.
#include "sanitizer_scale.hpp"
#include "text_lines.hpp"
#include "bench/bench_report.hpp"
#include "bench/explain.hpp"
#include "get/get_output.hpp"
#include "bench/html_report.hpp"
#include "bench/progress.hpp"
#include "common/terminal_charts.hpp"
#include "common/terminal_style.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace fetcher::cli {
namespace {

using namespace std::chrono_literals;

using testing::lines_of;

std::size_t count_of(const std::string& text, const std::string& piece) {
  std::size_t count = 0;
  for (auto at = text.find(piece); at != std::string::npos; at = text.find(piece, at + piece.size())) ++count;
  return count;
}

bool contains(const std::string& text, const std::string& piece) { return text.find(piece) != std::string::npos; }

// The text without ANSI escape sequences.
std::string plain(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\033') {
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

void expect_fits(const std::string& text, std::size_t width = 80) {
  for (const auto& line : lines_of(text)) EXPECT_LE(display_width(line), width) << "[" << line << "]";
}

// Sets an environment variable for one scope, then puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// ---------------------------------------------------------------------------------------------
// Hand-built reports

StrategyRow row(const std::string& strategy, double wall_s, double ideal_s, unsigned threads = 1, long rss_kb = 12000,
                double cpu_s = 0.02, double p50 = 0.35, double p95 = 0.7) {
  StrategyRow r;
  r.report.strategy = strategy;
  r.report.wall = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(wall_s));
  r.usage.cpu_user_s = cpu_s;
  r.report.requests = 13;
  r.report.ok = 13;
  r.report.latency.count = 13;
  r.report.latency.p50 = p50;
  r.report.latency.p95 = p95;
  r.report.latency.max = p95;
  r.report.peak_threads = threads;
  r.usage.peak_rss_kb = rss_kb;
  r.ideal_s = ideal_s;
  return r;
}

nlohmann::json seen(const std::string& host, int requests, int connections, int peak) {
  return {{"host", host}, {"requests", requests}, {"connections", connections}, {"peak_concurrent", peak}};
}

// Shaped like python-docs.txt: 12 pages on a host serving 8 at once, one redirected URL of 2 x 364 ms.
ListReport docs_list() {
  ListReport list;
  list.name = "python-docs.txt";
  list.urls = 13;
  list.origin_note = "emulated origin (2 hosts)";
  list.model.hosts = {{"www.python.org", 1, 0.380, 0}, {"docs.python.org", 12, 0.340, 8}};
  list.model.slowest_url = "http://www.python.org";
  list.model.slowest_url_s = 0.728;
  list.model.slowest_url_requests = 2;
  list.model.all_at_once_s = 0.728;
  list.strategies = {row("sequential", 4.94, 4.85, 1, 12800, 0.026, 0.353, 0.75),
                     row("threads", 0.738, 0.728, 14, 14800, 0.038, 0.382, 0.735),
                     row("pool:1", 4.91, 4.85, 2, 12900),
                     row("pool:2", 2.46, 2.44, 3, 13000),
                     row("pool:4", 1.40, 1.37, 5, 13200),
                     row("pool:8", 0.744, 0.728, 9, 13600),
                     row("pool:16", 0.758, 0.728, 17, 14000),
                     row("pool:32", 0.757, 0.728, 26, 15200, 0.047),
                     row("async", 0.734, 0.728, 1, 13900, 0.022, 0.371, 0.734)};
  for (auto& r : list.strategies) {
    r.origin_seen = nlohmann::json::array(
        {seen("cs.mipt.ru", 0, 0, 0), seen("docs.python.org", 12, 12, 8), seen("www.python.org", 2, 2, 1)});
    r.latencies_s = {0.345, 0.35, 0.36, 0.34, 0.35, 0.36, 0.37, 0.35, 0.69, 0.70, 0.71, 0.72, 0.734};
  }
  list.strategies[0].origin_seen[1]["peak_concurrent"] = 1;
  return list;
}

// Shaped like mipt.txt: 80 URLs on one host serving one request at a time.
ListReport mipt_list() {
  ListReport list;
  list.name = "mipt.txt";
  list.urls = 80;
  list.model.hosts = {{"cs.mipt.ru", 80, 0.066, 1}};
  list.model.slowest_url = "https://cs.mipt.ru/a";
  list.model.slowest_url_s = 0.069;
  list.model.all_at_once_s = 5.30;
  list.strategies = {row("sequential", 5.36, 5.30, 1, 12000, 0.026, 0.0669, 0.0693),
                     row("threads", 5.35, 5.30, 81, 21000, 0.085, 2.66, 5.05),
                     row("pool:1", 5.34, 5.30),
                     row("pool:8", 5.34, 5.30, 9),
                     row("pool:32", 5.35, 5.30, 33, 16000),
                     row("async", 5.34, 5.30, 1, 12500, 0.031, 2.67, 5.07)};
  for (auto& r : list.strategies) {
    r.origin_seen = nlohmann::json::array({seen("cs.mipt.ru", 80, 80, 1)});
    r.report.requests = r.report.ok = 80;
    for (int i = 0; i < 80; ++i) r.latencies_s.push_back(0.066 * (i + 1));
  }
  return list;
}

// Shaped like popular.txt: 8 hosts with no capacity limit, the slowest 1.23 s.
ListReport popular_list() {
  ListReport list;
  list.name = "popular.txt";
  list.urls = 8;
  for (const char* host : {"a.test", "b.test", "c.test", "d.test", "e.test", "f.test", "g.test", "www.twilio.com"}) {
    list.model.hosts.push_back({host, 1, 0.5, 0});
  }
  list.model.slowest_url = "https://www.twilio.com";
  list.model.slowest_url_s = 1.23;
  list.model.all_at_once_s = 1.23;
  list.strategies = {row("sequential", 4.82, 4.79), row("pool:4", 1.68, 1.67), row("pool:8", 1.24, 1.23),
                     row("pool:16", 1.25, 1.23), row("async", 1.24, 1.23)};
  for (auto& r : list.strategies) {
    r.origin_seen = nlohmann::json::array();
    for (const auto& host : list.model.hosts) r.origin_seen.push_back(seen(host.host, 1, 1, 1));
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// terminal_style

TEST(ColorMode, ParsesTheThreeNames) {
  EXPECT_EQ(parse_color_mode("auto"), ColorMode::automatic);
  EXPECT_EQ(parse_color_mode("always"), ColorMode::always);
  EXPECT_EQ(parse_color_mode("never"), ColorMode::never);
  try {
    parse_color_mode("sometimes");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), "--color: unknown value 'sometimes' (expected auto, always or never)");
  }
}

TEST(DetectStyle, FilesGetNoColourUnlessForcedAndNoColorIsHonoured) {
  ScopedEnv lang("LC_ALL", "en_US.UTF-8");
  EXPECT_FALSE(detect_style(ColorMode::automatic, -1).color);
  EXPECT_FALSE(detect_style(ColorMode::automatic, -1).unicode);  // a file: plain ASCII
  EXPECT_TRUE(detect_style(ColorMode::always, -1).color);
  EXPECT_TRUE(detect_style(ColorMode::always, -1).unicode);
  EXPECT_FALSE(detect_style(ColorMode::never, -1).color);
  {
    ScopedEnv no_color("NO_COLOR", "1");
    EXPECT_FALSE(detect_style(ColorMode::automatic, -1).color);
    EXPECT_TRUE(detect_style(ColorMode::always, -1).color);  // the flag wins over the variable
  }
  ScopedEnv c_locale("LC_ALL", "C");
  EXPECT_FALSE(detect_style(ColorMode::always, -1).unicode);
}

TEST(Paint, OnlyWithColour) {
  EXPECT_EQ(paint(Style{}, Paint::bold, "x"), "x");
  EXPECT_EQ(paint(Style{true, false}, Paint::bold, "x"), "\033[1mx\033[0m");
  EXPECT_EQ(paint(Style{true, false}, Paint::red, ""), "");
}

TEST(DisplayWidth, CountsCodePointsAndSkipsEscapes) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("\u2588\u2592#"), 3u);
  EXPECT_EQ(display_width("\033[1;32mab\033[0m"), 2u);
}

TEST(TruncateToWidth, KeepsEscapesWholeAndResets) {
  EXPECT_EQ(truncate_to_width("abcdef", 3), "abc");
  EXPECT_EQ(truncate_to_width("ab", 5), "ab");
  EXPECT_EQ(truncate_to_width("\u2588\u2588\u2588", 2), "\u2588\u2588");
  EXPECT_EQ(truncate_to_width("\033[1mabcdef\033[0m", 2), "\033[1mab\033[0m");
}

TEST(WrapWords, FillsLinesIndentsAndKeepsUnitsWithNumbers) {
  const auto lines = wrap_words("- pool:16 and pool:32 were no faster (758 ms and 757 ms)", 38, "  ");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "- pool:16 and pool:32 were no faster");
  EXPECT_EQ(lines[1], "  (758 ms and 757 ms)");
  const auto glued = wrap_words("took 758 ms", 9);
  EXPECT_EQ(glued, (std::vector<std::string>{"took", "758 ms"}));
  EXPECT_EQ(wrap_words("averyveryverylongword x", 5), (std::vector<std::string>{"averyveryverylongword", "x"}));
  EXPECT_TRUE(wrap_words("   ", 10).empty());
}

// ---------------------------------------------------------------------------------------------
// The table at 80 columns

TEST(TableFit, RealisticListsFitWithTwoSpaces) {
  for (const auto& list : {docs_list(), mipt_list(), popular_list()}) {
    const auto text = render_table(list);
    expect_fits(text);
    EXPECT_TRUE(contains(text, "  strategy      wall")) << text;  // two spaces kept
  }
}

TEST(TableFit, WorstCaseWidthsFallBackToOneSpace) {
  // Every time column 7 wide ("xx.x ms"), eff 100%, a 7-wide speedup and a long ok/fail.
  ListReport list;
  list.name = "w.txt";
  list.urls = 10000;
  list.strategies = {row("sequential", 0.0555, 0.0555, 1, 1, 0.0555, 0.0555, 0.0555),
                     row("pool:32", 0.000555, 0.000555, 1, 1, 0.0555, 0.0555, 0.0555)};
  list.strategies[0].report.ok = 10000;
  list.strategies[0].report.failed = 10000;
  const auto text = render_table(list);
  expect_fits(text);
  EXPECT_TRUE(contains(text, "100.00x")) << text;
}

TEST(TableFit, ColourChangesNoAlignment) {
  const auto list = docs_list();
  const auto coloured = render_table(list, Style{true, true});
  EXPECT_NE(coloured, render_table(list));
  EXPECT_EQ(plain(coloured), render_table(list));
  EXPECT_TRUE(contains(coloured, "\033[1;32m* async")) << coloured;
}

TEST(TableFooter, FastestWithTiesAndOriginOnTwoHosts) {
  const auto text = render_table(docs_list());
  EXPECT_TRUE(contains(text, "* fastest: async, 734 ms (6.73x sequential); within 2%: threads, pool:8\n")) << text;
  EXPECT_TRUE(contains(text,
                       "origin saw per strategy: docs.python.org 12 req, 12 conn, peak 1-8 (serves 8);\n"
                       "  www.python.org 2 req, 2 conn, peak 1\n"))
      << text;
  EXPECT_FALSE(contains(text, "cs.mipt.ru")) << "hosts without requests are left out";
}

TEST(TableFooter, EveryStrategyTiedAndOneHost) {
  const auto text = render_table(mipt_list());
  EXPECT_TRUE(contains(text, "* fastest: pool:1, 5.34 s (1.00x sequential); all within 2%\n")) << text;
  EXPECT_TRUE(contains(text, "origin saw per strategy: cs.mipt.ru 80 req, 80 conn, peak 1 (serves 1)\n")) << text;
}

TEST(TableFooter, ManyHostsAreSummedUp) {
  auto list = popular_list();
  auto text = render_table(list);
  EXPECT_TRUE(contains(text, "origin saw per strategy: 8 hosts, 8 req, 8 conn in all; peak per host 1\n")) << text;
  // With keep-alive a strategy may open fewer connections; one host may stand out.
  list.strategies[1].origin_seen[0]["connections"] = 0;
  list.strategies[1].origin_seen[7]["requests"] = 3;
  text = render_table(list);
  std::string unwrapped;
  for (const auto& line : lines_of(text)) unwrapped += (line.rfind("  ", 0) == 0 ? line.substr(1) : "\n" + line);
  EXPECT_TRUE(contains(unwrapped, "8 hosts, 8-10 req, 7-8 conn in all; busiest www.twilio.com 1-3 req, 1 conn, peak 1"))
      << unwrapped;
}

TEST(TableFooter, OneStrategyHasNoMarkerAndUnknownOriginShapesAreIgnored) {
  ListReport list;
  list.name = "one.txt";
  list.strategies = {row("async", 1, -1)};
  list.strategies[0].origin_seen = {{"127.0.0.1", {{"requests", 10}}}};  // not the origin's array
  const auto text = render_table(list);
  EXPECT_FALSE(contains(text, "*")) << text;
  EXPECT_FALSE(contains(text, "origin saw")) << text;
}

// ---------------------------------------------------------------------------------------------
// Narrow terminals: the table leaves out columns, prose wraps between words

Style narrow(std::size_t columns) {
  Style style;
  style.columns = columns;
  return style;
}

// A list whose table and footer are wide: repeated runs (a spread in every wall cell), failures,
// a URL every strategy failed, and a long origin note.
ListReport wide_list() {
  auto list = docs_list();
  list.origin_note = "emulated origin (13 URLs on 2 hosts, www.python.org and docs.python.org)";
  list.urls = 14;
  list.fetched_urls = 13;
  for (auto& r : list.strategies) {
    r.report.failed = 1;
    r.wall_runs_s = {r.report.wall_seconds() * 0.97, r.report.wall_seconds(), r.report.wall_seconds() * 1.04};
  }
  return list;
}

// The shared lists with every URL fetched, so their footers end with the agreement on SHA-256.
std::vector<ListReport> narrow_lists() {
  std::vector<ListReport> lists = {docs_list(), mipt_list(), popular_list(), wide_list()};
  for (auto& list : lists) {
    if (list.fetched_urls == 0) list.fetched_urls = list.urls;
  }
  return lists;
}

std::vector<std::string> words_of_text(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// The words of `text` one space apart: what it says, however it was wrapped.
std::string joined_words(const std::string& text) {
  std::string joined;
  for (const auto& word : words_of_text(text)) joined += (joined.empty() ? "" : " ") + word;
  return joined;
}

// The table's header: the line that starts with the strategy column.
std::size_t header_index(const std::vector<std::string>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("  strategy ", 0) == 0) return i;
  }
  return lines.size();
}

// The words of every line that is not the table (its header and a line per strategy) or the
// left-out note: what wrapping may move between lines but must never change.
std::vector<std::string> prose_words(const std::string& text, const ListReport& list) {
  const auto lines = lines_of(text);
  const auto header = header_index(lines);
  std::string prose;
  bool in_note = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i >= header && i <= header + list.strategies.size()) continue;
    if (lines[i].rfind("narrow terminal:", 0) == 0)
      in_note = true;
    else if (lines[i].rfind("  ", 0) != 0)
      in_note = false;
    if (!in_note) prose += lines[i] + "\n";
  }
  return words_of_text(prose);
}

TEST(NarrowTerminal, EveryLineFitsAndNoWordIsBrokenAt60And80And120Columns) {
  for (const auto& list : narrow_lists()) {
    const auto reference = prose_words(render_table(list), list);
    for (const std::size_t columns : {60, 80, 120}) {
      const auto text = render_table(list, narrow(columns));
      expect_fits(text, std::min<std::size_t>(columns, 80));
      // Wrapping only moves words between lines: the same words, whole, in the same order.
      EXPECT_EQ(prose_words(text, list), reference) << columns << " columns:\n" << text;
      EXPECT_TRUE(contains(text, "SHA-256")) << text;
      const auto lines = lines_of(text);
      ASSERT_LT(header_index(lines), lines.size()) << text;
      const auto header = words_of_text(lines[header_index(lines)]);
      ASSERT_GE(header.size(), 2u);
      EXPECT_EQ(header[0], "strategy");
      EXPECT_EQ(header[1], "wall");
    }
    // 80 columns and more: the whole table; a terminal that wide wraps only what is over 80.
    EXPECT_EQ(render_table(list, narrow(120)), render_table(list, narrow(80)));
    EXPECT_EQ(count_of(render_table(list, narrow(80)), "narrow terminal"), 0u);
  }
}

TEST(NarrowTerminal, TheNoteAppearsExactlyWhenColumnsAreLeftOut) {
  for (const auto& list : narrow_lists()) {
    const auto full = lines_of(render_table(list));
    const auto full_header = words_of_text(full[header_index(full)]);
    // The narrowest terminal that shows every column (one space apart if need be).
    std::size_t whole = 0;
    for (std::size_t columns = 120; columns >= 20; --columns) {
      const auto lines = lines_of(render_table(list, narrow(columns)));
      if (words_of_text(lines[header_index(lines)]).size() < full_header.size()) break;
      whole = columns;
    }
    ASSERT_GT(whole, 20u);
    EXPECT_LE(whole, 80u);
    for (std::size_t columns = 20; columns <= 120; ++columns) {
      const auto text = render_table(list, narrow(columns));
      const auto lines = lines_of(text);
      const bool left_out = words_of_text(lines[header_index(lines)]).size() < full_header.size();
      EXPECT_EQ(left_out, columns < whole) << columns << ":\n" << text;
      // The note may wrap on a very narrow terminal: look for it in the words, one space apart.
      const auto words = joined_words(text);
      EXPECT_EQ(count_of(words, "narrow terminal: left out "), left_out ? 1u : 0u) << columns << ":\n" << text;
      if (left_out) {
        EXPECT_TRUE(contains(words, "widen to " + std::to_string(whole) + " columns to see")) << text;
      }
    }
  }
}

TEST(NarrowTerminal, ColumnsGoInTheFixedOrderAndStrategyAndWallStay) {
  const auto list = narrow_lists()[0];
  const std::vector<std::string> order = {"cpu", "p95", "conn", "ideal", "speedup", "eff", "ok/fail"};
  std::size_t dropped_before = 0;
  for (std::size_t columns = 80; columns >= 10; --columns) {
    const auto text = render_table(list, narrow(columns));
    const auto lines = lines_of(text);
    const auto header = words_of_text(lines[header_index(lines)]);
    const std::size_t dropped = 9 - header.size();
    EXPECT_GE(dropped, dropped_before) << "a narrower terminal never shows more columns";
    dropped_before = dropped;
    // The columns left out are the first of the order, and the note names them in that order.
    for (std::size_t i = 0; i < order.size(); ++i) {
      const bool shown = std::find(header.begin(), header.end(), order[i]) != header.end();
      EXPECT_EQ(shown, i >= dropped) << columns << ": " << order[i] << "\n" << text;
    }
    EXPECT_EQ(header[0], "strategy");
    EXPECT_EQ(header[1], "wall");
  }
  EXPECT_EQ(dropped_before, order.size());
  const auto text = render_table(list, narrow(20));
  EXPECT_TRUE(contains(joined_words(text),
                       "narrow terminal: left out cpu, p95, conn, ideal, speedup, eff and ok/fail; "
                       "widen to 66 columns to see them"))
      << text;
  expect_fits(text, 20);
}

TEST(NarrowTerminal, At60ColumnsTheDocsTableAndFooter) {
  EXPECT_EQ(render_table(narrow_lists()[0], narrow(60)),
            "python-docs.txt: 13 URLs, emulated origin (2 hosts)\n"
            "  strategy      wall   ideal  eff  speedup  conn  ok/fail\n"
            "  sequential  4.94 s  4.85 s  98%    1.00x     0     13/0\n"
            "  threads     738 ms  728 ms  99%    6.69x     0     13/0\n"
            "  pool:1      4.91 s  4.85 s  99%    1.01x     0     13/0\n"
            "  pool:2      2.46 s  2.44 s  99%    2.01x     0     13/0\n"
            "  pool:4      1.40 s  1.37 s  98%    3.53x     0     13/0\n"
            "  pool:8      744 ms  728 ms  98%    6.64x     0     13/0\n"
            "  pool:16     758 ms  728 ms  96%    6.52x     0     13/0\n"
            "  pool:32     757 ms  728 ms  96%    6.53x     0     13/0\n"
            "* async       734 ms  728 ms  99%    6.73x     0     13/0\n"
            "narrow terminal: left out cpu and p95; widen to 66 columns\n"
            "  to see them\n"
            "* fastest: async, 734 ms (6.73x sequential); within 2%:\n"
            "  threads, pool:8\n"
            "origin saw per strategy: docs.python.org 12 req, 12 conn,\n"
            "  peak 1-8 (serves 8); www.python.org 2 req, 2 conn, peak 1\n"
            "all strategies agreed on every URL's status, size and\n"
            "  SHA-256\n");
}

// Not a terminal (columns 0: a file, or a pipe without COLUMNS): the layout made for 80 columns,
// nothing left out and the title whole, however long.
TEST(NarrowTerminal, AFileOrAPipeKeepsTheLayoutItHad) {
  const auto list = narrow_lists()[3];
  const auto text = render_table(list);
  EXPECT_EQ(count_of(text, "narrow terminal"), 0u);
  EXPECT_EQ(lines_of(text)[0], "python-docs.txt: 14 URLs, " + list.origin_note);
  EXPECT_GT(display_width(lines_of(text)[0]), 80u);
  EXPECT_EQ(words_of_text(lines_of(text)[header_index(lines_of(text))]).size(), 9u);
  const auto on_80 = render_table(list, narrow(80));
  expect_fits(on_80, 80);
  EXPECT_EQ(lines_of(on_80)[1], "  and docs.python.org)");
}

TEST(NarrowTerminal, DisagreementsWrapUnderTheirHeadingInRed) {
  auto list = docs_list();
  list.agree = false;
  list.disagreements = {
      "https://docs.python.org/3/library/index.html: sequential got 200 and 31,500 bytes, async "
      "got 200 and 31,499 bytes"};
  const auto text = render_table(list, narrow(60));
  expect_fits(text, 60);
  EXPECT_TRUE(contains(text,
                       "strategies DISAGREED:\n  https://docs.python.org/3/library/index.html: sequential\n"
                       "    got 200 and"))
      << text;
  const auto coloured = render_table(list, Style{true, false, 60});
  EXPECT_EQ(plain(coloured), text);
  EXPECT_TRUE(contains(coloured, "\033[31m    got 200")) << coloured;
}

TEST(NarrowTerminal, ChartsAndExplanationFitAndKeepWordsWhole) {
  for (const auto& list : narrow_lists()) {
    for (const std::size_t columns : {60, 80, 120}) {
      const auto width = std::min<std::size_t>(columns, 80);
      expect_fits(render_wall_bars(list, Style{}, width), width);
      const auto histogram = render_latency_histogram(list, default_histogram_strategy(list), Style{}, width);
      expect_fits(histogram, width);
      if (!list.strategies.back().latencies_s.empty()) {
        EXPECT_TRUE(contains(joined_words(histogram), "fetches: p50")) << histogram;
      }
      expect_fits(render_explanation(list, width), width);
    }
  }
  // The histogram's title wraps between figures, each number with its unit.
  const auto lines = lines_of(render_latency_histogram(docs_list(), "async", Style{}, 60));
  EXPECT_EQ(lines[0], "latency of async, 13 fetches: p50 371 ms, p95 734 ms, max");
  EXPECT_EQ(lines[1], "  734 ms");
  ListReport failed;
  failed.strategies = {row("sequential", 1.0, 0.5), row("async", 0.25, 0.25)};
  for (auto& r : failed.strategies) r.report.latency.count = 0;
  EXPECT_EQ(render_wall_bars(failed, Style{}, 40), "wall time: not charted, no URL was\n  fetched by any strategy\n");
}

TEST(TerminalColumns, ColumnsVariableIsHonouredButAFileIsNeverNarrowed) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  {
    ScopedEnv columns("COLUMNS", nullptr);
    EXPECT_EQ(terminal_columns(ends[1], 77), 77u);  // a pipe: today's width
    EXPECT_EQ(detect_style(ColorMode::never, ends[1]).columns, 0u);
  }
  {
    ScopedEnv columns("COLUMNS", "60");
    EXPECT_EQ(terminal_columns(ends[1]), 60u);
    EXPECT_EQ(terminal_columns(-1), 80u);
    EXPECT_EQ(detect_style(ColorMode::never, ends[1]).columns, 60u);
    EXPECT_EQ(detect_style(ColorMode::never, -1).columns, 0u);
  }
  for (const char* junk : {"", "0", "abc", "60x", "-5", "99999999999999999999999"}) {
    ScopedEnv columns("COLUMNS", junk);
    EXPECT_EQ(terminal_columns(ends[1], 77), 77u) << "[" << junk << "]";
  }
  ::close(ends[0]);
  ::close(ends[1]);
}

TEST(FastestRow, PrefersTheMostFetchedThenTheShortestWall) {
  auto list = docs_list();
  EXPECT_EQ(fastest_row(list)->report.strategy, "async");
  list.strategies.back().report.ok = 12;  // failed one: no longer the fastest
  EXPECT_EQ(fastest_row(list)->report.strategy, "threads");
  EXPECT_EQ(fastest_row(ListReport{}), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Bars and histogram

TEST(WallBars, ScaledToTheSlowestWithTheIdealSolid) {
  ListReport list;
  list.name = "b.txt";
  list.strategies = {row("sequential", 1.0, 0.5), row("async", 0.25, 0.25), row("pool:2", 0.5, -1)};
  const auto text = render_wall_bars(list, Style{});
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 4u) << text;
  EXPECT_EQ(lines[0], "wall time: # ideal, - over the ideal");
  EXPECT_EQ(lines[1], "  sequential  " + std::string(25, '#') + std::string(25, '-') + " 1.00 s");
  EXPECT_EQ(lines[2], "  async       " + std::string(13, '#') + " 250 ms");
  EXPECT_EQ(lines[3], "  pool:2      " + std::string(25, '#') + " 500 ms");  // no ideal: all solid
  expect_fits(text);
}

TEST(WallBars, UnicodeAndColour) {
  auto list = docs_list();
  const auto text = render_wall_bars(list, Style{true, true});
  EXPECT_TRUE(contains(text, "\u2588")) << text;
  EXPECT_TRUE(contains(text, "\u2592")) << text;  // sequential is 90 ms over: about one cell
  EXPECT_TRUE(contains(text, "\033[36m")) << text;
  expect_fits(text);
  // A narrow terminal gets shorter bars, never longer lines.
  expect_fits(render_wall_bars(list, Style{}, 60), 60);
  EXPECT_EQ(render_wall_bars(ListReport{}, Style{}), "");
}

// Runs that got no response at all have wall times that measure only failures: no chart.
TEST(WallBars, WithheldWhenNoStrategyFetchedAnything) {
  ListReport list;
  list.strategies = {row("sequential", 1.0, 0.5), row("async", 0.25, 0.25)};
  for (auto& r : list.strategies) r.report.latency.count = 0;
  EXPECT_EQ(render_wall_bars(list, Style{}), "wall time: not charted, no URL was fetched by any strategy\n");
  list.strategies[1].report.latency.count = 1;
  EXPECT_TRUE(contains(render_wall_bars(list, Style{}), "#")) << render_wall_bars(list, Style{});
}

TEST(WallBars, OverheadUnderHalfACellDrawsNoShade) {
  ListReport list;
  list.strategies = {row("sequential", 5.0, 4.9), row("pool:8", 0.744, 0.728)};
  const auto lines = lines_of(render_wall_bars(list, Style{}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "  pool:8      " + std::string(7, '#') + " 744 ms");
  EXPECT_EQ(lines[1], "  sequential  " + std::string(49, '#') + "-" + " 5.00 s");
}

TEST(LatencyBins, RoundWidthsFromARoundEdgeAndEveryValueCounted) {
  const std::vector<double> sample = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  const auto bins = latency_bins(sample);
  // Sturges asks for 5 bins (1 + ceil(log2 10)) of 0.18 s; the round width is 0.2 s from 0.
  ASSERT_EQ(bins.size(), 5u);
  std::size_t total = 0;
  for (const auto& bin : bins) {
    total += bin.count;
    EXPECT_NEAR(bin.high_s - bin.low_s, 0.2, 1e-9);
  }
  EXPECT_EQ(total, sample.size());
  EXPECT_NEAR(bins.front().low_s, 0.0, 1e-12);
  EXPECT_NEAR(bins.back().high_s, 1.0, 1e-9);
  EXPECT_EQ(bins.front().count, 1u);
  EXPECT_EQ(bins.back().count, 3u);  // 0.8, 0.9 and the maximum, which belongs to the last bin

  const auto same = latency_bins({0.3, 0.3, 0.3});
  ASSERT_EQ(same.size(), 1u);
  EXPECT_EQ(same[0].count, 3u);
  EXPECT_TRUE(latency_bins({}).empty());
  EXPECT_EQ(latency_bins(std::vector<double>(100000, 1.0)).size(), 1u);
  std::vector<double> many;
  for (int i = 0; i < 100000; ++i) many.push_back(i);
  EXPECT_EQ(latency_bins(many).size(), 10u);      // 12 asked for, widths of 10000 cover it in 10
  EXPECT_EQ(latency_bins(sample, 3).size(), 2u);  // 0.3 wide asked for, 0.5 given: at most 3
}

// A small spread gets a small round width and labels with the decimals that width needs.
TEST(LatencyHistogram, LabelsOfASmallSpreadStayDistinct) {
  ListReport list;
  list.strategies = {row("async", 1, -1)};
  list.strategies[0].latencies_s = {0.1440, 0.1441, 0.1443, 0.1445};
  const auto lines = lines_of(render_latency_histogram(list, "async", Style{}));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1], "  144.0 ms - 144.2 ms  2  " + std::string(50, '#'));
  EXPECT_EQ(lines[2], "  144.2 ms - 144.4 ms  1  " + std::string(25, '#'));
  EXPECT_EQ(lines[3], "  144.4 ms - 144.6 ms  1  " + std::string(25, '#'));
  // Every latency the same: one point, not a range of one value.
  list.strategies[0].latencies_s = {0.351};
  EXPECT_EQ(lines_of(render_latency_histogram(list, "async", Style{}))[1], "  351 ms  1  " + std::string(50, '#'));
}

TEST(LatencyHistogram, TitleBinsAndWidth) {
  const auto list = docs_list();
  const auto text = render_latency_histogram(list, "async", Style{});
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 6u) << text;
  EXPECT_EQ(lines[0], "latency of async, 13 fetches: p50 371 ms, p95 734 ms, max 734 ms");
  // 5 bins of 79 ms asked for; 100 ms wide from 300 ms given.
  EXPECT_EQ(lines[1], "   300 ms - 400 ms   8  " + std::string(50, '#'));
  EXPECT_EQ(lines[2], "   400 ms - 500 ms   0");
  EXPECT_EQ(lines[4], "   600 ms - 700 ms   1  " + std::string(6, '#'));
  EXPECT_EQ(lines[5], "   700 ms - 800 ms   4  " + std::string(25, '#'));
  expect_fits(text);
  EXPECT_EQ(render_latency_histogram(list, "pool:64", Style{}), "");
}

TEST(LatencyHistogram, DefaultStrategyIsAsyncElseTheFastest) {
  auto list = docs_list();
  EXPECT_EQ(default_histogram_strategy(list), "async");
  list.strategies.pop_back();
  EXPECT_EQ(default_histogram_strategy(list), "threads");
  EXPECT_EQ(default_histogram_strategy(ListReport{}), "");
}

// ---------------------------------------------------------------------------------------------
// Progress

TEST(Progress, ClockText) {
  EXPECT_EQ(clock_text(0), "0:00");
  EXPECT_EQ(clock_text(7.4), "0:07");
  EXPECT_EQ(clock_text(65), "1:05");
  EXPECT_EQ(clock_text(3723), "1:02:03");
  EXPECT_EQ(clock_text(-3), "0:00");
}

TEST(Progress, EstimateFromIdealTimesScaledByTheRunsSoFar) {
  ProgressState state;
  state.steps = 3;
  state.step = 2;
  state.total_ideal_s = 6;  // 1 + 2 + 3
  state.done_ideal_s = 1;
  state.done_actual_s = 1.5;  // this machine runs 1.5x the ideal
  state.step_ideal_s = 2;
  state.step_elapsed_s = 1;
  // This step: 2 x 1.5 - 1 = 2 s; the last: 3 x 1.5 = 4.5 s.
  EXPECT_DOUBLE_EQ(estimate_seconds_left(state), 6.5);
  EXPECT_DOUBLE_EQ(progress_fraction(state), (1 + 1) / 6.0);
  state.done_actual_s = 0.5;  // faster than ideal counts as ideal
  EXPECT_DOUBLE_EQ(estimate_seconds_left(state), 1 + 3);
  state.step_elapsed_s = 10;  // overran: nothing left of this step, never negative
  EXPECT_DOUBLE_EQ(estimate_seconds_left(state), 3);
}

TEST(Progress, EstimateWithoutIdealFromTheMeanStep) {
  ProgressState state;
  state.steps = 4;
  EXPECT_LT(estimate_seconds_left(state), 0);  // nothing to go on
  state.step = 3;
  state.done_actual_s = 4;  // two steps, 2 s each
  state.step_elapsed_s = 0.5;
  EXPECT_DOUBLE_EQ(estimate_seconds_left(state), 1.5 + 2);
  EXPECT_DOUBLE_EQ(progress_fraction(state), 0.5);
}

TEST(Progress, TextNamesTheStepAndFitsTheTerminal) {
  ProgressState state;
  state.list = "python-docs.txt";
  state.strategy = "pool:8";
  state.step = 6;
  state.steps = 27;
  state.elapsed_s = 12;
  state.repeat = 2;
  state.repeats = 3;
  state.done_actual_s = 10;  // five steps of 2 s; no ideal times, so 2 s for each of the 22 left
  const auto text = progress_text(state, Style{}, 200);
  EXPECT_EQ(text, "###............. 6/27  0:12, ~0:44 left  python-docs.txt  pool:8 run 2/3");
  EXPECT_EQ(display_width(progress_text(state, Style{true, true}, 30)), 30u);
}

TEST(ProgressLine, DisabledWritesNothing) {
  std::ostringstream out;
  {
    ProgressLine line(out, false, Style{}, 80);
    line.start(2, 1);
    line.begin_step("a.txt", "async", 1, 1, 0.5);
    line.end_step();
    line.hide();
  }
  EXPECT_EQ(out.str(), "");
}

// An output stream whose text a test can wait on: each write wakes the waiters, so a test sees
// another thread's output (the progress ticker's redraws) as it happens, without sleeping.
class ObservedText : public std::streambuf {
 public:
  // True once the text holds `count` copies of `piece`; false if `limit` (scaled) passes first.
  bool wait_for(const std::string& piece, std::size_t count, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return written_.wait_for(lock, testing::scaled(limit), [&] { return count_of(text_, piece) >= count; });
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char byte = traits_type::to_char_type(c);
    xsputn(&byte, 1);
    return c;
  }
  std::streamsize xsputn(const char* bytes, std::streamsize count) override {
    {
      std::lock_guard lock(mutex_);
      text_.append(bytes, static_cast<std::size_t>(count));
    }
    written_.notify_all();
    return count;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable written_;
  std::string text_;
};

TEST(ProgressLine, DrawsInPlaceAndClearsWhenDone) {
  ObservedText observed;
  std::ostream out(&observed);
  {
    ProgressLine line(out, true, Style{}, 80);
    line.start(2, 1);
    line.begin_step("a.txt", "async", 1, 1, 0.5);
    // begin_step draws once; a second draw can only be the ticker's, as nothing else draws while
    // the step runs.
    EXPECT_TRUE(observed.wait_for("\r", 2, 5s)) << observed.text();
    line.end_step();
  }
  const auto text = observed.text();
  EXPECT_GE(count_of(text, "\r"), 3u) << text;  // two draws and the clearing
  EXPECT_TRUE(contains(text, " 1/2  0:00, ~0:01 left  a.txt  async")) << text;
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");  // nothing left on the terminal
}

// Where stderr is not a terminal: a plain line per strategy as it finishes, nothing redrawn.
TEST(ProgressLine, LinesModeWritesAPlainLinePerStrategy) {
  std::ostringstream out;
  {
    ProgressLine line(out, ProgressMode::lines, Style{}, 80);
    line.start(4, 2.0);
    for (unsigned repeat = 1; repeat <= 2; ++repeat) {
      line.begin_step("a.txt", "sequential", repeat, 2, 0.5);
      line.end_step();
    }
    EXPECT_EQ(out.str(), "");
    line.strategy_done(0.0621);
    line.begin_step("a.txt", "async", 1, 2, 0.5);
    line.hide();
  }
  const auto text = out.str();
  EXPECT_EQ(count_of(text, "\n"), 1u) << text;
  EXPECT_FALSE(contains(text, "\r")) << text;
  EXPECT_FALSE(contains(text, "\033")) << text;
  EXPECT_EQ(text.rfind("progress: 2/4 a.txt sequential 62.1 ms (median of 2); 0:00 elapsed, ~0:0", 0), 0u) << text;
}

TEST(ProgressText, FinishedStrategyLine) {
  ProgressState state;
  state.list = "mipt.txt";
  state.strategy = "pool:8";
  state.step = 3;
  state.steps = 10;
  state.elapsed_s = 65;
  state.done_ideal_s = 30;
  state.done_actual_s = 60;  // twice the ideal so far
  state.total_ideal_s = 90;
  EXPECT_EQ(finished_strategy_text(state, 5.34), "progress: 3/10 mipt.txt pool:8 5.34 s; 1:05 elapsed, ~2:00 left");
  state.total_ideal_s = -1;  // --live: the mean measurement so far times those left
  EXPECT_EQ(finished_strategy_text(state, 5.34), "progress: 3/10 mipt.txt pool:8 5.34 s; 1:05 elapsed, ~2:20 left");
  state.step = 10;
  state.repeats = 2;
  EXPECT_EQ(finished_strategy_text(state, 5.34), "progress: 10/10 mipt.txt pool:8 5.34 s (median of 2); 1:05 elapsed");
}

TEST(ProgressText, LongBenchNoticeFromAMinuteOfIdealTime) {
  EXPECT_EQ(long_bench_notice(59.9, 10), "");
  EXPECT_EQ(long_bench_notice(-1, 10), "");  // --live: unknown
  EXPECT_EQ(long_bench_notice(326, 10),
            "this bench takes at least 5:26 (the sites' ideal time of its 10 measurements); "
            "Ctrl-C stops it and prints what finished");
  EXPECT_EQ(long_bench_notice(61, 1),
            "this bench takes at least 1:01 (the sites' ideal time of its 1 measurement); "
            "Ctrl-C stops it and prints what finished");
}

// ---------------------------------------------------------------------------------------------
// Explanation

std::string joined(const std::vector<std::string>& paragraphs) {
  std::string text;
  for (const auto& p : paragraphs) text += p + "\n";
  return text;
}

TEST(Explain, DocsListNamesTheSlowestUrlTheCapacityAndTheIdleWorkers) {
  const auto text = joined(explain(docs_list()));
  EXPECT_TRUE(contains(text, "The speedup stopped at 6.73x: async took 734 ms against sequential's 4.94 s.")) << text;
  EXPECT_TRUE(contains(text,
                       "no less than 728 ms: the run cannot end before its slowest URL, "
                       "http://www.python.org, which takes 728 ms alone (2 requests in a row: it redirects)."))
      << text;
  EXPECT_TRUE(contains(text,
                       "Close behind, docs.python.org serves 8 requests at once, so its 12 URLs need 2 rounds "
                       "of 340 ms (680 ms)"))
      << text;
  EXPECT_TRUE(contains(text,
                       "Workers helped up to pool:8 (744 ms); pool:16 and pool:32 were no faster "
                       "(758 ms and 757 ms)."))
      << text;
  EXPECT_TRUE(contains(text, "In the model, 8 workers already reach the floor of 728 ms.")) << text;
  EXPECT_TRUE(contains(text, "With 13 URLs, pool:16 and pool:32 have more workers than work.")) << text;
  EXPECT_TRUE(contains(text,
                       "async 734 ms, 1 thread, 13.57 MiB; threads 738 ms, 14 threads, 14.45 MiB; "
                       "pool:32 757 ms, 26 threads, 14.84 MiB."))
      << text;
  EXPECT_TRUE(contains(text, "Against pool:32, the event loop saved 25 threads and 1.27 MiB of memory")) << text;
  EXPECT_TRUE(contains(text, "most overhead: pool:16, 30.0 ms over the ideal (96%)")) << text;
}

TEST(Explain, MiptListBlamesTheServerAndShowsTheQueue) {
  const auto text = joined(explain(mipt_list()));
  EXPECT_TRUE(contains(text,
                       "No strategy was much faster than sequential's 5.36 s: the fastest, pool:1, took "
                       "5.34 s (1.00x)."))
      << text;
  EXPECT_TRUE(contains(text,
                       "cs.mipt.ru serves one request at a time, so its 80 URLs take 80 x 66.0 ms = 5.28 s "
                       "whatever the client does."))
      << text;
  EXPECT_TRUE(contains(text, "the median fetch took 2.66 s with threads against 66.9 ms sequentially")) << text;
  EXPECT_TRUE(contains(text, "Adding workers did not help: pool:1 took 5.34 s and pool:32 5.35 s.")) << text;
  EXPECT_FALSE(contains(text, "slowest URL")) << "69 ms alone is far from the 5.3 s floor: " << text;
}

TEST(Explain, PopularListIsBoundByItsSlowestUrl) {
  const auto text = joined(explain(popular_list()));
  EXPECT_TRUE(contains(text, "its slowest URL, https://www.twilio.com, which takes 1.23 s alone.")) << text;
  EXPECT_FALSE(contains(text, "serves")) << text;  // no host has a capacity limit
  EXPECT_TRUE(contains(text, "Workers helped up to pool:8 (1.24 s); pool:16 was no faster (1.25 s).")) << text;
  EXPECT_TRUE(contains(text, "pool:16 has more workers than work")) << text;
  EXPECT_TRUE(contains(text, "async 1.24 s, 1 thread, 11.72 MiB; pool:16 1.25 s, 1 thread, 11.72 MiB.")) << text;
  EXPECT_FALSE(contains(text, "saved")) << "nothing was saved in this hand-built report: " << text;
}

TEST(Explain, PoolsStillImprovingAndFailures) {
  ListReport list;
  list.name = "x.txt";
  list.urls = 100;
  list.strategies = {row("sequential", 10, -1), row("pool:2", 5, -1), row("pool:4", 2.6, -1)};
  list.strategies[2].report.failed = 2;
  list.strategies[2].report.requests = 100;
  const auto text = joined(explain(list));
  EXPECT_TRUE(contains(text, "Every added worker helped, up to pool:4 (2.60 s): more workers might still be faster."))
      << text;
  list.model.all_at_once_s = 0.5;
  list.strategies[1].ideal_s = 4.8;
  list.strategies[2].ideal_s = 2.5;
  list.strategies[0].ideal_s = 9.5;
  EXPECT_TRUE(contains(joined(explain(list)),
                       "In the model, more workers would help: pool:4 still needs 2.50 s, "
                       "every URL at once 500 ms."))
      << joined(explain(list));
  EXPECT_TRUE(contains(text, "Some fetches failed (pool:4 2/100)")) << text;
  EXPECT_FALSE(contains(text, "model")) << "no model in --live: " << text;
  // A smaller saving than a megabyte of peak memory is not worth a word.
  list.strategies.push_back(row("async", 2.5, -1, 1, 12000));
  list.strategies[2].report.peak_threads = 5;
  list.strategies[2].usage.peak_rss_kb = 12500;
  EXPECT_TRUE(contains(joined(explain(list)), "Against pool:4, the event loop saved 4 threads and spent"))
      << joined(explain(list));
}

TEST(Explain, LowEfficiencyIsCalledOverhead) {
  ListReport list;
  list.strategies = {row("sequential", 1.0, 0.95), row("threads", 0.5, 0.2)};
  const auto text = joined(explain(list));
  EXPECT_TRUE(contains(text, "The most overhead: threads reached only 40% of its ideal, 300 ms over it.")) << text;
}

TEST(Explain, NothingToCompare) {
  ListReport list;
  list.strategies = {row("async", 1, -1)};
  EXPECT_TRUE(explain(list).empty());
  EXPECT_EQ(render_explanation(list), "");
}

TEST(Explain, RenderedAsBulletsWithin80Columns) {
  const auto text = render_explanation(docs_list());
  const auto lines = lines_of(text);
  ASSERT_GT(lines.size(), 5u);
  EXPECT_EQ(lines[0], "reading python-docs.txt:");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_TRUE(lines[i].rfind("- ", 0) == 0 || lines[i].rfind("  ", 0) == 0) << lines[i];
  }
  expect_fits(text);
}

// ---------------------------------------------------------------------------------------------
// HTML report

TEST(HtmlReport, EscapesText) { EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;"); }

TEST(HtmlReport, SelfContainedWithThreeChartsPerList) {
  BenchReport report;
  report.lists = {docs_list(), mipt_list()};
  report.lists[1].name = "<mipt>.txt";
  const auto html = render_html_report(report);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count_of(html, "<svg "), 6u);
  EXPECT_EQ(count_of(html, "</svg>"), 6u);
  EXPECT_EQ(count_of(html, "<section>"), 2u);
  for (const char* external : {"<script", "<link", "src=", "href=", "@import", "url("}) {
    EXPECT_FALSE(contains(html, external)) << external;
  }
  EXPECT_TRUE(contains(html, "&lt;mipt&gt;.txt")) << "names are escaped";
  EXPECT_FALSE(contains(html, "<mipt>"));
  EXPECT_TRUE(contains(html, "class=\"ideal\"")) << "the ideal curve is drawn";
  EXPECT_TRUE(contains(html, "Reading the results"));
  EXPECT_TRUE(contains(html, "serves one request at a time"));
  EXPECT_TRUE(contains(html, "<tr class=\"fastest\"><td>async</td>"));
}

// The run's metadata under the title, so two reports can be told apart; none without metadata.
TEST(HtmlReport, ShowsTheRunsMetadata) {
  BenchReport report;
  report.lists = {docs_list()};
  EXPECT_FALSE(contains(render_html_report(report), "class=\"meta\""));
  report.metadata = {{"tool", "fetcher"},
                     {"version", "0.1.0"},
                     {"started", "2026-12-05T13:36:13Z"},
                     {"command_line", {"fetcher", "bench", "<list>.txt"}},
                     {"host", {{"cpu_model", "AMD EPYC 7B13"}, {"cores", 2}, {"kernel", "Linux 6.1.0 x86_64"}}}};
  EXPECT_TRUE(contains(render_html_report(report),
                       "<h1>fetcher bench</h1>\n<p class=\"meta\">fetcher 0.1.0 &middot; started 2026-12-05T13:36:13Z "
                       "&middot; AMD EPYC 7B13, 2 cores &middot; Linux 6.1.0 x86_64<br>"
                       "<code>fetcher bench &lt;list&gt;.txt</code></p>\n"))
      << render_html_report(report);
}

TEST(HtmlReport, TableShowsConnectionsAndHandshakes) {
  BenchReport report;
  report.lists = {docs_list()};
  report.lists[0].strategies[0].report.connections_opened = 4321;
  report.lists[0].strategies[0].report.tls_handshakes = 1234;
  const auto html = render_html_report(report);
  EXPECT_TRUE(contains(html, ">cpu</th><th title=\"TCP connections the client opened\">conn</th><th title=\"TLS "));
  EXPECT_TRUE(contains(html, "<td>4321</td><td>1234</td>"));
}

// The figures of one <figure> each, in order.
std::vector<std::string> figures_of(const std::string& html) {
  std::vector<std::string> figures;
  for (auto at = html.find("<figure"); at != std::string::npos; at = html.find("<figure", at + 1)) {
    figures.push_back(html.substr(at, html.find("</figure>", at) - at));
  }
  return figures;
}

// Every figure holds a drawing with marks in it, never a note in place of a chart.
void expect_no_empty_panel(const std::string& html) {
  for (const auto& figure : figures_of(html)) {
    EXPECT_TRUE(contains(figure, "<svg ")) << figure;
    EXPECT_TRUE(contains(figure, "<rect ") || contains(figure, "<circle ")) << figure;
    EXPECT_FALSE(contains(figure, "class=\"note")) << figure;
  }
}

TEST(HtmlReport, ChartsThatCannotBeDrawnAreLeftOutWithTheReason) {
  BenchReport report;
  ListReport list;
  list.name = "one.txt";
  list.strategies = {row("async", 1, -1)};
  list.strategies[0].latencies_s = {0.5, 1.0};
  report.lists = {list};
  auto html = render_html_report(report);
  EXPECT_EQ(figures_of(html).size(), 2u) << "wall per strategy and the latencies";
  EXPECT_TRUE(contains(html, "<figcaption>Wall time per strategy</figcaption>")) << "no ideal, no ideal key";
  EXPECT_TRUE(contains(html,
                       "<p class=\"note withheld\">no speedup chart: it needs a sequential run to compare with."
                       "</p>"))
      << html;
  expect_no_empty_panel(html);

  // Every fetch failed: sequential's wall measures failures, and there are no latencies.
  report.lists[0].strategies = {row("sequential", 1, -1), row("async", 1, -1)};
  for (auto& r : report.lists[0].strategies) {
    r.report.latency.count = 0;
    r.report.ok = 0;
    r.report.failed = r.report.requests;
  }
  html = render_html_report(report);
  EXPECT_EQ(figures_of(html).size(), 1u);
  EXPECT_TRUE(contains(html,
                       "no speedup chart: sequential got no response, so its wall time measures only failures; "
                       "no latency chart: no fetch got a response."))
      << html;
  expect_no_empty_panel(html);
}

// Fewer than two pools is no curve: the first chart becomes wall time per strategy with the ideal.
TEST(HtmlReport, FewerThanTwoPoolsDrawWallTimePerStrategy) {
  for (const auto& names :
       {std::vector<std::string>{"sequential", "async"}, std::vector<std::string>{"sequential", "pool:4", "async"}}) {
    BenchReport report;
    ListReport list;
    list.name = "few.txt";
    for (const auto& name : names) {
      list.strategies.push_back(row(name, name == "sequential" ? 2.0 : 0.5, name == "sequential" ? 1.9 : 0.2));
      list.strategies.back().latencies_s = {0.3, 0.35, 0.4};
    }
    report.lists = {list};
    const auto html = render_html_report(report);
    const auto figures = figures_of(html);
    ASSERT_EQ(figures.size(), 3u) << html;
    EXPECT_TRUE(contains(figures[0], "Wall time per strategy, and the ideal <span class=\"key ideal-mark\">"));
    EXPECT_EQ(count_of(figures[0], "<rect "), names.size());
    EXPECT_EQ(count_of(figures[0], "class=\"ideal-mark\""), names.size());
    EXPECT_FALSE(contains(html, "class=\"note withheld\""));
    expect_no_empty_panel(html);
  }
  BenchReport report;
  report.lists = {mipt_list()};  // pool:1, pool:8, pool:32: the curve
  EXPECT_TRUE(contains(figures_of(render_html_report(report)).at(0), "Wall time vs pool workers"));
}

// The median and the p95 are ticks of their own class and colour, and the caption keys both.
TEST(HtmlReport, MedianAndP95TicksDiffer) {
  BenchReport report;
  report.lists = {docs_list()};
  const auto html = render_html_report(report);
  const auto strategies = report.lists[0].strategies.size();
  EXPECT_EQ(count_of(html, "class=\"p50\"/>"), strategies);
  EXPECT_EQ(count_of(html, "class=\"p95\"/>"), strategies);
  EXPECT_TRUE(contains(html, "svg .p50 { stroke: #111827;"));
  EXPECT_TRUE(contains(html, "svg .p95 { stroke: #dc2626;"));
  EXPECT_TRUE(contains(html, "median <span class=\"key p50\"></span> and 95th percentile <span class=\"key p95\">"));
}

// Measured and ideal are told apart where they coincide: the ideal is a wide pale band under a
// thin measured line, and each is named at its right end, the higher one above.
TEST(HtmlReport, MeasuredAndIdealCanBeToldApart) {
  BenchReport report;
  report.lists = {mipt_list()};  // measured and ideal a few ms apart: the lines coincide
  const auto html = render_html_report(report);
  const auto ideal = html.find("<polyline class=\"ideal\"");
  const auto measured = html.find("<polyline class=\"measured\"");
  ASSERT_NE(ideal, std::string::npos);
  ASSERT_NE(measured, std::string::npos);
  EXPECT_LT(ideal, measured) << "the band is drawn first, under the line";
  EXPECT_TRUE(contains(html, "svg .ideal { fill: none; stroke: #f59e0b; stroke-opacity: 0.45; stroke-width: 12;"));
  EXPECT_TRUE(contains(html, "svg .measured { fill: none; stroke: #2563eb; stroke-width: 2.5; }"));
  EXPECT_EQ(count_of(html, "class=\"measured-label\">measured</text>"), 1u);
  EXPECT_EQ(count_of(html, "class=\"ideal-label\">ideal</text>"), 1u);
}

// The footer reads as sentences in the page's type, not terminal text: no <pre>, no '*' mark,
// wrapped lines joined again; a disagreement is a list of its own.
TEST(HtmlReport, FooterIsSentences) {
  BenchReport report;
  report.lists = {docs_list()};
  report.lists[0].fetched_urls = 13;
  auto html = render_html_report(report);
  EXPECT_FALSE(contains(html, "<pre"));
  EXPECT_TRUE(contains(html,
                       "<ul class=\"facts\">\n<li><b>Fastest</b>: async, 734 ms (6.73x sequential); "
                       "within 2%: threads, pool:8</li>"))
      << html;
  // Two lines in the terminal, one statement here.
  EXPECT_TRUE(contains(html,
                       "<li><b>Origin saw per strategy</b>: docs.python.org 12 req, 12 conn, peak 1-8 "
                       "(serves 8); www.python.org 2 req, 2 conn, peak 1</li>"))
      << html;
  EXPECT_TRUE(contains(html, "<li>All strategies agreed on every URL&#39;s status, size and SHA-256</li>")) << html;
  report.lists[0].agree = false;
  report.lists[0].disagreements = {"http://a.test/: sequential 200, async 404"};
  html = render_html_report(report);
  EXPECT_TRUE(contains(html,
                       "<li class=\"disagreed\">Strategies disagreed:\n<ul>\n"
                       "<li>http://a.test/: sequential 200, async 404</li>\n</ul></li>"))
      << html;
}

// Every column is explained: in the header's tooltip and once in the legend at the top.
TEST(HtmlReport, EveryColumnIsExplained) {
  BenchReport report;
  report.lists = {docs_list()};
  const auto html = render_html_report(report);
  const auto head = html.substr(html.find("<thead>"), html.find("</thead>") - html.find("<thead>"));
  EXPECT_EQ(count_of(head, "<th "), count_of(head, "<th title=\""));
  for (const char* column : {"tls", "threads", "memory"}) {
    EXPECT_TRUE(contains(html, "<dt>" + std::string(column) + "</dt><dd>")) << column;
  }
  EXPECT_TRUE(contains(html, "<dt>memory</dt><dd>peak resident memory (RSS)"));
}

// The reading's memory figures are the table's, to the digit: one formatter for both.
TEST(HtmlReport, MemoryInTheReadingMatchesTheTable) {
  BenchReport report;
  report.lists = {docs_list()};
  report.lists[0].strategies[1].usage.peak_rss_kb = 12708;  // 12.41 MiB
  const auto html = render_html_report(report);
  const auto reading = html.substr(html.find("Reading the results"));
  const auto table = html.substr(html.find("<tbody>"), html.find("</tbody>") - html.find("<tbody>"));
  std::size_t checked = 0;
  for (auto at = reading.find(" MiB"); at != std::string::npos; at = reading.find(" MiB", at + 1)) {
    const auto start = reading.rfind(' ', at - 1) + 1;
    const auto figure = reading.substr(start, at + 4 - start);
    if (reading.compare(at + 4, 10, " of memory") == 0) continue;  // a saving, not a process's peak
    EXPECT_TRUE(contains(table, "<td>" + figure + "</td>")) << figure << " is not in the table";
    ++checked;
  }
  EXPECT_GE(checked, 2u) << reading;
  EXPECT_TRUE(contains(reading, "threads 738 ms, 14 threads, 12.41 MiB")) << reading;
}

// ---------------------------------------------------------------------------------------------
// fetcher get

FetchResult result(unsigned status, std::uint64_t bytes, std::chrono::nanoseconds total,
                   ErrorKind error = ErrorKind::none, std::string message = {}) {
  FetchResult r;
  r.url = "https://a.test/x";
  r.final_url = r.url;
  r.status = status;
  r.body_bytes = bytes;
  r.timings.total = total;
  r.error = error;
  r.message = std::move(message);
  return r;
}

TEST(GetOutput, LinesAlignWhateverTheOutcome) {
  const auto ok = result_line(result(200, 64000, 341ms));
  const auto failed = result_line(result(0, 0, 5s, ErrorKind::timeout, "no response within 5 s"));
  const auto not_found = result_line(result(404, 1200, 12ms, ErrorKind::http_status, "HTTP 404 from https://a.test/x"));
  EXPECT_EQ(ok, "200   62.5 KiB   341 ms  https://a.test/x");
  EXPECT_EQ(failed, "ERR          -   5.00 s  https://a.test/x  timeout: no response within 5 s");
  EXPECT_EQ(not_found, "404    1.2 KiB  12.0 ms  https://a.test/x  HTTP 404 from https://a.test/x");
  auto redirected = result(200, 10, 1ms);
  redirected.final_url = "https://a.test/y";
  EXPECT_EQ(result_line(redirected), "200       10 B   1.0 ms  https://a.test/x -> https://a.test/y");
  EXPECT_EQ(plain(result_line(result(0, 0, 5s, ErrorKind::dns, "no such host"), Style{true, false})),
            result_line(result(0, 0, 5s, ErrorKind::dns, "no such host")));
}

TEST(Printable, ControlAndNonAsciiBytesAreEscaped) {
  EXPECT_EQ(printable("https://a.test/x?q=1"), "https://a.test/x?q=1");
  EXPECT_EQ(printable("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
  EXPECT_EQ(printable(std::string("a\0b\r\n\t\x7f\xff", 8)), "a\\x00b\\x0d\\x0a\\x09\\x7f\\xff");
  EXPECT_EQ(printable(""), "");
}

// The URL column, the final URL and the message never carry raw control bytes to the terminal.
TEST(GetOutput, UrlsAndMessagesAreMadePrintable) {
  auto junk = result(0, 0, 1ms, ErrorKind::bad_url, "not a URL");
  junk.url = "\x1b[31mhttp://a.test/\x1b[0m";
  junk.final_url = junk.url;
  EXPECT_EQ(result_line(junk), "ERR          -   1.0 ms  \\x1b[31mhttp://a.test/\\x1b[0m  bad-url: not a URL");
  auto redirected = result(200, 10, 1ms);
  redirected.final_url = "https://a.test/\x07y";
  EXPECT_EQ(result_line(redirected), "200       10 B   1.0 ms  https://a.test/x -> https://a.test/\\x07y");
}

TEST(GetOutput, SummaryCountsFailuresByKind) {
  RunReport report;
  report.strategy = "async";
  report.wall = 739ms;
  report.requests = 3;
  report.ok = 1;
  report.failed = 2;
  report.bytes = 64000;
  report.latency.count = 2;
  report.latency.p50 = 0.341;
  report.latency.p95 = 0.5;
  report.results = {result(200, 64000, 341ms), result(0, 0, 5s, ErrorKind::timeout, "t"),
                    result(0, 0, 1ms, ErrorKind::dns, "d")};
  EXPECT_EQ(summary_line(report),
            "3 URLs in 739 ms (async): 1 ok, 2 failed (1 dns, 1 timeout), 62.5 KiB, p50 341 ms, "
            "p95 500 ms");
  report.requests = 1;
  report.failed = 0;
  report.latency.count = 0;
  EXPECT_EQ(summary_line(report), "1 URL in 739 ms (async): 1 ok, 0 failed, 62.5 KiB");
}

}  // namespace
}  // namespace fetcher::cli
