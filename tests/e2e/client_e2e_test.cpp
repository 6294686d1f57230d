// client_e2e_test.cpp: the client against a real emulated origin on loopback: HTTP, HTTPS with
// verification, redirects, timeouts, refused connections, certificate and size failures.
#include "canned_server.hpp"
#include "sanitizer_scale.hpp"
#include "test_origin.hpp"

#include <fetcher/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <thread>

namespace fetcher {
namespace {

using testing::TestOrigin;

// slow.test's latency stays well past the timeout tests' bound at every sanitizer scale.
const std::string sites = R"(
seed = 7
[[site]]
host = "plain.test"
latency_ms = 5
body_bytes = 12345
capacity = 0

[[site]]
host = "secure.test"
latency_ms = 5
jitter_ms = 2
body_bytes = 70000
capacity = 0

[[site]]
host = "www.python.org"
latency_ms = 5
body_bytes = 2000
redirect = "https://www.python.org/"

[[site]]
host = "slow.test"
latency_ms = )" + std::to_string(5000 * testing::sanitizer_scale()) +
                          R"(
body_bytes = 10

[[site]]
host = "loop-a.test"
latency_ms = 1
body_bytes = 10
redirect = "http://loop-b.test/"

[[site]]
host = "loop-b.test"
latency_ms = 1
body_bytes = 10
redirect = "http://loop-a.test/"
)";

class ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = new TestOrigin(sites); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }

  FetchResult fetch(const std::string& url, FetchOptions options) {
    Client client(std::move(options));
    return client.fetch(FetchRequest{url, "test", ""});
  }
  FetchResult fetch(const std::string& url) { return fetch(url, origin_->client_options()); }

  static TestOrigin* origin_;
};
TestOrigin* ClientTest::origin_ = nullptr;

TEST_F(ClientTest, PlainHttpDeliversTheExactBody) {
  const auto result = fetch("http://plain.test/page?x=1");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.body_bytes, 12345u);
  EXPECT_EQ(result.body_sha256, origin_->expected_digest("plain.test", "/page?x=1"));
  EXPECT_EQ(result.final_url, "http://plain.test/page?x=1");
  EXPECT_GT(result.timings.first_byte, std::chrono::milliseconds(3));
  EXPECT_GE(result.timings.total, result.timings.first_byte);
  EXPECT_EQ(result.timings.tls.count(), 0);
}

TEST_F(ClientTest, HttpsVerifiesTheOriginCertificate) {
  const auto result = fetch("https://secure.test/a/b.html");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.body_bytes, 70000u);
  EXPECT_EQ(result.body_sha256, origin_->expected_digest("secure.test", "/a/b.html"));
  EXPECT_GT(result.timings.tls, result.timings.connect);
}

TEST_F(ClientTest, HttpsWithoutTheOriginCaIsRejected) {
  auto options = origin_->client_options();
  options.ca_file.clear();  // the system store does not know the origin's CA
  const auto result = fetch("https://secure.test/", options);
  EXPECT_EQ(result.error, ErrorKind::tls) << result.message;
  EXPECT_NE(result.message.find("certificate"), std::string::npos) << result.message;
}

TEST_F(ClientTest, CertificateForAnotherNameIsRejected) {
  // The origin's certificate names only its sites; this host is routed there all the same.
  const auto result = fetch("https://not-in-the-certificate.test/");
  EXPECT_EQ(result.error, ErrorKind::tls) << result.message;
  EXPECT_NE(result.message.find("not-in-the-certificate.test"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("hostname mismatch"), std::string::npos) << result.message;
}

TEST_F(ClientTest, InsecureSkipsVerification) {
  auto options = origin_->client_options();
  options.ca_file.clear();
  options.verify_peer = false;
  const auto result = fetch("https://secure.test/", options);
  EXPECT_TRUE(result.ok()) << result.message;
}

TEST_F(ClientTest, RedirectFromHttpToHttpsIsFollowed) {
  const auto result = fetch("http://www.python.org");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.redirects, 1);
  EXPECT_EQ(result.final_url, "https://www.python.org/");
  EXPECT_EQ(result.body_bytes, 2000u);
  EXPECT_EQ(result.body_sha256, origin_->expected_digest("www.python.org", "/"));
}

TEST_F(ClientTest, RedirectsBeyondTheLimitFail) {
  auto options = origin_->client_options();
  options.max_redirects = 0;
  const auto result = fetch("http://www.python.org/", options);
  EXPECT_EQ(result.error, ErrorKind::too_many_redirects) << result.message;
}

TEST_F(ClientTest, RedirectLoopIsDetected) {
  const auto result = fetch("http://loop-a.test/");
  EXPECT_EQ(result.error, ErrorKind::redirect_loop) << result.message;
  EXPECT_EQ(result.redirects, 1);
}

TEST_F(ClientTest, FirstByteTimeoutFires) {
  auto options = origin_->client_options();
  options.first_byte_timeout = std::chrono::milliseconds(200);
  const auto result = fetch("http://slow.test/", options);
  EXPECT_EQ(result.error, ErrorKind::timeout) << result.message;
  EXPECT_NE(result.message.find("200 ms"), std::string::npos) << result.message;
  // Bounded well below the server's 5 s: the timeout, not the server, ended it.
  EXPECT_LT(result.timings.total, testing::scaled(std::chrono::milliseconds(3000)));
}

TEST_F(ClientTest, TotalTimeoutFires) {
  auto options = origin_->client_options();
  options.total_timeout = std::chrono::milliseconds(300);
  const auto result = fetch("https://slow.test/", options);
  EXPECT_EQ(result.error, ErrorKind::timeout) << result.message;
  EXPECT_NE(result.message.find("total timeout"), std::string::npos) << result.message;
  EXPECT_LT(result.timings.total, testing::scaled(std::chrono::milliseconds(3000)));
}

TEST_F(ClientTest, ClosedPortGivesConnectError) {
  FetchOptions options;
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(testing::closed_port())));
  const auto result = fetch("http://plain.test/", options);
  EXPECT_EQ(result.error, ErrorKind::connect) << result.message;
  EXPECT_NE(result.message.find("refused"), std::string::npos) << result.message;
}

TEST_F(ClientTest, BodyOverTheLimitIsTooLarge) {
  auto options = origin_->client_options();
  options.body_limit = 1000;
  const auto result = fetch("http://plain.test/", options);
  EXPECT_EQ(result.error, ErrorKind::too_large) << result.message;
}

TEST_F(ClientTest, UnknownHostOnTheOriginIsAnHttpStatusFailure) {
  const auto result = fetch("http://unknown.test/");
  EXPECT_EQ(result.error, ErrorKind::http_status) << result.message;
  EXPECT_EQ(result.status, 404u);
}

TEST_F(ClientTest, RejectedListLineBecomesBadUrlWithItsSource) {
  Client client(origin_->client_options());
  const auto result = client.fetch(FetchRequest{"ftp://x/", "list.txt:3", "unsupported scheme 'ftp'"});
  EXPECT_EQ(result.error, ErrorKind::bad_url);
  EXPECT_EQ(result.message, "list.txt:3: unsupported scheme 'ftp'");
}

TEST_F(ClientTest, KeepBodyReturnsTheBytes) {
  auto options = origin_->client_options();
  options.keep_body = true;
  const auto result = fetch("http://plain.test/kept", options);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body, origin::make_body(*origin_->sites().find("plain.test"), "/kept"));
}

TEST_F(ClientTest, AsyncFetchRunsOnTheCallersLoop) {
  Client client(origin_->client_options());
  boost::asio::io_context loop;
  std::optional<FetchResult> result;
  boost::asio::co_spawn(loop, client.async_fetch(FetchRequest{"https://secure.test/x", "", ""}, 7),
                        [&](std::exception_ptr error, FetchResult value) {
                          ASSERT_FALSE(error);
                          result = std::move(value);
                        });
  loop.run();
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok()) << result->message;
  EXPECT_EQ(result->index, 7u);
}

TEST_F(ClientTest, MissingCaFileIsAStartUpError) {
  auto options = origin_->client_options();
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(Client client(options), std::runtime_error);
}

// --- responses the emulated origin never sends, from a server that replays fixed bytes ---

FetchResult fetch_from_canned(const std::string& response) {
  testing::CannedServer server(response);
  FetchOptions options;
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(server.port())));
  options.first_byte_timeout = std::chrono::seconds(3);
  Client client(options);
  return client.fetch(FetchRequest{"http://canned.test/", "", ""});
}

TEST(CannedResponse, InterimResponsesAreSkipped) {
  const auto result = fetch_from_canned(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.body_bytes, 5u);
  EXPECT_EQ(result.body_sha256, testing::sha256_hex("hello"));
}

// A response that exactly fills the client's first read (4 KB) with more bytes behind it in
// the socket: the check for bytes past Content-Length must look in the socket too. (A read that
// did not fill its room emptied the socket, and then the client skips that look.)
TEST(CannedResponse, ExcessBytesBehindAFullReadAreCaught) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: ";
  const std::size_t body = 4096 - head.size() - 8;  // "NNNN\r\n\r\n" is 8 bytes
  const std::string response = head + std::to_string(body) + "\r\n\r\n" + std::string(body, 'x');
  ASSERT_EQ(response.size(), 4096u);
  const auto result = fetch_from_canned(response + std::string(100, 'y'));
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body_sha256, testing::sha256_hex(std::string(body, 'x')));
  EXPECT_NE(result.warning.find("100 bytes more than its Content-Length of " + std::to_string(body)), std::string::npos)
      << result.warning;
}

// RFC 9112 6.3: the message is the first Content-Length bytes; the rest is ignored, with a warning.
TEST(CannedResponse, ExcessBytesInTheSameReadAreCaught) {
  const auto result = fetch_from_canned("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, and more");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body_sha256, testing::sha256_hex("hello"));
  EXPECT_NE(result.warning.find("10 bytes more than its Content-Length of 5"), std::string::npos) << result.warning;
}

// Bytes past Content-Length that arrive after the client has finished reading the response
// (the check at the end of the response cannot see them yet), here a whole second response: the
// connection must not go back into use, or the next URL would get those bytes as its answer.
TEST(CannedResponse, LateBytesOnAnIdleConnectionAreNotTheNextAnswer) {
  testing::CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                               "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlies", testing::CannedServer::when_asked);
  FetchOptions options;
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(server.port())));
  options.first_byte_timeout = std::chrono::seconds(3);
  Client client(options);
  const auto first = client.fetch(FetchRequest{"http://canned.test/a", "", ""});
  const auto idle_since = std::chrono::steady_clock::now();
  ASSERT_TRUE(first.ok()) << first.message;
  // The late bytes go out only now, after the client has read the first response, and the call
  // returns once the client's kernel has them.
  ASSERT_TRUE(server.send_late(std::chrono::seconds(2)));
  // The pool looks for late bytes only on a connection idle for a millisecond or more
  // (connection_pool.cpp): that idle time is part of the rule under test, not a wait for an event.
  std::this_thread::sleep_until(idle_since + std::chrono::milliseconds(5));
  const auto second = client.fetch(FetchRequest{"http://canned.test/b", "", ""});
  ASSERT_TRUE(second.ok()) << second.message;
  EXPECT_EQ(second.body_sha256, testing::sha256_hex("hello"));
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(client.counters().connections_opened, 2u);
}

// A body partly in the header's read and partly in later ones: what came with the header is
// parsed at once, the rest read after it, including a chunk header cut in two between them.
// The server's pause between the two is the behaviour under test: the rest arrives apart.
FetchResult fetch_split_response(const std::string& first, const std::string& rest) {
  testing::CannedServer server(first, rest, testing::scaled(std::chrono::milliseconds(30)));
  FetchOptions options;
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(server.port())));
  options.first_byte_timeout = std::chrono::seconds(3);
  options.keep_body = true;
  Client client(options);
  return client.fetch(FetchRequest{"http://canned.test/", "", ""});
}

TEST(CannedResponse, ABodyWithALengthSplitAcrossReadsComesWhole) {
  const auto result = fetch_split_response("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello", " world");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body, "hello world");
}

TEST(CannedResponse, AChunkedBodyCutInsideAChunkHeaderComesWhole) {
  const auto result = fetch_split_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1",
                                           "1\r\n, the wide world!\r\n0\r\n\r\n");  // 0x11 = 17 bytes
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body, "hello, the wide world!");
}

TEST(CannedResponse, LargeBodyStreamsWhole) {
  const std::string body(200 * 1024 + 7, 'z');
  const auto result =
      fetch_from_canned("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body_bytes, body.size());
  EXPECT_EQ(result.wire_bytes, body.size());
}

TEST(CannedResponse, BodyEndedByCloseIsComplete) {
  const auto result = fetch_from_canned("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body_bytes, 13u);
}

TEST(CannedResponse, ChunkedBodyIsDecoded) {
  const auto result =
      fetch_from_canned("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body_sha256, testing::sha256_hex("abcde"));
}

TEST(CannedResponse, ShortBodyIsAProtocolError) {
  const auto result = fetch_from_canned("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
  EXPECT_EQ(result.error, ErrorKind::protocol) << result.message;
  EXPECT_EQ(result.body_bytes, 9u);
}

TEST(CannedResponse, MalformedStatusLineIsAProtocolError) {
  const auto result = fetch_from_canned("HTTP/1.1 two hundred OK\r\n\r\n");
  EXPECT_EQ(result.error, ErrorKind::protocol) << result.message;
}

// Fuzz finding 4: Beast takes any three digits as a status code.
TEST(CannedResponse, StatusCodeOutsideTheRfcRangeIsAProtocolError) {
  for (const char* status : {"020", "099", "600", "999"}) {
    const auto result = fetch_from_canned(std::string("HTTP/1.1 ") + status + " OK\r\nContent-Length: 2\r\n\r\nok");
    EXPECT_EQ(result.error, ErrorKind::protocol) << status << ": " << result.message;
    EXPECT_EQ(result.message, std::string("invalid status code ") + std::to_string(std::stoi(status)));
    EXPECT_EQ(result.status, 0u);
  }
}

// Fuzz finding 5: the header's value reaches the message escaped.
TEST(CannedResponse, UnknownContentEncodingIsEscapedInTheMessage) {
  const auto result = fetch_from_canned("HTTP/1.1 200 OK\r\nContent-Encoding: x\tbr\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(result.error, ErrorKind::protocol) << result.message;
  EXPECT_EQ(result.message, "unsupported Content-Encoding 'x\\x09br'");
}

TEST(CannedResponse, CloseBeforeAnyResponseIsAProtocolError) {
  const auto result = fetch_from_canned("");
  EXPECT_EQ(result.error, ErrorKind::protocol) << result.message;
  EXPECT_NE(result.message.find("closed"), std::string::npos) << result.message;
}

TEST(CannedResponse, ControlBytesInAHeaderAreAProtocolError) {
  const auto result = fetch_from_canned("HTTP/1.1 302 Found\r\nLocation: /\x1b[2J\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(result.error, ErrorKind::protocol) << result.message;
}

TEST(CannedResponse, NonAsciiLocationIsEscapedInTheMessage) {
  const auto result =
      fetch_from_canned("HTTP/1.1 302 Found\r\nLocation: ftp://x/\xc3\xa9\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(result.error, ErrorKind::bad_url) << result.message;
  for (unsigned char c : result.message) EXPECT_LT(c, 0x80) << result.message;
}

TEST(Resolution, LocalhostResolvesAndEveryAddressIsTried) {
  // localhost comes from /etc/hosts (no network): the lookup path runs, and with nothing
  // listening every address (::1 and 127.0.0.1) is refused.
  Client client(FetchOptions{});
  const auto result =
      client.fetch(FetchRequest{"http://localhost:" + std::to_string(testing::closed_port()) + "/", "", ""});
  EXPECT_EQ(result.error, ErrorKind::connect) << result.message;
}

}  // namespace
}  // namespace fetcher
