// Unit tests for the run report: nearest-rank percentile, summarize_latency, RunReport rates and
// the latency histogram.
#include <fetcher/run_report.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
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
  const auto s = one_to(10);         // 1..10
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
  for (const auto& results :
       {std::vector<FetchResult>{}, std::vector<FetchResult>{result_with(0, 5s), result_with(0, 1s)}}) {
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

TEST(LatencyHistogram, EmptyIsAllZero) {
  const LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.mean(), 0);
  EXPECT_EQ(histogram.percentile(50), 0);
  const auto summary = histogram.summary();
  EXPECT_EQ(summary.count, 0u);
  EXPECT_EQ(summary.p99, 0);
  EXPECT_EQ(summary.max, 0);
}

TEST(LatencyHistogram, OneValueIsEveryPercentileExactly) {
  LatencyHistogram histogram;
  histogram.add(37ms);
  EXPECT_EQ(histogram.count(), 1u);
  EXPECT_DOUBLE_EQ(histogram.mean(), 0.037);
  for (const double p : {0.0, 50.0, 99.0, 100.0}) EXPECT_DOUBLE_EQ(histogram.percentile(p), 0.037) << p;
}

TEST(LatencyHistogram, PercentilesAreWithinOneBucketOfTheExactOnes) {
  // 1 ms to 1000 ms in 1 ms steps: the exact p50 is 500 ms, p95 950 ms, p99 990 ms.
  LatencyHistogram histogram;
  std::vector<double> exact;
  for (int ms = 1; ms <= 1000; ++ms) {
    histogram.add(std::chrono::milliseconds(ms));
    exact.push_back(ms / 1000.0);
  }
  const double bucket_ratio = std::exp2(1.0 / LatencyHistogram::buckets_per_doubling);
  for (const double p : {1.0, 10.0, 50.0, 95.0, 99.0}) {
    const double estimate = histogram.percentile(p);
    const double truth = percentile(exact, p);
    EXPECT_LE(estimate, truth * bucket_ratio) << p;
    EXPECT_GE(estimate, truth / bucket_ratio) << p;
  }
  EXPECT_DOUBLE_EQ(histogram.min(), 0.001);
  EXPECT_DOUBLE_EQ(histogram.max(), 1.0);
  EXPECT_DOUBLE_EQ(histogram.percentile(100), 1.0);
  EXPECT_NEAR(histogram.mean(), 0.5005, 1e-9);
}

TEST(LatencyHistogram, SplitsOrdersOfMagnitudeApart) {
  // 90 fast and 10 slow: p50 is a fast one, p95 a slow one, whatever the bucket rounding.
  LatencyHistogram histogram;
  for (int i = 0; i < 90; ++i) histogram.add(2ms);
  for (int i = 0; i < 10; ++i) histogram.add(3s);
  EXPECT_LT(histogram.percentile(50), 0.0025);
  EXPECT_LE(histogram.percentile(90), 0.0025);
  EXPECT_GT(histogram.percentile(91), 2.5);
  EXPECT_NEAR(histogram.percentile(95), 3.0, 3.0 * 0.1);
  EXPECT_DOUBLE_EQ(histogram.percentile(100), 3.0);
}

TEST(LatencyHistogram, MergeEqualsAddingEverythingToOne) {
  LatencyHistogram all;
  LatencyHistogram first;
  LatencyHistogram second;
  for (int ms = 1; ms <= 300; ++ms) {
    all.add(std::chrono::milliseconds(ms));
    (ms % 3 ? first : second).add(std::chrono::milliseconds(ms));
  }
  LatencyHistogram empty;
  first.merge(empty);
  empty.merge(first);
  empty.merge(second);
  EXPECT_EQ(empty.count(), all.count());
  EXPECT_DOUBLE_EQ(empty.min(), all.min());
  EXPECT_DOUBLE_EQ(empty.max(), all.max());
  EXPECT_NEAR(empty.mean(), all.mean(), 1e-12);
  for (const double p : {5.0, 50.0, 95.0, 99.0}) EXPECT_EQ(empty.percentile(p), all.percentile(p)) << p;
}

TEST(LatencyHistogram, ExtremesLandInTheEndBuckets) {
  LatencyHistogram histogram;
  histogram.add(std::chrono::nanoseconds(0));
  histogram.add(std::chrono::nanoseconds(-5));  // clock trouble counts as zero
  histogram.add(std::chrono::hours(100));       // past the last bucket's start
  EXPECT_EQ(histogram.count(), 3u);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_DOUBLE_EQ(histogram.max(), 360000.0);
  EXPECT_EQ(histogram.percentile(50), 0);
  EXPECT_DOUBLE_EQ(histogram.percentile(100), 360000.0);
}

}  // namespace
}  // namespace fetcher
