// Unit tests for the run report: nearest-rank percentile, summarize_latency and RunReport rates.
#include <fetcher/run_report.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace fetcher {
namespace {

using namespace std::chrono_literals;

std::vector<double> one_to(int n) {
  std::vector<double> values;
  for (int i = 1; i <= n; ++i) values.push_back(i);
  return values;
}

FetchResult result_with(unsigned status, std::chrono::nanoseconds total) {
  FetchResult result;
  result.status = status;
  result.timings.total = total;
  result.error = status == 0 ? ErrorKind::connect : (status >= 400 ? ErrorKind::http_status : ErrorKind::none);
  return result;
}

double seconds(std::chrono::nanoseconds value) { return std::chrono::duration<double>(value).count(); }

TEST(Percentile, EmptySampleIsZero) {
  const std::vector<double> empty;
  EXPECT_EQ(percentile(empty, 0), 0);
  EXPECT_EQ(percentile(empty, 50), 0);
  EXPECT_EQ(percentile(empty, 100), 0);
}

TEST(Percentile, SingleElementIsEveryPercentile) {
  const std::vector<double> one = {42.5};
  for (double p : {0.0, 1.0, 50.0, 95.0, 99.0, 100.0}) EXPECT_EQ(percentile(one, p), 42.5) << p;
}

TEST(Percentile, NearestRankOnTen) {
  const auto s = one_to(10);  // 1..10
  EXPECT_EQ(percentile(s, 0), 1);    // rank clamps to 1
  EXPECT_EQ(percentile(s, 1), 1);    // ceil(0.1) = 1
  EXPECT_EQ(percentile(s, 10), 1);   // ceil(1.0) = 1
  EXPECT_EQ(percentile(s, 11), 2);   // ceil(1.1) = 2
  EXPECT_EQ(percentile(s, 49), 5);   // ceil(4.9) = 5
  EXPECT_EQ(percentile(s, 50), 5);   // ceil(5.0) = 5
  EXPECT_EQ(percentile(s, 51), 6);   // ceil(5.1) = 6
  EXPECT_EQ(percentile(s, 90), 9);   // ceil(9.0) = 9
  EXPECT_EQ(percentile(s, 95), 10);  // ceil(9.5) = 10
  EXPECT_EQ(percentile(s, 99), 10);
  EXPECT_EQ(percentile(s, 100), 10);
}

TEST(Percentile, NearestRankOnFour) {
  const std::vector<double> s = {0.1, 0.2, 0.3, 0.4};
  EXPECT_EQ(percentile(s, 0), 0.1);
  EXPECT_EQ(percentile(s, 25), 0.1);  // ceil(1.00) = 1
  EXPECT_EQ(percentile(s, 26), 0.2);  // ceil(1.04) = 2
  EXPECT_EQ(percentile(s, 50), 0.2);  // ceil(2.00) = 2
  EXPECT_EQ(percentile(s, 75), 0.3);  // ceil(3.00) = 3
  EXPECT_EQ(percentile(s, 76), 0.4);  // ceil(3.04) = 4
  EXPECT_EQ(percentile(s, 100), 0.4);
}

TEST(Percentile, NearestRankOnTwentyAndHundred) {
  const auto twenty = one_to(20);
  EXPECT_EQ(percentile(twenty, 50), 10);  // ceil(10.0)
  EXPECT_EQ(percentile(twenty, 95), 19);  // ceil(19.0)
  EXPECT_EQ(percentile(twenty, 96), 20);  // ceil(19.2)
  EXPECT_EQ(percentile(twenty, 99), 20);  // ceil(19.8)

  const auto hundred = one_to(100);
  EXPECT_EQ(percentile(hundred, 1), 1);
  EXPECT_EQ(percentile(hundred, 50), 50);
  EXPECT_EQ(percentile(hundred, 95), 95);
  EXPECT_EQ(percentile(hundred, 99), 99);
  EXPECT_EQ(percentile(hundred, 99.5), 100);
  EXPECT_EQ(percentile(hundred, 100), 100);
}

TEST(Percentile, OutOfRangePIsClamped) {
  const auto s = one_to(5);
  EXPECT_EQ(percentile(s, -10), 1);
  EXPECT_EQ(percentile(s, 150), 5);
}

TEST(Percentile, ExactRankIsNotBumpedByFloatingPointError) {
  const auto hundred = one_to(100);
  EXPECT_EQ(percentile(hundred, 55), 55);
  EXPECT_EQ(percentile(hundred, 7), 7);
  EXPECT_EQ(percentile(one_to(25), 28), 7);
  EXPECT_EQ(percentile(one_to(50), 14), 7);
}

TEST(SummarizeLatency, IgnoresResultsWithoutAResponse) {
  const std::vector<FetchResult> results = {
      result_with(200, 10ms), result_with(404, 30ms), result_with(0, 999ms),
      result_with(200, 20ms), result_with(500, 40ms), result_with(0, 5ms),
  };
  const auto summary = summarize_latency(results);
  EXPECT_EQ(summary.count, 4u);
  EXPECT_DOUBLE_EQ(summary.mean, 0.025);
  EXPECT_EQ(summary.p50, seconds(20ms));  // ceil(0.50 * 4) = 2nd of 10, 20, 30, 40
  EXPECT_EQ(summary.p95, seconds(40ms));  // ceil(0.95 * 4) = 4th
  EXPECT_EQ(summary.p99, seconds(40ms));
  EXPECT_EQ(summary.max, seconds(40ms));
}

TEST(SummarizeLatency, SortsBeforeTakingPercentiles) {
  std::vector<FetchResult> results;
  for (int ms = 20; ms >= 1; --ms) results.push_back(result_with(200, std::chrono::milliseconds(ms)));
  const auto summary = summarize_latency(results);
  EXPECT_EQ(summary.count, 20u);
  EXPECT_DOUBLE_EQ(summary.mean, 0.0105);  // (1 + ... + 20) / 20 ms
  EXPECT_EQ(summary.p50, seconds(10ms));
  EXPECT_EQ(summary.p95, seconds(19ms));
  EXPECT_EQ(summary.p99, seconds(20ms));
  EXPECT_EQ(summary.max, seconds(20ms));
}

TEST(SummarizeLatency, SingleResult) {
  const auto summary = summarize_latency({result_with(301, 1500ms)});
  EXPECT_EQ(summary.count, 1u);
  EXPECT_EQ(summary.mean, 1.5);
  EXPECT_EQ(summary.p50, 1.5);
  EXPECT_EQ(summary.p95, 1.5);
  EXPECT_EQ(summary.p99, 1.5);
  EXPECT_EQ(summary.max, 1.5);
}

TEST(SummarizeLatency, NothingWithAResponseGivesZeros) {
  for (const auto& results : {std::vector<FetchResult>{}, std::vector<FetchResult>{result_with(0, 5s), result_with(0, 1s)}}) {
    const auto summary = summarize_latency(results);
    EXPECT_EQ(summary.count, 0u);
    EXPECT_EQ(summary.mean, 0);
    EXPECT_EQ(summary.p50, 0);
    EXPECT_EQ(summary.p95, 0);
    EXPECT_EQ(summary.p99, 0);
    EXPECT_EQ(summary.max, 0);
  }
}

TEST(RunReport, RequestsPerSecond) {
  RunReport report;
  report.requests = 10;
  report.wall = 2s;
  EXPECT_EQ(report.wall_seconds(), 2.0);
  EXPECT_EQ(report.requests_per_second(), 5.0);

  report.requests = 3;
  report.wall = 250ms;
  EXPECT_EQ(report.wall_seconds(), 0.25);
  EXPECT_EQ(report.requests_per_second(), 12.0);

  report.requests = 1;
  report.wall = 1500ms;
  EXPECT_DOUBLE_EQ(report.requests_per_second(), 1.0 / 1.5);
}

TEST(RunReport, RequestsPerSecondWithNoWallTimeIsZero) {
  RunReport report;
  report.requests = 7;
  EXPECT_EQ(report.wall_seconds(), 0);
  EXPECT_EQ(report.requests_per_second(), 0);
  report.requests = 0;
  report.wall = 1s;
  EXPECT_EQ(report.requests_per_second(), 0);
}

}  // namespace
}  // namespace fetcher
