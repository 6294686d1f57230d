// origin_server_test.cpp: the emulated origin on loopback, spoken to by a small synchronous
// Beast client over plain HTTP and over HTTPS that verifies the origin's own CA.
#include "support/origin_waits.hpp"
#include "support/sanitizer_scale.hpp"

#include <fetcher/origin/control.hpp>
#include <fetcher/origin/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace fetcher::origin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using fetcher::testing::wait_for_requests;
using std::chrono::milliseconds;

Site make_site(std::string host, int latency_ms, std::uint64_t body_bytes, unsigned capacity = 0) {
  Site site;
  site.host = std::move(host);
  site.latency = milliseconds(latency_ms);
  site.body_bytes = body_bytes;
  site.capacity = capacity;
  return site;
}

SiteSet test_sites() {
  SiteSet sites;
  Site python = make_site("www.python.org", 5, 4000);
  python.redirect = "https://www.python.org/";
  sites.sites = {make_site("fast.test", 5, 12345), python, make_site("slow.test", 200, 100),
                 make_site("one.test", 100, 1000, 1)};
  return sites;
}

struct Reply {
  unsigned status = 0;
  std::string location;
  std::string body;
  bool keep_alive = false;
};

template <typename Stream>
Reply exchange(Stream& stream, beast::flat_buffer& buffer, std::string_view host, std::string_view target,
               bool keep_alive) {
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host);
  request.keep_alive(keep_alive);
  http::write(stream, request);
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return Reply{response.result_int(), std::string(response[http::field::location]), std::move(response.body()),
               response.keep_alive()};
}

tcp::endpoint loopback(std::uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

class PlainClient {
 public:
  explicit PlainClient(std::uint16_t port) { stream_.connect(loopback(port)); }

  Reply get(std::string_view host, std::string_view target = "/", bool keep_alive = true) {
    return exchange(stream_, buffer_, host, target, keep_alive);
  }

  // True when the server has closed the connection (a read ends at once with an error).
  bool closed_by_server() {
    stream_.expires_after(std::chrono::seconds(2));
    char byte;
    boost::system::error_code error;
    stream_.socket().read_some(asio::buffer(&byte, 1), error);
    return error == asio::error::eof || error == asio::error::connection_reset;
  }

  tcp::socket& socket() { return stream_.socket(); }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

class TlsClient {
 public:
  TlsClient(std::uint16_t port, const std::string& ca_file, const std::string& host) {
    context_.load_verify_file(ca_file);
    stream_.set_verify_mode(asio::ssl::verify_peer);  // on the stream: it already copied the context's mode
    // SSL_set_tlsext_host_name spelled out: the macro casts in C style.
    if (SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str())) != 1) {
      throw std::runtime_error("cannot set SNI");
    }
    stream_.set_verify_callback(asio::ssl::host_name_verification(host));
    stream_.next_layer().connect(loopback(port));
    stream_.handshake(asio::ssl::stream_base::client);
  }

  Reply get(std::string_view host, std::string_view target = "/", bool keep_alive = true) {
    return exchange(stream_, buffer_, host, target, keep_alive);
  }

 private:
  asio::io_context io_;
  asio::ssl::context context_{asio::ssl::context::tls_client};
  asio::ssl::stream<tcp::socket> stream_{io_, context_};
  beast::flat_buffer buffer_;
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

HostStats stats_of(const Server& server, std::string_view host) {
  for (const auto& stats : server.stats()) {
    if (stats.host == host) return stats;
  }
  ADD_FAILURE() << "no stats for " << host;
  return {};
}

class OriginServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.emplace(test_sites());
    server_->start();
  }
  void TearDown() override { server_->stop(); }

  Server& server() { return *server_; }

 private:
  std::optional<Server> server_;
};

TEST_F(OriginServerTest, ServesTheBodyWithItsExactSize) {
  PlainClient client(server().http_port());
  const Reply reply = client.get("fast.test", "/index.html");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body.size(), 12345u);
  EXPECT_EQ(reply.body, make_body(*server().sites().find("fast.test"), "/index.html"));
}

TEST_F(OriginServerTest, HostHeaderPortAndCaseAreIgnored) {
  PlainClient client(server().http_port());
  EXPECT_EQ(client.get("FAST.test:8080").status, 200u);
}

TEST_F(OriginServerTest, RedirectsWithLocationAndEmptyBody) {
  PlainClient client(server().http_port());
  const Reply reply = client.get("www.python.org", "/");
  EXPECT_EQ(reply.status, 301u);
  EXPECT_EQ(reply.location, "https://www.python.org/");
  EXPECT_TRUE(reply.body.empty());
}

TEST_F(OriginServerTest, UnknownHostIs404) {
  PlainClient client(server().http_port());
  const Reply reply = client.get("nowhere.test");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_FALSE(reply.body.empty());
  EXPECT_TRUE(reply.keep_alive);
  EXPECT_EQ(client.get("fast.test").status, 200u);  // the connection is still usable
}

TEST_F(OriginServerTest, HttpsVerifiesAgainstTheOriginCa) {
  ASSERT_TRUE(std::filesystem::exists(server().ca_file()));
  TlsClient client(server().https_port(), server().ca_file(), "www.python.org");
  const Reply reply = client.get("www.python.org", "/");
  EXPECT_EQ(reply.status, 200u);  // https://www.python.org/ is the redirect target itself
  EXPECT_EQ(reply.body.size(), 4000u);
  EXPECT_EQ(client.get("www.python.org", "/about/").status, 301u);
}

TEST_F(OriginServerTest, HttpsRejectsAHostTheCertificateDoesNotName) {
  EXPECT_THROW(TlsClient(server().https_port(), server().ca_file(), "not-in-the-certificate.test"),
               boost::system::system_error);
}

TEST_F(OriginServerTest, KeepAliveCountsOneConnection) {
  PlainClient client(server().http_port());
  EXPECT_EQ(client.get("fast.test", "/a").status, 200u);
  EXPECT_EQ(client.get("fast.test", "/b").status, 200u);
  const HostStats stats = stats_of(server(), "fast.test");
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.connections, 1u);
  EXPECT_EQ(stats.peak_concurrent, 1u);
}

TEST_F(OriginServerTest, ConnectionCloseIsHonoured) {
  PlainClient client(server().http_port());
  const Reply reply = client.get("fast.test", "/", false);
  EXPECT_EQ(reply.status, 200u);
  EXPECT_FALSE(reply.keep_alive);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(OriginServerTest, LatencyIsReallyWaited) {
  PlainClient client(server().http_port());
  const auto start = Clock::now();
  EXPECT_EQ(client.get("slow.test").status, 200u);
  const double elapsed = seconds_since(start);
  EXPECT_GE(elapsed, 0.190);
  EXPECT_LT(elapsed, 1.0 * fetcher::testing::sanitizer_scale());
}

// A request pipelined behind another arrives while the first is served; its latency runs from
// when the first answer went out, not from when its bytes reached the socket (the model's server
// answers a connection's requests one after another).
TEST_F(OriginServerTest, PipelinedRequestWaitsForThePreviousAnswer) {
  PlainClient client(server().http_port());
  http::request<http::empty_body> request{http::verb::get, "/", 11};
  request.set(http::field::host, "slow.test");
  const auto start = Clock::now();
  http::write(client.socket(), request);
  // The second goes out once the server has read the first and waits out its latency: it comes
  // on its own, dated by the kernel, not already buffered with the first.
  ASSERT_TRUE(wait_for_requests(server(), "slow.test", 1));
  http::write(client.socket(), request);
  beast::flat_buffer buffer;
  for (int answer = 0; answer < 2; ++answer) {
    http::response<http::string_body> response;
    http::read(client.socket(), buffer, response);
    EXPECT_EQ(response.result_int(), 200u);
  }
  EXPECT_GE(seconds_since(start), 0.390);  // 2 x 200 ms; 250 ms if the second ran from its arrival
}

TEST_F(OriginServerTest, CapacityOneServesOneAtATime) {
  const auto start = Clock::now();
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&] {
      PlainClient client(server().http_port());
      if (client.get("one.test").status == 200) ++ok;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok, 3);
  EXPECT_GE(seconds_since(start), 0.3);
  const HostStats stats = stats_of(server(), "one.test");
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.connections, 3u);
  EXPECT_EQ(stats.peak_concurrent, 1u);
}

TEST_F(OriginServerTest, ClientLeavingWhileQueuedDoesNotLeakTheSlot) {
  std::atomic<bool> holder_answered{false};
  std::thread holder([&] {
    PlainClient client(server().http_port());
    EXPECT_EQ(client.get("one.test").status, 200u);
    holder_answered = true;
  });
  {
    // Sends a request that queues behind the holder's, then hangs up before the answer. The
    // origin counts a request before it waits for a slot: once it has counted the leaver's, the
    // leaver is queued (or about to be) behind the holder, which keeps the slot for its 100 ms.
    PlainClient leaver(server().http_port());
    EXPECT_TRUE(wait_for_requests(server(), "one.test", 1));  // the holder has the slot
    http::request<http::empty_body> request{http::verb::get, "/", 11};
    request.set(http::field::host, "one.test");
    http::write(leaver.socket(), request);
    EXPECT_TRUE(wait_for_requests(server(), "one.test", 2));
    // Otherwise the leaver was served, not queued, and the test did not exercise its path.
    EXPECT_FALSE(holder_answered) << "the holder's answer came before the leaver left";
  }
  holder.join();
  PlainClient late(server().http_port());
  const auto start = Clock::now();
  EXPECT_EQ(late.get("one.test").status, 200u);
  EXPECT_LT(seconds_since(start), 1.0 * fetcher::testing::sanitizer_scale());
  EXPECT_EQ(stats_of(server(), "one.test").peak_concurrent, 1u);
}

TEST_F(OriginServerTest, ResetClearsStats) {
  PlainClient client(server().http_port());
  client.get("fast.test");
  client.get("www.python.org");
  server().reset();
  for (const auto& stats : server().stats()) {
    EXPECT_EQ(stats.requests, 0u) << stats.host;
    EXPECT_EQ(stats.connections, 0u) << stats.host;
    EXPECT_EQ(stats.peak_concurrent, 0u) << stats.host;
  }
  ASSERT_EQ(server().stats().size(), 4u);
  EXPECT_EQ(server().stats()[0].host, "fast.test");  // sites order
  EXPECT_EQ(server().stats()[3].host, "one.test");
}

TEST_F(OriginServerTest, StartGapIsNoneBeforeASecondRequest) {
  EXPECT_FALSE(stats_of(server(), "fast.test").min_start_gap);
  PlainClient client(server().http_port());
  EXPECT_EQ(client.get("fast.test").status, 200u);
  EXPECT_EQ(client.get("www.python.org").status, 301u);  // another host is no neighbour
  EXPECT_FALSE(stats_of(server(), "fast.test").min_start_gap);
  EXPECT_FALSE(stats_of(server(), "www.python.org").min_start_gap);
}

// Each request goes out only after the previous answer came back and a pause passed, so each
// start follows the previous one by at least the pause however slow the machine is; the last
// request comes on a connection of its own, since the gap is per host, not per connection.
TEST_F(OriginServerTest, StartGapIsAtLeastTheSpacingOfSequentialRequests) {
  constexpr milliseconds spacing(50);
  {
    PlainClient client(server().http_port());
    EXPECT_EQ(client.get("fast.test", "/a").status, 200u);
    std::this_thread::sleep_for(spacing);  // the client's spacing is what the gap measures
    EXPECT_EQ(client.get("fast.test", "/b").status, 200u);
  }
  std::this_thread::sleep_for(spacing);  // likewise
  PlainClient other(server().http_port());
  EXPECT_EQ(other.get("fast.test", "/c").status, 200u);

  const HostStats stats = stats_of(server(), "fast.test");
  EXPECT_EQ(stats.requests, 3u);
  ASSERT_TRUE(stats.min_start_gap);
  EXPECT_GE(*stats.min_start_gap, spacing);
}

// Two requests sent together on two connections both start between the first write and the
// moment the test sees both counted (well before either answer, 200 ms later): the gap fits in
// that window, which bounds it from what the test itself saw rather than from a guessed speed.
TEST_F(OriginServerTest, ConcurrentRequestsGiveASmallStartGap) {
  PlainClient first(server().http_port());
  PlainClient second(server().http_port());
  http::request<http::empty_body> request{http::verb::get, "/", 11};
  request.set(http::field::host, "slow.test");
  const auto sent = Clock::now();
  http::write(first.socket(), request);
  http::write(second.socket(), request);
  ASSERT_TRUE(wait_for_requests(server(), "slow.test", 2));
  const auto window = Clock::now() - sent;
  for (auto* client : {&first, &second}) {
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(client->socket(), buffer, response);
    EXPECT_EQ(response.result_int(), 200u);
  }

  const HostStats stats = stats_of(server(), "slow.test");
  EXPECT_EQ(stats.peak_concurrent, 2u);
  ASSERT_TRUE(stats.min_start_gap);
  EXPECT_LE(*stats.min_start_gap, window);
}

TEST_F(OriginServerTest, ResetClearsTheStartGap) {
  PlainClient client(server().http_port());
  client.get("fast.test", "/a");
  client.get("fast.test", "/b");
  ASSERT_TRUE(stats_of(server(), "fast.test").min_start_gap);
  server().reset();
  EXPECT_FALSE(stats_of(server(), "fast.test").min_start_gap);
  client.get("fast.test", "/c");
  EXPECT_FALSE(stats_of(server(), "fast.test").min_start_gap);  // /b, before the reset, is no neighbour
  client.get("fast.test", "/d");
  EXPECT_TRUE(stats_of(server(), "fast.test").min_start_gap);
}

TEST_F(OriginServerTest, StopReturnsPromptlyWithAClientConnected) {
  PlainClient idle(server().http_port());
  EXPECT_EQ(idle.get("fast.test").status, 200u);
  PlainClient waiting(server().http_port());
  http::request<http::empty_body> request{http::verb::get, "/", 11};
  request.set(http::field::host, "slow.test");
  http::write(waiting.socket(), request);
  ASSERT_TRUE(wait_for_requests(server(), "slow.test", 1));  // it waits out its 200 ms latency

  const auto start = Clock::now();
  server().stop();
  EXPECT_LT(seconds_since(start), 0.5 * fetcher::testing::sanitizer_scale());
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(waiting.closed_by_server());
  server().stop();  // idempotent
}

TEST(OriginServer, RemovesTheCertificateDirectoryItMade) {
  std::string directory;
  {
    Server server(test_sites());
    directory = std::filesystem::path(server.ca_file()).parent_path().string();
    EXPECT_TRUE(std::filesystem::exists(server.ca_file()));
  }
  EXPECT_FALSE(std::filesystem::exists(directory));
}

TEST(OriginServer, SeveralThreadsKeepTheCapacity) {
  ServerOptions options;
  options.threads = 2;
  Server server(test_sites(), options);
  server.start();
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] {
      TlsClient client(server.https_port(), server.ca_file(), "one.test");
      if (client.get("one.test").status == 200) ++ok;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok, 4);
  const HostStats stats = stats_of(server, "one.test");
  EXPECT_EQ(stats.requests, 4u);
  EXPECT_EQ(stats.peak_concurrent, 1u);
}

// One asynchronous client request, for crowds too large for one thread each.
asio::awaitable<void> fetch_crowd_member(tcp::endpoint endpoint, int& ok) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(endpoint, asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::get, "/", 11};
  request.set(http::field::host, "crowd.test");
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  if (response.result_int() == 200) ++ok;
}

// Client and server sockets both live in this process: it needs two descriptors per client.
bool raise_descriptor_limit(rlim_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= wanted) return true;
  if (limit.rlim_max < wanted) return false;
  limit.rlim_cur = wanted;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

TEST(OriginServer, OneThreadServesAThousandConnectionsAtOnce) {
  constexpr int crowd = 1000;
  if (!raise_descriptor_limit(2 * crowd + 100)) GTEST_SKIP() << "needs more file descriptors";
  // The latency must outlast connecting all of the crowd from one thread, which under TSan takes
  // seconds (sanitizer_scale.hpp); otherwise the first ones are answered before the last arrive.
  SiteSet sites;
  sites.sites = {make_site("crowd.test", 1000 * fetcher::testing::sanitizer_scale(), 2000)};
  Server server(std::move(sites));
  server.start();

  asio::io_context io;
  int ok = 0;
  for (int i = 0; i < crowd; ++i) {
    asio::co_spawn(io, fetch_crowd_member(loopback(server.http_port()), ok), [](std::exception_ptr error) {
      if (error) std::rethrow_exception(error);
    });
  }
  io.run();
  EXPECT_EQ(ok, crowd);
  const HostStats stats = stats_of(server, "crowd.test");
  EXPECT_EQ(stats.requests, static_cast<std::uint64_t>(crowd));
  EXPECT_EQ(stats.connections, static_cast<std::uint64_t>(crowd));
  // All in progress together: the server waited out the latencies side by side.
  EXPECT_GT(stats.peak_concurrent, 0.9 * crowd);
}

TEST(OriginControl, AnswersStatsResetAndQuit) {
  Server server(test_sites());
  server.start();
  {
    PlainClient client(server.http_port());
    client.get("fast.test");
    client.get("www.python.org");
    client.get("www.python.org");
  }
  std::istringstream in("stats\n\nreset\nstats\nbogus\nquit\nstats\n");
  std::ostringstream out;
  run_control_loop(server, in, out);

  std::istringstream lines(out.str());
  std::string line;
  std::vector<nlohmann::json> replies;
  while (std::getline(lines, line)) replies.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(replies.size(), 5u) << out.str();

  EXPECT_EQ(replies[0]["http_port"], server.http_port());
  EXPECT_EQ(replies[0]["https_port"], server.https_port());
  EXPECT_EQ(replies[0]["ca_file"], server.ca_file());

  const auto& before = replies[1]["hosts"];
  ASSERT_EQ(before.size(), 4u);
  EXPECT_EQ(before[0]["host"], "fast.test");
  EXPECT_EQ(before[0]["requests"], 1);
  EXPECT_EQ(before[0]["connections"], 1);
  EXPECT_EQ(before[0]["peak_concurrent"], 1);
  EXPECT_TRUE(before[0]["min_start_gap_us"].is_null());  // one request: no gap yet
  EXPECT_TRUE(before[1]["min_start_gap_us"].is_number_integer());
  EXPECT_GE(before[1]["min_start_gap_us"].get<std::int64_t>(), 0);

  EXPECT_EQ(replies[2], nlohmann::json({{"ok", true}}));
  EXPECT_EQ(replies[3]["hosts"][0]["requests"], 0);
  EXPECT_TRUE(replies[3]["hosts"][1]["min_start_gap_us"].is_null());
  EXPECT_TRUE(replies[4].contains("error"));
}

}  // namespace
}  // namespace fetcher::origin
