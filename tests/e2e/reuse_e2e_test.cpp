// reuse_e2e_test.cpp: the crawler-grade parts of the client against a real origin on loopback:
// keep-alive reuse per strategy, the stale-connection rule, the per-host limit, retries.
#include "canned_server.hpp"
#include "descriptors.hpp"
#include "event_count.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/run.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

namespace fetcher {
namespace {

using testing::TestOrigin;

std::vector<FetchRequest> numbered(const std::string& base, int count) {
  std::vector<FetchRequest> requests;
  for (int i = 0; i < count; ++i) requests.push_back(FetchRequest{base + std::to_string(i), "", ""});
  return requests;
}

const origin::HostStats& stats_for(const std::vector<origin::HostStats>& all, const std::string& host) {
  for (const auto& stats : all) {
    if (stats.host == host) return stats;
  }
  throw std::logic_error("no stats for " + host);
}

// slow.test's latency must outlast starting the threads strategy's threads, slow under TSan
// (sanitizer_scale.hpp), or PerHostLimitHoldsExactly never sees four fetches at once.
const std::string sites = R"(
[[site]]
host = "reuse.test"
latency_ms = 2
body_bytes = 5000

[[site]]
host = "slow.test"
latency_ms = )" + std::to_string(20 * testing::sanitizer_scale()) +
                          R"(
body_bytes = 100

[[site]]
host = "flaky.test"
latency_ms = 1
body_bytes = 100
fail_first = 2
fail_status = 503

[[site]]
host = "zipped.test"
latency_ms = 1
body_bytes = 50000
gzip = true

[[site]]
host = "patient.test"
latency_ms = 1
body_bytes = 100
fail_first = 1
fail_status = 429
retry_after_s = 1
)";

class ReuseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = new TestOrigin(sites); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }
  void SetUp() override { origin_->server().reset(); }
  // `count` https URLs of reuse.test fetched with keep-alive off: a new TLS connection each.
  static RunReport one_connection_per_url(const char* strategy, int count, bool resume_tls_sessions = true) {
    auto options = origin_->client_options();
    options.keep_alive = false;
    options.resume_tls_sessions = resume_tls_sessions;
    Client client(options);
    return run(numbered("https://reuse.test/", count), Strategy::parse(strategy), client);
  }
  static TestOrigin* origin_;
};
TestOrigin* ReuseTest::origin_ = nullptr;

TEST_F(ReuseTest, SequentialReusesOneConnection) {
  Client client(origin_->client_options());
  const auto report = run(numbered("http://reuse.test/", 20), Strategy::parse("sequential"), client);
  EXPECT_EQ(report.ok, 20u);
  EXPECT_EQ(report.connections_opened, 1u);
  EXPECT_EQ(stats_for(origin_->server().stats(), "reuse.test").connections, 1u);
  EXPECT_TRUE(report.results.back().reused_connection);
}

// A crawl moves on from its hosts: a connection idle past the idle timeout is closed even though
// its host is never fetched again (the pool sweeps when any connection comes back to it).
TEST_F(ReuseTest, IdleConnectionsOfHostsNotVisitedAgainAreClosed) {
  auto options = origin_->client_options();
  options.idle_timeout = std::chrono::milliseconds(100) * testing::sanitizer_scale();
  Client client(options);
  // The blocking loop's own descriptors, and an idle connection to slow.test.
  ASSERT_TRUE(client.fetch(FetchRequest{"http://slow.test/warm", "", ""}).ok());
  const auto before = testing::open_descriptors();
  ASSERT_TRUE(client.fetch(FetchRequest{"http://reuse.test/once", "", ""}).ok());
  EXPECT_GT(testing::open_descriptors(), before);  // reuse.test's idle connection, both ends
  // Idling past the timeout is the behaviour under test: no event stands in for time passing.
  std::this_thread::sleep_for(options.idle_timeout * 2);
  // slow.test's connection has expired too: replaced, and the sweep closes reuse.test's.
  ASSERT_TRUE(client.fetch(FetchRequest{"http://slow.test/again", "", ""}).ok());
  EXPECT_EQ(testing::descriptors_down_to(before, std::chrono::seconds(2)), before);
}

TEST_F(ReuseTest, PoolWorkersReuseAtMostOneConnectionEach) {
  Client client(origin_->client_options());
  const auto report = run(numbered("https://reuse.test/", 40), Strategy::parse("pool:4"), client);
  EXPECT_EQ(report.ok, 40u);
  EXPECT_LE(report.connections_opened, 4u);
  EXPECT_LE(report.tls_handshakes, 4u);
  EXPECT_LE(stats_for(origin_->server().stats(), "reuse.test").connections, 4u);
}

TEST_F(ReuseTest, KeepAliveOffOpensOneConnectionPerUrl) {
  auto options = origin_->client_options();
  options.keep_alive = false;
  Client client(options);
  const auto report = run(numbered("http://reuse.test/", 20), Strategy::parse("sequential"), client);
  EXPECT_EQ(report.ok, 20u);
  EXPECT_EQ(report.connections_opened, 20u);
  EXPECT_EQ(stats_for(origin_->server().stats(), "reuse.test").connections, 20u);
}

TEST_F(ReuseTest, PerHostLimitHoldsExactly) {
  auto options = origin_->client_options();
  options.max_per_host = 4;
  Client client(options);
  for (const char* strategy : {"async", "pool:8", "threads"}) {
    origin_->server().reset();
    const auto report = run(numbered("http://slow.test/", strategy == std::string("threads") ? 40 : 200),
                            Strategy::parse(strategy), client);
    EXPECT_EQ(report.failed, 0u) << strategy;
    EXPECT_EQ(stats_for(origin_->server().stats(), "slow.test").peak_concurrent, 4u) << strategy;
  }
}

// Politeness in time. Only lower bounds on elapsed time are asserted (a loaded machine can only
// make a run slower); the upper bound is loose and tells pacing per host from pacing overall.
// The interval and both bounds are stretched alike under the sanitizers.
TEST_F(ReuseTest, MinimumIntervalSpacesRequestsToOneHostOnly) {
  using testing::scaled;
  auto options = origin_->client_options();
  options.min_host_interval = scaled(std::chrono::milliseconds(200));
  for (const char* strategy : {"async", "pool:4", "threads"}) {
    Client client(options);
    auto requests = numbered("http://reuse.test/", 4);
    const auto others = numbered("http://slow.test/", 4);
    requests.insert(requests.end(), others.begin(), others.end());
    const auto started = std::chrono::steady_clock::now();
    const auto report = run(requests, Strategy::parse(strategy), client);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(report.ok, 8u) << strategy;
    // Four turns per host, 200 ms apart: the last starts 600 ms after the first.
    EXPECT_GE(took, scaled(std::chrono::milliseconds(600))) << strategy;
    // One queue for both hosts would take 7 x 200 ms = 1.4 s.
    EXPECT_LT(took, scaled(std::chrono::milliseconds(1300))) << strategy;
  }
}

TEST_F(ReuseTest, WaitingForTheTurnPastTheTimeoutIsATimeout) {
  auto options = origin_->client_options();
  options.min_host_interval = std::chrono::seconds(2);
  options.total_timeout = std::chrono::milliseconds(500);
  Client client(options);
  const auto report = run(numbered("http://reuse.test/", 3), Strategy::parse("async"), client);
  EXPECT_EQ(report.ok, 1u);
  ASSERT_EQ(report.results.size(), 3u);
  EXPECT_EQ(report.results[2].error, ErrorKind::timeout);
  EXPECT_NE(report.results[2].message.find("between requests to reuse.test"), std::string::npos)
      << report.results[2].message;
}

TEST_F(ReuseTest, RetriesRecoverFromTransientFailures) {
  auto options = origin_->client_options();
  options.retries = 3;
  options.retry_base = std::chrono::milliseconds(1);
  Client client(options);
  const auto report = run(numbered("http://flaky.test/a", 10), Strategy::parse("async"), client);
  EXPECT_EQ(report.ok, 10u);
  for (const auto& result : report.results) EXPECT_EQ(result.attempts, 3) << result.url;
}

TEST_F(ReuseTest, WithoutRetriesTransientFailuresAreReported) {
  Client client(origin_->client_options());
  const auto report = run(numbered("http://flaky.test/b", 10), Strategy::parse("pool:3"), client);
  EXPECT_EQ(report.failed, 10u);
  for (const auto& result : report.results) {
    EXPECT_EQ(result.error, ErrorKind::http_status);
    EXPECT_EQ(result.status, 503u);
    EXPECT_EQ(result.attempts, 1);
  }
}

TEST_F(ReuseTest, RetryAfterIsHonoured) {
  auto options = origin_->client_options();
  options.retries = 1;
  options.retry_base = std::chrono::milliseconds(1);
  Client client(options);
  const auto result = client.fetch(FetchRequest{"http://patient.test/", "", ""});
  EXPECT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.attempts, 2);
  EXPECT_GE(result.timings.total, std::chrono::milliseconds(1000));  // the server asked for 1 s
}

TEST_F(ReuseTest, GzipBodiesAreDecodedAndDigestedDecoded) {
  Client client(origin_->client_options());
  const auto result = client.fetch(FetchRequest{"https://zipped.test/page", "", ""});
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body_bytes, 50000u);
  EXPECT_LT(result.wire_bytes, 50000u);  // it really came compressed
  EXPECT_EQ(result.body_sha256, origin_->expected_digest("zipped.test", "/page"));

  auto plain_options = origin_->client_options();
  plain_options.decompress = false;  // no Accept-Encoding: the origin sends it plain
  Client plain_client(plain_options);
  const auto plain = plain_client.fetch(FetchRequest{"https://zipped.test/page", "", ""});
  ASSERT_TRUE(plain.ok()) << plain.message;
  EXPECT_EQ(plain.wire_bytes, 50000u);
  EXPECT_EQ(plain.body_sha256, result.body_sha256);
}

FetchResult fetch_canned(const std::string& response, std::uint64_t body_limit) {
  testing::CannedServer server(response);
  FetchOptions options;
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(server.port())));
  options.body_limit = body_limit;
  Client client(options);
  return client.fetch(FetchRequest{"http://canned.test/", "", ""});
}

TEST(Decompression, GzipBombFailsAsTooLarge) {
  const auto bomb = origin::gzip_compress(std::string(64u << 20, '\0'));  // 64 MiB of zeros, ~64 KiB on the wire
  const auto result = fetch_canned(
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(bomb.size()) + "\r\n\r\n" + bomb,
      1u << 20);
  EXPECT_EQ(result.error, ErrorKind::too_large) << result.message;
  EXPECT_LE(result.body_bytes, 1u << 20);
  EXPECT_LT(result.wire_bytes, bomb.size() + 1);
}

TEST(Decompression, CorruptGzipIsAProtocolError) {
  const std::string junk = "\x1f\x8b\x08\x00this is not deflate data at all";
  const auto result = fetch_canned(
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(junk.size()) + "\r\n\r\n" + junk,
      1u << 20);
  EXPECT_EQ(result.error, ErrorKind::protocol) << result.message;
}

TEST(Decompression, UnknownEncodingIsAProtocolError) {
  const auto result = fetch_canned("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\nxx", 1u << 20);
  EXPECT_EQ(result.error, ErrorKind::protocol) << result.message;
  EXPECT_NE(result.message.find("br"), std::string::npos) << result.message;
}

TEST(Cancellation, StoppingAnAsyncRunGivesEveryUrlOneResultAndLeaksNothing) {
  TestOrigin origin(R"(
[[site]]
host = "many.test"
latency_ms = 50
jitter_ms = 40
body_bytes = 100
)");
  raise_open_files_limit();
  Client client(origin.client_options());
  const auto descriptors_before = testing::open_descriptors();
  RunStopper stopper;
  RunOptions options;
  options.stopper = &stopper;
  std::size_t seen = 0;
  const auto report =
      run(numbered("http://many.test/", 1000), Strategy::parse("async"), client, options, [&](const FetchResult&) {
        if (++seen == 100) stopper.stop();
      });
  EXPECT_EQ(seen, 1000u);  // the callback saw every URL once, cancelled ones included
  ASSERT_EQ(report.results.size(), 1000u);
  std::size_t cancelled = 0;
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    EXPECT_EQ(report.results[i].index, i);
    if (report.results[i].error == ErrorKind::cancelled) ++cancelled;
  }
  EXPECT_GE(report.ok, 100u);
  EXPECT_EQ(report.ok + cancelled, 1000u);
  EXPECT_GT(cancelled, 0u);
  // Every socket of the stopped run is closed. The origin shares this process, and its side of
  // each connection closes when its pending answer finds the client gone (within its 90 ms
  // latency), so give it a moment before counting.
  EXPECT_EQ(testing::descriptors_down_to(descriptors_before, std::chrono::seconds(2)), descriptors_before);
}

TEST(Cancellation, StoppingAPoolFromAnotherThreadEndsItPromptly) {
  // Every duration stretched alike under TSan: the first round (4 fetches) ends before the
  // stop, the second is cut short, whatever the clock's pace.
  const int scale = testing::sanitizer_scale();
  TestOrigin origin("[[site]]\nhost = \"slow.test\"\nlatency_ms = " + std::to_string(200 * scale) +
                    "\nbody_bytes = 100\n");
  Client client(origin.client_options());
  RunStopper stopper;
  RunOptions options;
  options.stopper = &stopper;
  // The other thread stops the run once the first results are in: the run is under way, its
  // workers on their next fetches.
  testing::EventCount results;
  std::thread stop_later([&] {
    results.wait_for(4, std::chrono::seconds(10));
    stopper.stop();
  });
  const auto report = run(numbered("http://slow.test/", 40), Strategy::parse("pool:4"), client, options,
                          [&](const FetchResult&) { results.add(); });
  stop_later.join();
  EXPECT_EQ(report.results.size(), 40u);
  EXPECT_GE(report.ok, 4u);
  EXPECT_LE(report.ok, 12u);
  EXPECT_EQ(
      report.ok +
          [&] {
            std::size_t cancelled = 0;
            for (const auto& result : report.results) cancelled += result.error == ErrorKind::cancelled;
            return cancelled;
          }(),
      40u);
  EXPECT_LT(report.wall_seconds(), 2.0 * scale);  // 40 x 200 ms / 4 would be 2 s
}

TEST(StaleConnection, DeadPooledConnectionIsReplacedOnce) {
  // Says nothing of closing, then closes: the client pools a connection that is already dead.
  testing::CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  FetchOptions options;
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(server.port())));
  Client client(options);
  const auto first = client.fetch(FetchRequest{"http://stale.test/1", "", ""});
  ASSERT_TRUE(first.ok()) << first.message;
  const auto second = client.fetch(FetchRequest{"http://stale.test/2", "", ""});
  EXPECT_TRUE(second.ok()) << second.message;
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(client.counters().connections_opened, 2u);
}

// TLS resumption: a client that does not keep connections alive still skips the certificate
// checks after its first handshake with a host; the origin's own count says so, not only ours.
TEST_F(ReuseTest, NewConnectionsToAHostResumeItsTlsSession) {
  const auto report = one_connection_per_url("sequential", 6);
  EXPECT_EQ(report.ok, 6u);
  EXPECT_EQ(report.tls_handshakes, 6u);
  EXPECT_EQ(report.tls_resumed, 5u);
  const auto seen = origin_->server().tls_stats();
  EXPECT_EQ(seen.handshakes, 6u);
  EXPECT_EQ(seen.resumed, 5u);
}

TEST_F(ReuseTest, TlsResumptionCanBeTurnedOff) {
  const auto report = one_connection_per_url("sequential", 4, false);
  EXPECT_EQ(report.ok, 4u);
  EXPECT_EQ(report.tls_handshakes, 4u);
  EXPECT_EQ(report.tls_resumed, 0u);
  EXPECT_EQ(origin_->server().tls_stats().resumed, 0u);
}

// A session belongs to the host it was made with: another host, even on the same server and
// port, gets a full handshake (and its own certificate check).
TEST_F(ReuseTest, TlsSessionsAreKeptPerHost) {
  auto options = origin_->client_options();
  options.keep_alive = false;
  Client client(options);
  ASSERT_TRUE(client.fetch(FetchRequest{"https://reuse.test/a", "", ""}).ok());
  ASSERT_TRUE(client.fetch(FetchRequest{"https://slow.test/b", "", ""}).ok());
  EXPECT_EQ(client.counters().tls_resumed, 0u);
  ASSERT_TRUE(client.fetch(FetchRequest{"https://reuse.test/c", "", ""}).ok());
  ASSERT_TRUE(client.fetch(FetchRequest{"https://slow.test/d", "", ""}).ok());
  EXPECT_EQ(client.counters().tls_resumed, 2u);
  EXPECT_EQ(origin_->server().tls_stats().resumed, 2u);
}

// One cache for every thread: a pool's workers resume sessions other workers' handshakes made.
TEST_F(ReuseTest, PoolWorkersShareTlsSessions) {
  const auto report = one_connection_per_url("pool:4", 24);
  EXPECT_EQ(report.ok, 24u);
  EXPECT_EQ(report.tls_handshakes, 24u);
  // At most the four first handshakes (all at once, before any session exists) are full.
  EXPECT_GE(report.tls_resumed, 20u);
  EXPECT_EQ(origin_->server().tls_stats().resumed, report.tls_resumed);
}

}  // namespace
}  // namespace fetcher
