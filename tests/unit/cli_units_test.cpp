// Unit tests for the command line's pure parts: duration/size parsing and formatting, the huge-page choice and the
// environment a child gets, bench report renderings (table, markdown, CSV, JSON) and result/report JSON round trips.
// The pictures, progress, explanation and HTML are in cli_render_test.
#include "text_lines.hpp"
#include "bench/bench_report.hpp"
#include "common/build_info.hpp"
#include "common/child_process.hpp"
#include "common/help_format.hpp"
#include "get/get_output.hpp"
#include "bench/huge_pages.hpp"
#include "common/result_json.hpp"
#include "common/run_metadata.hpp"
#include "common/synthetic.hpp"
#include "common/units.hpp"

#include <CLI/CLI.hpp>
#include <boost/version.hpp>
#include <fetcher/origin/sites.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace fetcher::cli {
namespace {

using namespace std::chrono_literals;

using testing::lines_of;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    fields.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return fields;
}

template <typename F>
std::string invalid_argument_message(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "<no exception>";
}

// ---------------------------------------------------------------------------------------------
// parse_duration

TEST(ParseDuration, Units) {
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("2s"), 2000ms);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("1m"), 60000ms);
  EXPECT_EQ(parse_duration("1min"), 60000ms);
  EXPECT_EQ(parse_duration("0.5m"), 30000ms);
  EXPECT_EQ(parse_duration("3"), 3000ms);  // bare number: seconds
  EXPECT_EQ(parse_duration("0.25"), 250ms);
  EXPECT_EQ(parse_duration(".5s"), 500ms);
  EXPECT_EQ(parse_duration("0"), 0ms);
  EXPECT_EQ(parse_duration("2MS"), 2ms);  // units are case-insensitive
  EXPECT_EQ(parse_duration("10S"), 10000ms);
  EXPECT_EQ(parse_duration("1.0004s"), 1000ms);  // rounded to whole milliseconds
  EXPECT_EQ(parse_duration("1.0006s"), 1001ms);
}

TEST(ParseDuration, BadValuesThrowNamingTheInput) {
  EXPECT_EQ(invalid_argument_message([] { parse_duration(""); }), "bad duration ''");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("abc"); }), "bad duration 'abc'");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("-1s"); }), "bad duration '-1s'");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("s"); }), "bad duration 's'");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("."); }), "bad duration '.'");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("1.2.3s"); }), "bad duration '1.2.3s'");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("5h"); }), "bad duration '5h' (use ms, s or m)");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("1 s"); }), "bad duration '1 s' (use ms, s or m)");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("1e3"); }), "bad duration '1e3' (use ms, s or m)");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("10us"); }), "bad duration '10us' (use ms, s or m)");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("99999999s"); }), "duration '99999999s' is too long");
}

// ---------------------------------------------------------------------------------------------
// parse_size

// SI prefixes are powers of 1000, IEC ones powers of 1024, in any case.
TEST(ParseSize, SiAndIecUnits) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("10B"), 10u);
  EXPECT_EQ(parse_size("2KB"), 2000u);
  EXPECT_EQ(parse_size("2KiB"), 2048u);
  EXPECT_EQ(parse_size("64kb"), 64000u);
  EXPECT_EQ(parse_size("64K"), 64000u);
  EXPECT_EQ(parse_size("64kib"), 65536u);
  EXPECT_EQ(parse_size("64Ki"), 65536u);
  EXPECT_EQ(parse_size("1.5K"), 1500u);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  EXPECT_EQ(parse_size("2MB"), 2000000u);
  EXPECT_EQ(parse_size("2M"), 2000000u);
  EXPECT_EQ(parse_size("2MiB"), 2097152u);
  EXPECT_EQ(parse_size("0.5MiB"), 524288u);
  EXPECT_EQ(parse_size("1GB"), 1000000000u);
  EXPECT_EQ(parse_size("1GiB"), 1073741824u);
  EXPECT_EQ(parse_size("3g"), 3000000000u);
  EXPECT_EQ(parse_size("3gi"), 3221225472u);
}

TEST(ParseSize, BadValuesThrowNamingTheInput) {
  const std::string units = " (use B, KB, MB, GB, KiB, MiB or GiB)";
  EXPECT_EQ(invalid_argument_message([] { parse_size(""); }), "bad size ''");
  EXPECT_EQ(invalid_argument_message([] { parse_size("KB"); }), "bad size 'KB'");
  EXPECT_EQ(invalid_argument_message([] { parse_size("-5"); }), "bad size '-5'");
  EXPECT_EQ(invalid_argument_message([] { parse_size("1.2.3"); }), "bad size '1.2.3'");
  EXPECT_EQ(invalid_argument_message([] { parse_size("12XB"); }), "bad size '12XB'" + units);
  EXPECT_EQ(invalid_argument_message([] { parse_size("1TB"); }), "bad size '1TB'" + units);
  EXPECT_EQ(invalid_argument_message([] { parse_size("1KIBB"); }), "bad size '1KIBB'" + units);
  EXPECT_EQ(invalid_argument_message([] { parse_size("64 KB"); }), "bad size '64 KB'" + units);
  EXPECT_EQ(invalid_argument_message([] { parse_size("2000000GB"); }), "size '2000000GB' is too large");
}

// ---------------------------------------------------------------------------------------------
// parse_count, and the option-naming forms

TEST(ParseCount, Units) {
  EXPECT_EQ(parse_count("0"), 0u);
  EXPECT_EQ(parse_count("500"), 500u);
  EXPECT_EQ(parse_count("10k"), 10000u);
  EXPECT_EQ(parse_count("10K"), 10000u);
  EXPECT_EQ(parse_count("1.5k"), 1500u);
  EXPECT_EQ(parse_count("2M"), 2000000u);
  EXPECT_EQ(parse_count("0.25m"), 250000u);
}

TEST(ParseCount, BadValuesThrowNamingTheInput) {
  EXPECT_EQ(invalid_argument_message([] { parse_count(""); }), "bad count ''");
  EXPECT_EQ(invalid_argument_message([] { parse_count("k"); }), "bad count 'k'");
  EXPECT_EQ(invalid_argument_message([] { parse_count("-3"); }), "bad count '-3'");
  EXPECT_EQ(invalid_argument_message([] { parse_count("10x"); }), "bad count '10x' (use a whole number, k or M: 10k)");
  EXPECT_EQ(invalid_argument_message([] { parse_count("10KB"); }),
            "bad count '10KB' (use a whole number, k or M: 10k)");
  EXPECT_EQ(invalid_argument_message([] { parse_count("1.5"); }), "count '1.5' is not a whole number");
  EXPECT_EQ(invalid_argument_message([] { parse_count("1.2345k"); }), "count '1.2345k' is not a whole number");
  EXPECT_EQ(invalid_argument_message([] { parse_count("9999999999M"); }), "count '9999999999M' is too large");
}

TEST(ParseWithOption, ErrorsNameTheOption) {
  EXPECT_EQ(parse_duration("--latency", "100ms"), 100ms);
  EXPECT_EQ(parse_size("--body", "2KiB"), 2048u);
  EXPECT_EQ(parse_count("--synthetic", "10k"), 10000u);
  EXPECT_EQ(invalid_argument_message([] { parse_duration("--latency", "x"); }), "--latency: bad duration 'x'");
  EXPECT_EQ(invalid_argument_message([] { parse_duration("--jitter", "5h"); }),
            "--jitter: bad duration '5h' (use ms, s or m)");
  EXPECT_EQ(invalid_argument_message([] { parse_size("--body", "2XB"); }),
            "--body: bad size '2XB' (use B, KB, MB, GB, KiB, MiB or GiB)");
  EXPECT_EQ(invalid_argument_message([] { parse_count("--hosts", "ten"); }), "--hosts: bad count 'ten'");
}

TEST(CountUnits, CliOptionsTakeCountsWithUnits) {
  CLI::App app;
  std::size_t count = 0;
  app.add_option("--max-in-flight", count)->transform(count_units());
  app.parse(std::vector<std::string>{"2k", "--max-in-flight"});  // CLI11 takes them reversed
  EXPECT_EQ(count, 2000u);
  try {
    app.parse(std::vector<std::string>{"lots", "--max-in-flight"});
    ADD_FAILURE() << "expected a validation error";
  } catch (const CLI::ValidationError& error) {
    EXPECT_NE(std::string(error.what()).find("--max-in-flight"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("bad count 'lots'"), std::string::npos) << error.what();
  }
}

// ---------------------------------------------------------------------------------------------
// synthetic workloads

TEST(Synthetic, ParsesEveryFlagWithUnits) {
  SyntheticFlags flags;
  flags.urls = "10k";
  flags.hosts = "50";
  flags.latency = "0.1s";
  flags.jitter = "10ms";
  flags.body = "2KiB";
  flags.capacity = "8";
  flags.scheme = "https";
  const auto spec = parse_synthetic(flags);
  EXPECT_EQ(spec.urls, 10000u);
  EXPECT_EQ(spec.hosts, 50u);
  EXPECT_EQ(spec.latency, 100ms);
  EXPECT_EQ(spec.jitter, 10ms);
  EXPECT_EQ(spec.body_bytes, 2048u);
  EXPECT_EQ(spec.capacity, 8u);
  EXPECT_EQ(spec.scheme, "https");
  EXPECT_EQ(describe(spec), "50 hosts, 100 ms \u00b1 10 ms, 2.0 KiB, capacity 8, https");
}

TEST(Synthetic, BadFlagsNameTheOption) {
  const auto message = [](auto change) {
    SyntheticFlags flags;
    flags.urls = "100";
    change(flags);
    return invalid_argument_message([&] { parse_synthetic(flags); });
  };
  EXPECT_EQ(message([](SyntheticFlags& f) { f.urls = "many"; }), "--synthetic: bad count 'many'");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.urls = "0"; }), "--synthetic: 0 URLs: need 1 to 1000000");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.urls = "2M"; }), "--synthetic: 2000000 URLs: need 1 to 1000000");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.hosts = "0"; }), "--hosts: 0 hosts: need 1 to 10000");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.hosts = "200"; }),
            "--hosts: 200 hosts for 100 URLs: need at most one host per URL");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.latency = "x"; }), "--latency: bad duration 'x'");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.latency = "2h"; }), "--latency: bad duration '2h' (use ms, s or m)");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.latency = "61m"; }), "--latency: '61m' is longer than an hour");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.jitter = "-1ms"; }), "--jitter: bad duration '-1ms'");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.body = "big"; }), "--body: bad size 'big'");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.body = "2GB"; }), "--body: '2GB' is larger than 1 GiB");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.capacity = "some"; }), "--capacity: bad count 'some'");
  EXPECT_EQ(message([](SyntheticFlags& f) { f.scheme = "ftp"; }), "--scheme: expected http or https, not 'ftp'");
}

TEST(Synthetic, SitesAndUrlsDealHostsRoundRobin) {
  SyntheticSpec spec;
  spec.urls = 5;
  spec.hosts = 2;
  spec.latency = 70ms;
  spec.jitter = 3ms;
  spec.body_bytes = 1000;
  spec.capacity = 4;
  EXPECT_EQ(synthetic_urls(spec),
            (std::vector<std::string>{"http://h1.synthetic.test/page/0", "http://h2.synthetic.test/page/1",
                                      "http://h1.synthetic.test/page/2", "http://h2.synthetic.test/page/3",
                                      "http://h1.synthetic.test/page/4"}));
  const auto sites = origin::parse_sites(synthetic_sites_toml(spec), "synthetic.toml");
  ASSERT_EQ(sites.sites.size(), 2u);
  for (unsigned h = 0; h < 2; ++h) {
    EXPECT_EQ(sites.sites[h].host, synthetic_host(h));
    EXPECT_EQ(sites.sites[h].latency, 70ms);
    EXPECT_EQ(sites.sites[h].jitter, 3ms);
    EXPECT_EQ(sites.sites[h].body_bytes, 1000u);
    EXPECT_EQ(sites.sites[h].capacity, 4u);
  }
  EXPECT_EQ(describe(spec), "2 hosts, 70 ms \u00b1 3 ms, 1000 B, capacity 4, http");
  spec.jitter = 0ms;
  spec.capacity = 0;
  spec.hosts = 1;
  EXPECT_EQ(describe(spec), "1 host, 70 ms, 1000 B, capacity unlimited, http");
}

TEST(Synthetic, TemporaryDirectoryIsRemovedWithItsFiles) {
  std::filesystem::path where;
  {
    TemporaryDirectory directory("fetcher-test-");
    where = directory.path();
    EXPECT_TRUE(std::filesystem::is_directory(where));
    write_file(where / "list.txt", "http://a.test/\n");
    EXPECT_TRUE(std::filesystem::exists(where / "list.txt"));
  }
  EXPECT_FALSE(std::filesystem::exists(where));
}

// ---------------------------------------------------------------------------------------------
// format_seconds / format_bytes

TEST(FormatSeconds, EachRange) {
  EXPECT_EQ(format_seconds(0), "0 us");
  EXPECT_EQ(format_seconds(1e-6), "1 us");
  EXPECT_EQ(format_seconds(0.00085), "850 us");
  EXPECT_EQ(format_seconds(0.000999), "999 us");
  EXPECT_EQ(format_seconds(0.001), "1.0 ms");  // boundary: ms with one decimal
  EXPECT_EQ(format_seconds(0.00104), "1.0 ms");
  EXPECT_EQ(format_seconds(0.066), "66.0 ms");
  EXPECT_EQ(format_seconds(0.0999), "99.9 ms");
  EXPECT_EQ(format_seconds(0.1), "100 ms");  // boundary: whole ms
  EXPECT_EQ(format_seconds(0.5), "500 ms");
  EXPECT_EQ(format_seconds(0.999), "999 ms");
  EXPECT_EQ(format_seconds(1.0), "1.00 s");  // boundary: seconds with two decimals
  EXPECT_EQ(format_seconds(5.29), "5.29 s");
  EXPECT_EQ(format_seconds(99.99), "99.99 s");
  EXPECT_EQ(format_seconds(100.0), "100 s");  // boundary: whole seconds
  EXPECT_EQ(format_seconds(3600.4), "3600 s");
}

TEST(FormatSeconds, NegativeAndNanAreUnknown) {
  EXPECT_EQ(format_seconds(-1), "-");
  EXPECT_EQ(format_seconds(-1e-9), "-");
  EXPECT_EQ(format_seconds(std::numeric_limits<double>::quiet_NaN()), "-");
}

TEST(FormatSeconds, RoundingJustBelowABoundaryMovesToTheNextUnit) {
  EXPECT_EQ(format_seconds(0.0009996), "1.0 ms");
  EXPECT_EQ(format_seconds(0.09996), "100 ms");
  EXPECT_EQ(format_seconds(0.9996), "1.00 s");
  EXPECT_EQ(format_seconds(99.996), "100 s");
}

// A median with the farthest run's distance, in the median's unit and precision.
TEST(FormatSecondsSpread, MedianUnitWithTheSpreadBeside) {
  EXPECT_EQ(format_seconds_spread(0.0621, 0.0019), "62.1 \u00b11.9 ms");
  EXPECT_EQ(format_seconds_spread(0.0621, 0.0019, false), "62.1 +-1.9 ms");
  EXPECT_EQ(format_seconds_spread(0.107, 0.0041), "107 \u00b14.1 ms");
  EXPECT_EQ(format_seconds_spread(0.107, 0.012), "107 \u00b112 ms");
  EXPECT_EQ(format_seconds_spread(0.107, 0.0004), "107 \u00b10.4 ms");  // one decimal more than the median
  EXPECT_EQ(format_seconds_spread(0.0621, 0.00006), "62.1 \u00b10.06 ms");
  EXPECT_EQ(format_seconds_spread(5.29, 0.12), "5.29 \u00b10.12 s");
  EXPECT_EQ(format_seconds_spread(5.29, 1.5), "5.29 \u00b11.5 s");
  EXPECT_EQ(format_seconds_spread(0.00085, 0.00002), "850 \u00b120 us");
  EXPECT_EQ(format_seconds_spread(120, 3), "120 \u00b13.0 s");
  EXPECT_EQ(format_seconds_spread(0.0621, 0), "62.1 \u00b10.00 ms");
}

TEST(FormatSecondsSpread, OneRunIsTheMedianAloneAndUnknownIsADash) {
  EXPECT_EQ(format_seconds_spread(0.0621, -1), "62.1 ms");
  EXPECT_EQ(format_seconds_spread(-1, 0.002), "-");
}

// Sizes print in IEC units, labelled as such: 31,500 bytes is 30.8 KiB.
TEST(FormatBytes, EachRangeInIecUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");  // boundary
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(25600), "25.0 KiB");
  EXPECT_EQ(format_bytes(31500), "30.8 KiB");
  EXPECT_EQ(format_bytes(1048473), "1023.9 KiB");
  EXPECT_EQ(format_bytes(1048576), "1.00 MiB");  // boundary
  EXPECT_EQ(format_bytes(3565158), "3.40 MiB");
  EXPECT_EQ(format_bytes(1073731338), "1023.99 MiB");
  EXPECT_EQ(format_bytes(1073741824), "1.00 GiB");  // boundary
  EXPECT_EQ(format_bytes(5368709120), "5.00 GiB");
  EXPECT_EQ(format_bytes(1099511627776), "1024.00 GiB");  // no TiB unit
}

TEST(FormatBytes, RoundingJustBelowABoundaryMovesToTheNextUnit) {
  EXPECT_EQ(format_bytes(1048575), "1.00 MiB");
  EXPECT_EQ(format_bytes(1073741823), "1.00 GiB");
}

// What a size flag reads is what a size line prints: 20KiB is 20.0 KiB, 20KB is 19.5 KiB.
TEST(FormatBytes, ReadsBackWhatParseSizeTook) {
  EXPECT_EQ(format_bytes(parse_size("20KiB")), "20.0 KiB");
  EXPECT_EQ(format_bytes(parse_size("20KB")), "19.5 KiB");
  EXPECT_EQ(format_bytes(parse_size("64MiB")), "64.00 MiB");
  EXPECT_EQ(format_bytes(parse_size("64MB")), "61.04 MiB");
}

// ---------------------------------------------------------------------------------------------
// parse_output_format

TEST(ParseOutputFormat, Names) {
  EXPECT_EQ(parse_output_format("table"), OutputFormat::table);
  EXPECT_EQ(parse_output_format("md"), OutputFormat::markdown);
  EXPECT_EQ(parse_output_format("markdown"), OutputFormat::markdown);
  EXPECT_EQ(parse_output_format("csv"), OutputFormat::csv);
  EXPECT_EQ(parse_output_format("json"), OutputFormat::json);
  for (const char* bad : {"", "xml", "JSON", "Table"}) {
    EXPECT_EQ(invalid_argument_message([&] { parse_output_format(bad); }),
              "--format: unknown format '" + std::string(bad) + "' (expected table, md, csv or json)");
  }
}

// ---------------------------------------------------------------------------------------------
// The bench report and its renderings

StrategyRow make_row(std::string strategy, std::chrono::nanoseconds wall, double ideal_s, double cpu_user,
                     double cpu_sys, std::size_t ok, std::size_t failed, std::size_t latency_count, double p50,
                     double p95) {
  StrategyRow row;
  row.report.strategy = std::move(strategy);
  row.report.wall = wall;
  row.usage.cpu_user_s = cpu_user;
  row.usage.cpu_sys_s = cpu_sys;
  row.report.requests = ok + failed;
  row.report.ok = ok;
  row.report.failed = failed;
  row.report.bytes = 256000;
  row.report.latency.count = latency_count;
  row.report.latency.p50 = p50;
  row.report.latency.p95 = p95;
  row.report.latency.p99 = p95;
  row.report.latency.max = p95;
  row.report.peak_threads = 3;
  row.usage.peak_rss_kb = 10240;
  row.ideal_s = ideal_s;
  return row;
}

ListReport sample_list() {
  ListReport list;
  list.name = "mipt.txt";
  list.urls = 10;
  list.fetched_urls = 10;
  list.origin_note = "emulated origin on 127.0.0.1:8443";
  list.strategies.push_back(make_row("sequential", 5290ms, 0.5, 0.12, 0.03, 9, 1, 9, 0.066, 0.85));
  list.strategies.push_back(make_row("pool:8", 750ms, 0.5, 0.2, 0.05, 10, 0, 10, 0.0005, 0.12));
  list.strategies.push_back(make_row("async", 50ms, -1, 0.01, 0.002, 10, 0, 0, 0, 0));
  list.strategies[0].report.connections_opened = 1;
  list.strategies[1].report.connections_opened = 8;
  list.strategies[2].report.connections_opened = 10;
  list.strategies[2].report.tls_handshakes = 10;
  return list;
}

BenchReport sample_report() {
  BenchReport report;
  report.lists.push_back(sample_list());
  return report;
}

TEST(StrategyRow, Efficiency) {
  StrategyRow row;
  row.report.wall = 750ms;
  row.ideal_s = 0.5;
  EXPECT_DOUBLE_EQ(row.efficiency(), 0.5 / 0.75);
  row.ideal_s = 0.75;
  EXPECT_DOUBLE_EQ(row.efficiency(), 1.0);
  row.ideal_s = 0;
  EXPECT_EQ(row.efficiency(), 0);
  row.ideal_s = -1;  // unknown
  EXPECT_LT(row.efficiency(), 0);
  row.ideal_s = 0.5;
  row.report.wall = 0ns;  // no wall time
  EXPECT_LT(row.efficiency(), 0);
}

TEST(RenderTable, ExactLayout) {
  const auto text = render(sample_report(), OutputFormat::table);
  // Column widths: 2 + 10, 7, 6, 3, 7, 7, 4, 6, 7; two spaces between columns; the first column
  // left-aligned after the fastest-row marker; req/s, p50 and tls left out to fit 80 columns.
  const std::string expected =
      "mipt.txt: 10 URLs, emulated origin on 127.0.0.1:8443\n"
      "  strategy  "
      "     wall"
      "   ideal"
      "  eff"
      "  speedup"
      "      cpu"
      "  conn"
      "     p95"
      "  ok/fail\n"
      "  sequential"
      "   5.29 s"
      "  500 ms"
      "   9%"
      "    1.00x"
      "   150 ms"
      "     1"
      "  850 ms"
      "      9/1\n"
      "  pool:8    "
      "   750 ms"
      "  500 ms"
      "  67%"
      "    7.05x"
      "   250 ms"
      "     8"
      "  120 ms"
      "     10/0\n"
      "* async     "
      "  50.0 ms"
      "       -"
      "    -"
      "  105.80x"
      "  12.0 ms"
      "    10"
      "       -"
      "     10/0\n"
      "* fastest: async, 50.0 ms (105.80x sequential)\n"
      "all strategies agreed on every URL's status, size and SHA-256\n";
  EXPECT_EQ(text, expected);
  EXPECT_EQ(render_table(sample_list()), expected);
}

TEST(RenderTable, RowsAlignWithTheHeader) {
  const auto lines = lines_of(render(sample_report(), OutputFormat::table));
  ASSERT_EQ(lines.size(), 7u);  // title, header, 3 rows, fastest, agreement
  const auto& header = lines[1];
  // Where each right-aligned header title ends, every row's cell must end too.
  const std::vector<std::string> titles = {"wall", "ideal", "eff", "speedup", "cpu", "conn", "p95", "ok/fail"};
  std::vector<std::size_t> ends;
  std::size_t from = 0;
  for (const auto& title : titles) {
    const auto at = header.find(title, from);
    ASSERT_NE(at, std::string::npos) << title;
    ends.push_back(at + title.size());
    from = ends.back();
  }
  EXPECT_EQ(ends.back(), header.size());
  for (std::size_t r = 2; r <= 4; ++r) {
    const auto& row = lines[r];
    EXPECT_EQ(row.size(), header.size()) << row;
    for (std::size_t c = 0; c < ends.size(); ++c) {
      ASSERT_LE(ends[c], row.size()) << row;
      EXPECT_NE(row[ends[c] - 1], ' ') << "row " << r << " column " << titles[c] << ": " << row;
      if (ends[c] < row.size()) {
        EXPECT_EQ(row.substr(ends[c], 2), "  ") << "row " << r << " column " << titles[c] << ": " << row;
      }
    }
  }
  // The left-aligned first column: every row starts with its marker, then its strategy at offset 2.
  EXPECT_EQ(lines[2].rfind("  sequential", 0), 0u);
  EXPECT_EQ(lines[3].rfind("  pool:8 ", 0), 0u);
  EXPECT_EQ(lines[4].rfind("* async ", 0), 0u);
}

// --runs: a line under the title says the wall is a median, and each wall cell carries the farthest run's
// distance from it ("+-" where the output is not a UTF-8 terminal).
TEST(RenderTable, RepeatedRunsShowTheMedianAndItsSpread) {
  ListReport list;
  list.name = "a.txt";
  list.urls = 2;
  list.fetched_urls = 2;
  list.strategies.push_back(make_row("sequential", 107ms, 0.1, 0, 0, 2, 0, 2, 0.05, 0.05));
  list.strategies.push_back(make_row("async", 62100us, 0.06, 0, 0, 2, 0, 2, 0.05, 0.06));
  list.strategies[0].wall_runs_s = {0.103, 0.107, 0.1111};
  list.strategies[1].wall_runs_s = {0.0602, 0.0621, 0.0625};
  EXPECT_NEAR(list.strategies[0].wall_spread(), 0.0041, 1e-12);
  EXPECT_NEAR(list.strategies[1].wall_spread(), 0.0019, 1e-12);
  EXPECT_EQ(runs_of(list), 3u);
  const std::string expected =
      "a.txt: 2 URLs\n"
      "wall: median of 3 runs +- the farthest run\n"
      "  strategy  "
      "           wall"
      "    ideal"
      "  eff"
      "  speedup"
      "   cpu"
      "  conn"
      "      p95"
      "  ok/fail\n"
      "  sequential"
      "   107 +-4.1 ms"
      "   100 ms"
      "  93%"
      "    1.00x"
      "  0 us"
      "     0"
      "  50.0 ms"
      "      2/0\n"
      "* async     "
      "  62.1 +-1.9 ms"
      "  60.0 ms"
      "  97%"
      "    1.72x"
      "  0 us"
      "     0"
      "  60.0 ms"
      "      2/0\n"
      "* fastest: async, 62.1 ms (1.72x sequential)\n"
      "all strategies agreed on every URL's status, size and SHA-256\n";
  EXPECT_EQ(render_table(list), expected);
  const auto unicode = render_table(list, Style{false, true});
  EXPECT_NE(unicode.find("a.txt: 2 URLs\nwall: median of 3 runs \u00b1 the farthest run\n"), std::string::npos)
      << unicode;
  EXPECT_NE(unicode.find("  sequential   107 \u00b14.1 ms   100 ms"), std::string::npos) << unicode;
  // One run: no spread, no note.
  for (auto& row : list.strategies) row.wall_runs_s.resize(1);
  EXPECT_EQ(render_table(list).find("median"), std::string::npos);
  EXPECT_NE(render_table(list).find("  sequential   107 ms   100 ms"), std::string::npos) << render_table(list);
}

TEST(RenderJson, RepeatedRunsCarryEveryWallAndTheSpread) {
  BenchReport report;
  report.lists.push_back(sample_list());
  report.lists[0].strategies[0].wall_runs_s = {5.0, 5.29, 5.4};
  const auto json = bench_to_json(report).at("lists").at(0).at("strategies");
  EXPECT_EQ(json.at(0).at("wall_runs_s"), nlohmann::json({5.0, 5.29, 5.4}));
  EXPECT_NEAR(json.at(0).at("wall_spread_s").get<double>(), 0.29, 1e-9);
  EXPECT_FALSE(json.at(1).contains("wall_spread_s"));
}

TEST(RenderTable, NoSequentialRowMeansNoSpeedupAndDisagreementsAreListed) {
  ListReport list;
  list.name = "a.txt";
  list.urls = 2;
  list.agree = false;
  list.disagreements = {"a.txt:1: status 200 vs 404", "a.txt:2: size 10 vs 11"};
  list.strategies.push_back(make_row("pool:2", 1s, -1, 0, 0, 2, 0, 2, 0.5, 0.5));
  const auto text = render_table(list);
  const std::string expected =
      "a.txt: 2 URLs\n"
      "  strategy"
      "    wall"
      "  ideal"
      "  eff"
      "  speedup"
      "   cpu"
      "  conn"
      "     p95"
      "  ok/fail\n"
      "  pool:2  "
      "  1.00 s"
      "      -"
      "    -"
      "        -"
      "  0 us"
      "     0"
      "  500 ms"
      "      2/0\n"
      "strategies DISAGREED:\n"
      "  a.txt:1: status 200 vs 404\n"
      "  a.txt:2: size 10 vs 11\n";
  EXPECT_EQ(text, expected);
}

// Agreement, speedup and the wall chart say what they are computed over, or are withheld.
TEST(RenderTable, AgreementSaysWhatItCovers) {
  auto list = sample_list();
  list.fetched_urls = 7;
  EXPECT_NE(render_table(list).find("all strategies agreed on the status, size and SHA-256 of the 7 URLs fetched; "
                                    "3 failed in every strategy\n"),
            std::string::npos)
      << render_table(list);
  list.fetched_urls = 0;
  EXPECT_NE(render_table(list).find("agreement: not checked, no URL was fetched by any strategy\n"), std::string::npos)
      << render_table(list);
  EXPECT_TRUE(bench_to_json(BenchReport{{list}}).at("lists").at(0).at("agree").is_null());
  list.fetched_urls = 10;
  list.strategies.resize(1);
  EXPECT_NE(render_table(list).find("agreement: not checked, one strategy ran\n"), std::string::npos)
      << render_table(list);
  EXPECT_EQ(render_table(list).find("agreed"), std::string::npos) << render_table(list);
}

TEST(RenderTable, NoSpeedupWhenSequentialFetchedNothing) {
  auto list = sample_list();
  list.strategies[0].report.latency.count = 0;
  for (const auto& row : list.strategies) EXPECT_LT(speedup(list, row), 0) << row.report.strategy;
  const auto text = render_table(list);
  EXPECT_EQ(text.find("1.00x"), std::string::npos) << text;
  EXPECT_EQ(text.find("sequential)"), std::string::npos) << text;  // nor in the fastest line
}

TEST(RenderTable, ListsAreSeparatedByABlankLine) {
  BenchReport report;
  report.lists = {sample_list(), sample_list()};
  report.lists[1].name = "second.txt";
  const auto text = render(report, OutputFormat::table);
  const auto one = render_table(report.lists[0]);
  const auto two = render_table(report.lists[1]);
  EXPECT_EQ(text, one + "\n" + two);
}

TEST(RenderMarkdown, HeaderSeparatorAndRows) {
  const auto text = render(sample_report(), OutputFormat::markdown);
  const std::string expected =
      "**mipt.txt**: 10 URLs, emulated origin on 127.0.0.1:8443\n"
      "\n"
      "| strategy | wall | ideal | eff | speedup | cpu | conn | tls | req/s | p50 | p95 | ok/fail |\n"
      "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
      "| sequential | 5.29 s | 500 ms | 9% | 1.00x | 150 ms | 1 | 0 | 1.9 | 66.0 ms | 850 ms | 9/1 |\n"
      "| pool:8 | 750 ms | 500 ms | 67% | 7.05x | 250 ms | 8 | 0 | 13.3 | 500 us | 120 ms | 10/0 |\n"
      "| **async** | 50.0 ms | - | - | 105.80x | 12.0 ms | 10 | 10 | 200 | - | - | 10/0 |\n"
      "\n"
      "fastest: async, 50.0 ms (105.80x sequential)\n"
      "\n"
      "all strategies agreed on every URL's status, size and SHA-256\n";
  EXPECT_EQ(text, expected);

  // Every table line has the same number of cells.
  const auto lines = lines_of(text);
  for (std::size_t i = 2; i <= 6; ++i) EXPECT_EQ(split(lines[i], '|').size(), 14u) << lines[i];
}

TEST(RenderCsv, HeaderAndOneLinePerStrategy) {
  BenchReport report;
  report.lists = {sample_list(), sample_list()};
  report.lists[1].name = "other.txt";
  report.lists[1].agree = false;
  const auto lines = lines_of(render(report, OutputFormat::csv));
  ASSERT_EQ(lines.size(), 7u);  // header + 3 strategies x 2 lists
  EXPECT_EQ(
      lines[0],
      "list,strategy,urls,wall_s,ideal_s,efficiency,speedup,cpu_user_s,cpu_sys_s,req_per_s,"
      "p50_ms,p95_ms,p99_ms,max_ms,ok,failed,bytes,peak_threads,peak_rss_kb,connections_opened,tls_handshakes,agree");
  const auto header = split(lines[0], ',');
  ASSERT_EQ(header.size(), 22u);
  for (std::size_t i = 1; i < lines.size(); ++i) EXPECT_EQ(split(lines[i], ',').size(), header.size()) << lines[i];

  EXPECT_EQ(lines[1],
            "mipt.txt,sequential,10,5.29,0.5,0.094518,1,0.12,0.03,1.89036,66,850,850,850,9,1,256000,3,10240,1,0,true");
  EXPECT_EQ(
      lines[2],
      "mipt.txt,pool:8,10,0.75,0.5,0.666667,7.05333,0.2,0.05,13.3333,0.5,120,120,120,10,0,256000,3,10240,8,0,true");
  // Unknown values are empty fields.
  EXPECT_EQ(lines[3], "mipt.txt,async,10,0.05,,,105.8,0.01,0.002,200,0,0,0,0,10,0,256000,3,10240,10,10,true");
  EXPECT_EQ(lines[4].rfind("other.txt,sequential,10,", 0), 0u);
  EXPECT_EQ(split(lines[6], ',').back(), "false");
}

TEST(RenderCsv, ListNameWithACommaIsQuoted) {
  BenchReport report;
  report.lists = {sample_list()};
  report.lists[0].name = "a,b.txt";
  const auto lines = lines_of(render(report, OutputFormat::csv));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1].rfind("\"a,b.txt\",sequential,", 0), 0u) << lines[1];
}

TEST(RenderJson, ParsesAndHasTheFields) {
  auto report = sample_report();
  report.lists[0].strategies[1].origin_seen = {{"127.0.0.1", {{"requests", 10}}}};
  const auto text = render(report, OutputFormat::json);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json, bench_to_json(report));

  EXPECT_EQ(json.at("version"), 1);
  ASSERT_EQ(json.at("lists").size(), 1u);
  const auto& list = json.at("lists").at(0);
  EXPECT_EQ(list.at("name"), "mipt.txt");
  EXPECT_EQ(list.at("urls"), 10);
  EXPECT_EQ(list.at("agree"), true);
  EXPECT_EQ(list.at("disagreements"), nlohmann::json::array());
  ASSERT_EQ(list.at("strategies").size(), 3u);

  const auto& sequential = list.at("strategies").at(0);
  EXPECT_EQ(sequential.at("strategy"), "sequential");
  EXPECT_DOUBLE_EQ(sequential.at("wall_s").get<double>(), 5.29);
  EXPECT_DOUBLE_EQ(sequential.at("ideal_s").get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(sequential.at("efficiency").get<double>(), 0.094518);  // 0.5 / 5.29, six digits
  EXPECT_DOUBLE_EQ(sequential.at("speedup").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(sequential.at("cpu_user_s").get<double>(), 0.12);
  EXPECT_DOUBLE_EQ(sequential.at("cpu_sys_s").get<double>(), 0.03);
  EXPECT_EQ(sequential.at("requests"), 10);
  EXPECT_EQ(sequential.at("ok"), 9);
  EXPECT_EQ(sequential.at("failed"), 1);
  EXPECT_EQ(sequential.at("bytes"), 256000);
  EXPECT_DOUBLE_EQ(sequential.at("req_per_s").get<double>(), 1.89036);
  EXPECT_DOUBLE_EQ(sequential.at("p50_ms").get<double>(), 66.0);
  EXPECT_DOUBLE_EQ(sequential.at("p95_ms").get<double>(), 850.0);
  EXPECT_DOUBLE_EQ(sequential.at("p99_ms").get<double>(), 850.0);
  EXPECT_DOUBLE_EQ(sequential.at("max_ms").get<double>(), 850.0);
  EXPECT_EQ(sequential.at("peak_threads"), 3);
  EXPECT_EQ(sequential.at("peak_rss_kb"), 10240);
  EXPECT_FALSE(sequential.contains("origin"));

  const auto& pool = list.at("strategies").at(1);
  EXPECT_DOUBLE_EQ(pool.at("speedup").get<double>(), 7.05333);
  EXPECT_DOUBLE_EQ(pool.at("efficiency").get<double>(), 0.666667);
  EXPECT_EQ(pool.at("origin"), (nlohmann::json{{"127.0.0.1", {{"requests", 10}}}}));

  const auto& async = list.at("strategies").at(2);
  EXPECT_TRUE(async.at("ideal_s").is_null());
  EXPECT_TRUE(async.at("efficiency").is_null());
  EXPECT_DOUBLE_EQ(async.at("speedup").get<double>(), 5.29 / 0.05);
  EXPECT_DOUBLE_EQ(async.at("req_per_s").get<double>(), 200.0);
}

TEST(RenderJson, SpeedupIsNullWithoutASequentialRow) {
  BenchReport report;
  ListReport list;
  list.name = "x.txt";
  list.agree = false;
  list.disagreements = {"x.txt:1: status"};
  list.strategies.push_back(make_row("async", 1s, 0.25, 0, 0, 1, 0, 1, 0.1, 0.1));
  report.lists.push_back(list);
  const auto json = nlohmann::json::parse(render(report, OutputFormat::json));
  const auto& row = json.at("lists").at(0).at("strategies").at(0);
  EXPECT_TRUE(row.at("speedup").is_null());
  EXPECT_DOUBLE_EQ(row.at("efficiency").get<double>(), 0.25);
  EXPECT_EQ(json.at("lists").at(0).at("agree"), false);
  EXPECT_EQ(json.at("lists").at(0).at("disagreements"), (nlohmann::json{"x.txt:1: status"}));
}

TEST(RenderJson, EmptyReport) {
  const auto json = nlohmann::json::parse(render(BenchReport{}, OutputFormat::json));
  EXPECT_EQ(json.at("version"), 1);
  EXPECT_EQ(json.at("lists"), nlohmann::json::array());
}

// The JSON report drops, from each strategy's origin block, the sites-file hosts the list never
// touched, and carries the run's metadata when there is one.
TEST(RenderJson, OriginNamesOnlyHostsWithRequestsAndMetadataIsCarried) {
  BenchReport report;
  report.lists.push_back(sample_list());
  report.lists[0].strategies[0].origin_seen =
      nlohmann::json::array({{{"host", "cs.mipt.ru"}, {"requests", 0}, {"connections", 0}, {"peak_concurrent", 0}},
                             {{"host", "a.test"}, {"requests", 10}, {"connections", 1}, {"peak_concurrent", 1}}});
  EXPECT_FALSE(bench_to_json(report).contains("metadata"));
  report.metadata = {{"tool", "fetcher"}, {"version", "9.9.9"}};
  const auto json = bench_to_json(report);
  EXPECT_EQ(json.at("metadata").at("version"), "9.9.9");
  const auto& origin = json.at("lists").at(0).at("strategies").at(0).at("origin");
  ASSERT_EQ(origin.size(), 1u) << origin.dump();
  EXPECT_EQ(origin.at(0).at("host"), "a.test");
  EXPECT_FALSE(json.at("lists").at(0).at("strategies").at(1).contains("origin"));
}

TEST(RenderJson, FloatsAreRoundedToSixSignificantDigits) {
  BenchReport report;
  report.lists.push_back(sample_list());
  report.lists[0].strategies[0].usage.cpu_user_s = 0.007280999999999999;
  report.lists[0].strategies[0].report.wall = std::chrono::nanoseconds(5290123456);
  const auto text = bench_to_json(report).dump();
  EXPECT_NE(text.find("\"cpu_user_s\":0.007281,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"wall_s\":5.29012}"), std::string::npos) << text;
}

// ---------------------------------------------------------------------------------------------
// run_metadata

TEST(RoundFloats, SignificantDigitsOfFloatsOnly) {
  const nlohmann::json json = {{"a", 0.007280999999999999},
                               {"b", {1.0 / 3, 123456789.0, -2.5e-9}},
                               {"c", 12345678901},
                               {"d", "0.3333333333"},
                               {"e", nullptr},
                               {"f", 100.0}};
  EXPECT_EQ(
      round_floats(json).dump(),
      R"({"a":0.007281,"b":[0.333333,123457000.0,-2.5e-09],"c":12345678901,"d":"0.3333333333","e":null,"f":100.0})");
  EXPECT_EQ(round_floats(json, 2).at("a"), 0.0073);
}

TEST(CpuModel, ReadFromTheFieldEachArchitectureUses) {
  EXPECT_EQ(cpu_model_from_cpuinfo("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n"
                                   "model name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"),
            "AMD EPYC 7B13");
  EXPECT_EQ(cpu_model_from_cpuinfo("processor\t: 0\nBogoMIPS\t: 108.00\n\nHardware\t: BCM2835\n"
                                   "Model\t\t: Raspberry Pi 4 Model B Rev 1.4\n"),
            "Raspberry Pi 4 Model B Rev 1.4");
  EXPECT_EQ(cpu_model_from_cpuinfo("processor : 0\nmodel name :  \n"), "unknown");
  EXPECT_EQ(cpu_model_from_cpuinfo(""), "unknown");
}

TEST(RunMetadata, TimeInUtcIso8601AndTheRecordedCommandLine) {
  EXPECT_EQ(utc_iso8601(std::chrono::system_clock::from_time_t(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_iso8601(std::chrono::system_clock::from_time_t(1796477773) + 900ms), "2026-12-05T13:36:13Z");
  const char* const argv[] = {"fetcher", "bench", "--runs", "3"};
  record_command_line(4, argv);
  const auto json = run_metadata(std::chrono::system_clock::from_time_t(0), {{"runs", 3}});
  EXPECT_EQ(json.at("tool"), "fetcher");
  EXPECT_EQ(json.at("version"), fetcher_version());
  EXPECT_EQ(json.at("started"), "1970-01-01T00:00:00Z");
  EXPECT_EQ(json.at("command_line"), nlohmann::json({"fetcher", "bench", "--runs", "3"}));
  EXPECT_EQ(json.at("options"), nlohmann::json({{"runs", 3}}));
  EXPECT_GE(json.at("host").at("cores").get<unsigned>(), 1u);
  EXPECT_EQ(json.at("host").at("kernel").get<std::string>().rfind("Linux ", 0), 0u);
}

TEST(RunMetadata, ClientOptionsAreNamedAsTheirFlags) {
  ClientFlags client;
  client.retries = 2;
  client.connect_to = {"a:80:b:8080"};
  const auto json = client_options_json(client);
  EXPECT_EQ(json.at("retries"), 2);
  EXPECT_EQ(json.at("body-limit"), "64MiB");
  EXPECT_EQ(json.at("connect-to"), nlohmann::json({"a:80:b:8080"}));
  EXPECT_EQ(json.at("insecure"), false);
}

TEST(BuildInfo, VersionsAsPeopleWriteThem) {
  EXPECT_TRUE(std::regex_match(fetcher_version(), std::regex(R"([0-9]+\.[0-9]+\.[0-9]+)"))) << fetcher_version();
  EXPECT_EQ(boost_version(), std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
                                 (BOOST_VERSION % 100 ? "." + std::to_string(BOOST_VERSION % 100) : ""));
  EXPECT_EQ(openssl_version().rfind("OpenSSL ", 0), 0u);
  EXPECT_EQ(version_text().rfind("fetcher " + fetcher_version() + "\nBoost " + boost_version() + "\n", 0), 0u);
}

// ---------------------------------------------------------------------------------------------
// result_to_json / result_from_json, report_to_json / report_from_json

FetchResult sample_result() {
  FetchResult result;
  result.index = 7;
  result.url = "http://a.example/x";
  result.final_url = "https://a.example/y";
  result.source = "list.txt:9";
  result.status = 404;
  result.body_bytes = 1234;
  result.body_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  result.redirects = 2;
  result.timings.connect = 1500us;
  result.timings.tls = 3ms;
  result.timings.first_byte = 12345678ns;
  result.timings.total = 250ms;
  result.error = ErrorKind::http_status;
  result.message = "HTTP 404 Not Found";
  return result;
}

void expect_same(const FetchResult& a, const FetchResult& b) {
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.final_url, b.final_url);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.body_bytes, b.body_bytes);
  EXPECT_EQ(a.body_sha256, b.body_sha256);
  EXPECT_EQ(a.redirects, b.redirects);
  EXPECT_EQ(a.timings.connect, b.timings.connect);
  EXPECT_EQ(a.timings.tls, b.timings.tls);
  EXPECT_EQ(a.timings.first_byte, b.timings.first_byte);
  EXPECT_EQ(a.timings.total, b.timings.total);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.stage, b.stage);
  EXPECT_EQ(a.message, b.message);
}

TEST(ResultJson, Fields) {
  const auto json = result_to_json(sample_result());
  EXPECT_EQ(json.at("index"), 7);
  EXPECT_EQ(json.at("url"), "http://a.example/x");
  EXPECT_EQ(json.at("final_url"), "https://a.example/y");
  EXPECT_EQ(json.at("source"), "list.txt:9");
  EXPECT_EQ(json.at("status"), 404);
  EXPECT_EQ(json.at("bytes"), 1234);
  EXPECT_EQ(json.at("redirects"), 2);
  EXPECT_DOUBLE_EQ(json.at("connect_ms").get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(json.at("tls_ms").get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(json.at("first_byte_ms").get<double>(), 12.345678);
  EXPECT_DOUBLE_EQ(json.at("total_ms").get<double>(), 250.0);
  EXPECT_EQ(json.at("ok"), false);
  EXPECT_EQ(json.at("error"), "http-status");
  EXPECT_EQ(json.at("message"), "HTTP 404 Not Found");
}

TEST(ResultJson, ContentTypeAndWarningAreWrittenAndReadBack) {
  auto result = sample_result();
  EXPECT_EQ(result_to_json(result).at("content_type"), "");
  EXPECT_EQ(result_to_json(result).at("warning"), "");
  result.headers.add("Content-Type", "Text/HTML; charset=utf-8");
  result.warning = "response carried 3 bytes more than its Content-Length of 5";
  const auto json = result_to_json(result);
  EXPECT_EQ(json.at("content_type"), "text/html");
  EXPECT_EQ(json.at("warning"), result.warning);
  const auto back = result_from_json(json);
  EXPECT_EQ(back.headers.content_type(), "text/html");
  EXPECT_EQ(back.warning, result.warning);
}

TEST(ResultJson, RoundTrip) {
  const auto original = sample_result();
  expect_same(result_from_json(result_to_json(original)), original);
  // Through text too, as between the child process and the bench.
  expect_same(result_from_json(nlohmann::json::parse(result_to_json(original).dump())), original);
}

TEST(ResultJson, RoundTripOfEveryErrorKindAndEmptySource) {
  for (int i = 0; i <= static_cast<int>(ErrorKind::internal); ++i) {
    auto result = sample_result();
    result.error = static_cast<ErrorKind>(i);
    result.source.clear();
    const auto json = result_to_json(result);
    EXPECT_FALSE(json.contains("source"));
    EXPECT_EQ(json.at("ok"), result.error == ErrorKind::none);
    const auto back = result_from_json(json);
    EXPECT_EQ(back.error, result.error) << i;
    EXPECT_EQ(back.source, "");
  }
}

TEST(ResultJson, RoundTripOfEveryStage) {
  for (int i = 0; i <= static_cast<int>(FetchStage::policy); ++i) {
    auto result = sample_result();
    result.error = ErrorKind::timeout;
    result.stage = static_cast<FetchStage>(i);
    const auto json = result_to_json(result);
    EXPECT_EQ(json.at("stage"), std::string(to_string(result.stage))) << i;
    EXPECT_EQ(result_from_json(json).stage, result.stage) << i;
  }
}

TEST(ResultJson, StageOfAResultWrittenBeforeStagesOrByALaterVersionReadsNone) {
  auto json = result_to_json(sample_result());
  json["stage"] = "read-header";
  ASSERT_EQ(result_from_json(json).stage, FetchStage::read_header);
  json.erase("stage");
  EXPECT_EQ(result_from_json(json).stage, FetchStage::none);
  json["stage"] = "something-new";
  EXPECT_EQ(result_from_json(json).stage, FetchStage::none);
}

TEST(ResultJson, CauseIsItsMessageAndAbsentWhenEmpty) {
  auto result = sample_result();
  EXPECT_FALSE(result_to_json(result).contains("cause"));
  result.error = ErrorKind::connect;
  result.stage = FetchStage::connect;
  result.cause = make_error_code(std::errc::connection_refused);
  const auto json = result_to_json(result);
  EXPECT_EQ(json.at("cause"), std::generic_category().message(ECONNREFUSED));
  EXPECT_EQ(json.at("stage"), "connect");
  // Only the message is written: the code itself is not read back.
  EXPECT_FALSE(result_from_json(json).cause);
}

TEST(ResultJson, UnknownErrorNameBecomesProtocol) {
  auto json = result_to_json(sample_result());
  json["error"] = "something-new";
  EXPECT_EQ(result_from_json(json).error, ErrorKind::protocol);
}

TEST(ResultJson, MissingFieldThrows) {
  auto json = result_to_json(sample_result());
  json.erase("status");
  EXPECT_THROW((void)result_from_json(json), nlohmann::json::exception);
}

TEST(ResultJson, TimingsRoundTripToTheNanosecond) {
  auto result = sample_result();
  result.timings.total = 1000001ns;
  EXPECT_EQ(result_from_json(result_to_json(result)).timings.total, 1000001ns);
  RunReport report;
  report.wall = 1000000007ns;
  EXPECT_EQ(report_from_json(report_to_json(report, {})).wall, 1000000007ns);
}

TEST(ReportJson, RoundTrip) {
  RunReport report;
  report.strategy = "pool:4";
  report.wall = 1250ms;
  report.requests = 10;
  report.ok = 8;
  report.failed = 2;
  report.bytes = 123456789;
  report.latency = {8, 0.1, 0.05, 0.5, 0.75, 1.0};
  report.peak_threads = 6;
  bench::ProcessUsage usage;
  usage.cpu_user_s = 0.25;
  usage.cpu_sys_s = 0.125;
  usage.peak_rss_kb = 20480;
  const auto json = report_to_json(report, usage);
  EXPECT_DOUBLE_EQ(json.at("wall_s").get<double>(), 1.25);
  EXPECT_DOUBLE_EQ(json.at("req_per_s").get<double>(), 8.0);
  EXPECT_DOUBLE_EQ(json.at("p95_ms").get<double>(), 500.0);
  const auto parsed = nlohmann::json::parse(json.dump());
  const auto back = report_from_json(parsed);
  const auto usage_back = usage_from_json(parsed);
  EXPECT_EQ(back.strategy, "pool:4");
  EXPECT_EQ(back.wall, 1250ms);
  EXPECT_EQ(usage_back.cpu_user_s, 0.25);
  EXPECT_EQ(usage_back.cpu_sys_s, 0.125);
  EXPECT_EQ(back.requests, 10u);
  EXPECT_EQ(back.ok, 8u);
  EXPECT_EQ(back.failed, 2u);
  EXPECT_EQ(back.bytes, 123456789u);
  EXPECT_EQ(back.latency.count, 8u);
  EXPECT_DOUBLE_EQ(back.latency.mean, 0.1);
  EXPECT_DOUBLE_EQ(back.latency.p50, 0.05);
  EXPECT_DOUBLE_EQ(back.latency.p95, 0.5);
  EXPECT_DOUBLE_EQ(back.latency.p99, 0.75);
  EXPECT_DOUBLE_EQ(back.latency.max, 1.0);
  EXPECT_EQ(back.peak_threads, 6u);
  EXPECT_EQ(usage_back.peak_rss_kb, 20480);
  EXPECT_TRUE(back.results.empty());
}

TEST(HugePages, AutoAsksForThemFromAThousandUrls) {
  EXPECT_FALSE(wants_huge_pages("auto", 80));
  EXPECT_FALSE(wants_huge_pages("auto", huge_pages_from_urls - 1));
  EXPECT_TRUE(wants_huge_pages("auto", huge_pages_from_urls));
  EXPECT_TRUE(wants_huge_pages("on", 1));
  EXPECT_FALSE(wants_huge_pages("off", 10000));
}

TEST(HugePages, TheTunableJoinsTheUsersAndNeverOverridesTheirChoice) {
  EXPECT_EQ(huge_page_environment(nullptr, true), std::vector<std::string>{"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"});
  EXPECT_EQ(huge_page_environment("glibc.malloc.arena_max=2", true),
            std::vector<std::string>{"GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"});
  EXPECT_TRUE(huge_page_environment("glibc.malloc.hugetlb=0", true).empty());
  EXPECT_TRUE(huge_page_environment(nullptr, false).empty());
}

// A real child (env(1)) sees the added variables, one replaced rather than doubled, and the rest
// of ours unchanged.
TEST(ChildProcessEnvironment, AddsAndReplacesVariables) {
  ASSERT_EQ(::setenv("FETCHER_TEST_REPLACED", "old", 1), 0);
  ASSERT_EQ(::setenv("FETCHER_TEST_KEPT", "kept", 1), 0);
  ChildProcess child({"/usr/bin/env"}, {"FETCHER_TEST_REPLACED=new", "FETCHER_TEST_ADDED=1"});
  child.close_input();
  std::vector<std::string> seen;
  std::string line;
  while (child.read_line(line)) {
    if (line.rfind("FETCHER_TEST_", 0) == 0) seen.push_back(line);
  }
  EXPECT_EQ(child.wait(), 0);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen,
            (std::vector<std::string>{"FETCHER_TEST_ADDED=1", "FETCHER_TEST_KEPT=kept", "FETCHER_TEST_REPLACED=new"}));
  ::unsetenv("FETCHER_TEST_REPLACED");
  ::unsetenv("FETCHER_TEST_KEPT");
}

TEST(HelpFormat, EditDistanceAndNearestFlag) {
  EXPECT_EQ(fetcher::cli::edit_distance("--runz", "--runs"), 1u);
  EXPECT_EQ(fetcher::cli::edit_distance("", "abc"), 3u);
  EXPECT_EQ(fetcher::cli::edit_distance("kitten", "sitting"), 3u);
  CLI::App app;
  int runs = 1;
  bool quiet = false;
  app.add_option("--runs", runs);
  app.add_flag("-q,--quiet", quiet);
  EXPECT_EQ(fetcher::cli::nearest_flag(app, "--rusn"), "--runs");
  EXPECT_EQ(fetcher::cli::nearest_flag(app, "--quite"), "--quiet");
  EXPECT_EQ(fetcher::cli::nearest_flag(app, "--live"), "");
}

TEST(GetProgress, LineReadsCountsAndClock) {
  EXPECT_EQ(fetcher::cli::get_progress_line(120, 1000, 118, 2, 3.4), "120/1,000 URLs  118 ok  2 failed  0:03");
  EXPECT_EQ(fetcher::cli::get_progress_line(0, 21, 0, 0, 0), "0/21 URLs  0 ok  0 failed  0:00");
  EXPECT_EQ(fetcher::cli::get_progress_line(1234567, 1234567, 1234560, 7, 3725),
            "1,234,567/1,234,567 URLs  1,234,560 ok  7 failed  1:02:05");
  EXPECT_EQ(fetcher::cli::grouped_count(999), "999");
  EXPECT_EQ(fetcher::cli::grouped_count(1000), "1,000");
}

}  // namespace
}  // namespace fetcher::cli
