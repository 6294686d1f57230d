// request_e2e_test.cpp: what a FetchRequest puts on the wire (method, header fields, body) as a
// recording server on loopback sees it, and what comes back: response header fields, the three
// body modes (discard, keep, stream), redirects rewriting the method, and bytes past the body.
#include "canned_server.hpp"
#include "test_origin.hpp"

#include <fetcher/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace fetcher {
namespace {

using testing::CannedServer;
using testing::TestOrigin;

FetchOptions options_for(const CannedServer& server) {
  FetchOptions options;
  options.connect_to.push_back(ConnectTo::parse("::127.0.0.1:" + std::to_string(server.port())));
  options.first_byte_timeout = std::chrono::seconds(3);
  return options;
}

FetchRequest request_to(std::string url, Method method = Method::get) {
  FetchRequest request{std::move(url), "", ""};
  request.method = method;
  return request;
}

// The one request a server received, or an empty string (and a test failure) when it got none or several.
std::string only_request(const CannedServer& server) {
  const auto received = server.received();
  EXPECT_EQ(received.size(), 1u);
  return received.empty() ? std::string() : received.front();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string ok_hello = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

TEST(RequestMethods, GetSendsTheClientsDefaultFields) {
  CannedServer server(ok_hello);
  Client client(options_for(server));
  const auto result = client.fetch(request_to("http://canned.test/page?q=1"));
  ASSERT_TRUE(result.ok()) << result.message;
  const auto request = only_request(server);
  EXPECT_EQ(request.rfind("GET /page?q=1 HTTP/1.1\r\nHost: canned.test\r\n", 0), 0u) << request;
  EXPECT_TRUE(contains(request, "\r\nUser-Agent: fetcher/0.1\r\n")) << request;
  EXPECT_TRUE(contains(request, "\r\nAccept: */*\r\n")) << request;
  EXPECT_FALSE(contains(request, "Content-Length")) << request;
  EXPECT_TRUE(request.ends_with("\r\n\r\n")) << request;
}

// The header declares 1000 bytes that never come: a client reading a body for HEAD would wait
// for them and fail when the server closes.
TEST(RequestMethods, HeadReadsNoBodyWhateverContentLengthSays) {
  CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\n");
  Client client(options_for(server));
  const auto result = client.fetch(request_to("http://canned.test/", Method::head));
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.body_bytes, 0u);
  EXPECT_EQ(result.headers.find("content-length"), "1000");
  EXPECT_EQ(result.warning, "");
  EXPECT_EQ(only_request(server).rfind("HEAD / HTTP/1.1\r\n", 0), 0u);
}

TEST(RequestMethods, PostAndPutSendTheirBodyByteExact) {
  const std::string body =
      std::string("name=a&b\r\n\r\nGET / HTTP/1.1\r\n", 28) + std::string("\0\x01\xff", 3) + std::string(70000, 'z');
  for (const auto method : {Method::post, Method::put}) {
    SCOPED_TRACE(std::string(to_string(method)));
    CannedServer server(ok_hello);
    Client client(options_for(server));
    auto request = request_to("http://canned.test/submit", method);
    request.body = body;
    request.headers.add("Content-Type", "application/octet-stream");
    const auto result = client.fetch(request);
    ASSERT_TRUE(result.ok()) << result.message;
    const auto received = only_request(server);
    const auto head_end = received.find("\r\n\r\n");
    ASSERT_NE(head_end, std::string::npos);
    const auto head = received.substr(0, head_end + 2);
    EXPECT_EQ(head.rfind(std::string(to_string(method)) + " /submit HTTP/1.1\r\n", 0), 0u) << head;
    EXPECT_TRUE(contains(head, "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n")) << head;
    EXPECT_TRUE(contains(head, "\r\nContent-Type: application/octet-stream\r\n")) << head;
    EXPECT_TRUE(received.substr(head_end + 4) == body) << "the body the server got differs";
  }
}

TEST(RequestMethods, PostWithoutABodySaysContentLengthZeroAndDeleteSaysNothing) {
  CannedServer post_server(ok_hello);
  ASSERT_TRUE(Client(options_for(post_server)).fetch(request_to("http://canned.test/", Method::post)).ok());
  EXPECT_TRUE(contains(only_request(post_server), "\r\nContent-Length: 0\r\n"));
  CannedServer delete_server(ok_hello);
  ASSERT_TRUE(Client(options_for(delete_server)).fetch(request_to("http://canned.test/item/7", Method::delete_)).ok());
  const auto request = only_request(delete_server);
  EXPECT_EQ(request.rfind("DELETE /item/7 HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_FALSE(contains(request, "Content-Length")) << request;
}

TEST(RequestHeaders, AreSentAndReplaceTheClientsOwnByName) {
  CannedServer server(ok_hello);
  Client client(options_for(server));
  auto request = request_to("http://canned.test/");
  request.headers.add("user-agent", "crawler/2.0 (+https://example.org/bot)");
  request.headers.add("ACCEPT", "text/html");
  request.headers.add("Accept-Encoding", "identity");
  request.headers.add("X-Trace", "one");
  request.headers.add("X-Trace", "two");
  const auto result = client.fetch(request);
  ASSERT_TRUE(result.ok()) << result.message;
  const auto sent = only_request(server);
  EXPECT_TRUE(contains(sent, "\r\nuser-agent: crawler/2.0 (+https://example.org/bot)\r\n")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nACCEPT: text/html\r\n")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nAccept-Encoding: identity\r\n")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nX-Trace: one\r\nX-Trace: two\r\n")) << sent;
  EXPECT_FALSE(contains(sent, "fetcher/0.1")) << sent;
  EXPECT_FALSE(contains(sent, "*/*")) << sent;
  EXPECT_FALSE(contains(sent, "gzip")) << sent;
}

// Each of these fails as bad_request before any connection: the server sees nothing.
TEST(RequestHeaders, RefusedOrMalformedFieldsFailBeforeAnyConnection) {
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"Host", "elsewhere.test"}, {"content-length", "5"}, {"Transfer-Encoding", "chunked"},
      {"CONNECTION", "close"},    {"Bad Name", "x"},       {"", "x"},
      {"X-Name:", "x"},           {"X\r\nEvil", "1"},      {"X-Value", "a\r\nEvil: 1"},
      {"X-Value", "a\nEvil: 1"},  {"X-Value", "a\rb"},     {"X-Value", std::string("a\0b", 3)},
  };
  CannedServer server(ok_hello);
  Client client(options_for(server));
  for (const auto& [name, value] : refused) {
    SCOPED_TRACE(name);
    auto request = request_to("http://canned.test/");
    request.headers.add(name, value);
    const auto result = client.fetch(request);
    EXPECT_EQ(result.error, ErrorKind::bad_request);
    EXPECT_EQ(to_string(result.error), "bad-request");
    EXPECT_FALSE(result.message.empty());
    EXPECT_EQ(result.message.find_first_of(std::string("\r\n\0", 3)), std::string::npos) << result.message;
    EXPECT_EQ(result.attempts, 0);
  }
  auto get_with_body = request_to("http://canned.test/");
  get_with_body.body = "x";
  EXPECT_EQ(client.fetch(get_with_body).error, ErrorKind::bad_request);
  auto stream_without_handler = request_to("http://canned.test/");
  stream_without_handler.body_mode = BodyMode::stream;
  EXPECT_EQ(client.fetch(stream_without_handler).error, ErrorKind::bad_request);
  EXPECT_TRUE(server.received().empty());
  // The same client still fetches a good request.
  EXPECT_TRUE(client.fetch(request_to("http://canned.test/")).ok());
}

TEST(RequestHeaders, ConditionalGetDeliversA304) {
  CannedServer server("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nCache-Control: max-age=60\r\n\r\n");
  Client client(options_for(server));
  auto request = request_to("http://canned.test/feed.xml");
  request.headers.add("If-None-Match", "\"v1\"");
  const auto result = client.fetch(request);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.status, 304u);
  EXPECT_EQ(result.body_bytes, 0u);
  EXPECT_EQ(result.headers.find("etag"), "\"v1\"");
  EXPECT_TRUE(contains(only_request(server), "\r\nIf-None-Match: \"v1\"\r\n"));
}

TEST(ResponseHeaders, AreKeptInOrderWithRepeatsAndFoundWhateverTheCase) {
  CannedServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: Text/HTML ; charset=UTF-8\r\nSet-Cookie: a=1\r\nETag: \"abc\"\r\n"
      "set-cookie: b=2\r\nLast-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\nContent-Length: 5\r\n\r\nhello");
  Client client(options_for(server));
  const auto result = client.fetch(request_to("http://canned.test/"));
  ASSERT_TRUE(result.ok()) << result.message;
  const auto& headers = result.headers;
  ASSERT_EQ(headers.size(), 6u);
  EXPECT_EQ(headers[0].name, "Content-Type");
  EXPECT_EQ(headers[0].value, "Text/HTML ; charset=UTF-8");
  EXPECT_EQ(headers.content_type(), "text/html");
  EXPECT_EQ(headers.find_all("SET-COOKIE"), (std::vector<std::string_view>{"a=1", "b=2"}));
  EXPECT_EQ(headers.find("Set-Cookie"), "a=1");
  EXPECT_EQ(headers.find("etag"), "\"abc\"");
  EXPECT_EQ(headers.find("last-modified"), "Tue, 01 Dec 2026 10:00:00 GMT");
  EXPECT_EQ(headers.find("content-length"), "5");
  EXPECT_EQ(headers.find("x-missing"), std::nullopt);
}

TEST(HeaderFieldsValue, ContentTypeEraseAndEquality) {
  HeaderFields fields;
  EXPECT_EQ(fields.content_type(), "");
  fields.add("content-type", "  Application/JSON");
  EXPECT_EQ(fields.content_type(), "application/json");
  fields.add("X-A", "1");
  fields.add("x-a", "2");
  auto copy = fields;
  EXPECT_EQ(copy, fields);
  EXPECT_EQ(copy.erase("X-a"), 2u);
  EXPECT_EQ(copy.size(), 1u);
  EXPECT_NE(copy, fields);
  EXPECT_EQ(copy.erase("x-a"), 0u);
  EXPECT_EQ(copy[0].value, "  Application/JSON");
}

TEST(BodyModes, KeepKeepsUpToItsLimitAndDiscardKeepsNothing) {
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789";
  CannedServer server(response);
  Client client(options_for(server));
  auto keep = request_to("http://canned.test/");
  keep.body_mode = BodyMode::keep;
  keep.keep_limit = 10;
  const auto kept = client.fetch(keep);
  ASSERT_TRUE(kept.ok()) << kept.message;
  EXPECT_EQ(kept.body, "0123456789");

  keep.keep_limit = 9;
  const auto over = client.fetch(keep);
  EXPECT_EQ(over.error, ErrorKind::too_large);
  EXPECT_TRUE(contains(over.message, "limit of 9 bytes")) << over.message;

  auto discard = request_to("http://canned.test/");
  discard.body_mode = BodyMode::discard;
  const auto discarded = client.fetch(discard);
  ASSERT_TRUE(discarded.ok()) << discarded.message;
  EXPECT_EQ(discarded.body, "");
  EXPECT_EQ(discarded.body_bytes, 10u);
  EXPECT_EQ(discarded.body_sha256, testing::sha256_hex("0123456789"));

  // client_default follows FetchOptions::keep_body, as before requests had a body mode.
  auto options = options_for(server);
  options.keep_body = true;
  EXPECT_EQ(Client(options).fetch(request_to("http://canned.test/")).body, "0123456789");
}

// Records what a stream handler is given, in the order it is given.
class RecordingHandler : public BodyHandler {
 public:
  explicit RecordingHandler(Decision decision, std::chrono::microseconds pause = {})
      : decision_(decision), pause_(pause) {}
  Decision on_header(const FetchResult& response) override {
    statuses.push_back(response.status);
    content_type = response.headers.content_type();
    final_url = response.final_url;
    chunks_before_header = chunks;
    return decision_;
  }
  void on_body_chunk(std::string_view chunk) override {
    // A slow consumer: the client reads no further until this returns.
    if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
    body.append(chunk);
    ++chunks;
    largest_chunk = std::max(largest_chunk, chunk.size());
  }

  std::vector<unsigned> statuses;
  std::string content_type;
  std::string final_url;
  std::string body;
  std::size_t chunks = 0;
  std::size_t chunks_before_header = 0;
  std::size_t largest_chunk = 0;

 private:
  Decision decision_;
  std::chrono::microseconds pause_;
};

const char* const stream_sites = R"(
[[site]]
host = "big.test"
latency_ms = 1
body_bytes = 4194304
capacity = 0

[[site]]
host = "page.test"
latency_ms = 1
body_bytes = 300000
capacity = 0
)";

std::uint64_t connections_to(TestOrigin& origin, const std::string& host) {
  for (const auto& stats : origin.server().stats()) {
    if (stats.host == host) return stats.connections;
  }
  return 0;
}

// A 4 MB body to a handler that pauses on every piece: it gets every byte, in order, in pieces
// no larger than the client's read buffer (64 KB), never the body whole.
TEST(BodyModes, StreamHandsTheHeaderFirstThenTheBodyInOrderAndBounded) {
  TestOrigin origin(stream_sites);
  Client client(origin.client_options());
  for (const char* scheme : {"http", "https"}) {
    SCOPED_TRACE(scheme);
    auto handler = std::make_shared<RecordingHandler>(BodyHandler::Decision::read_body, std::chrono::microseconds(500));
    auto request = request_to(std::string(scheme) + "://big.test/file");
    request.body_mode = BodyMode::stream;
    request.body_handler = handler;
    const auto result = client.fetch(request);
    ASSERT_TRUE(result.ok()) << result.message;
    EXPECT_EQ(handler->statuses, std::vector<unsigned>{200});
    EXPECT_EQ(handler->chunks_before_header, 0u);
    EXPECT_EQ(handler->content_type, "text/html");
    EXPECT_EQ(handler->final_url, std::string(scheme) + "://big.test/file");
    EXPECT_EQ(handler->body.size(), 4194304u);
    EXPECT_EQ(result.body_bytes, 4194304u);
    EXPECT_EQ(testing::sha256_hex(handler->body), origin.expected_digest("big.test", "/file"));
    EXPECT_EQ(result.body_sha256, origin.expected_digest("big.test", "/file"));
    EXPECT_LE(handler->largest_chunk, 64u * 1024);
    EXPECT_GE(handler->chunks, 4194304u / (64 * 1024));
    EXPECT_EQ(result.body, "");
    EXPECT_FALSE(result.body_skipped);
  }
}

TEST(BodyModes, SkippedBodyClosesItsConnectionAndTheNextFetchUsesANewOne) {
  TestOrigin origin(stream_sites);
  Client client(origin.client_options());
  auto handler = std::make_shared<RecordingHandler>(BodyHandler::Decision::skip_body);
  auto skip = request_to("http://page.test/skipped");
  skip.body_mode = BodyMode::stream;
  skip.body_handler = handler;
  const auto skipped = client.fetch(skip);
  ASSERT_TRUE(skipped.ok()) << skipped.message;
  EXPECT_TRUE(skipped.body_skipped);
  EXPECT_EQ(skipped.status, 200u);
  EXPECT_EQ(skipped.headers.content_type(), "text/html");
  EXPECT_EQ(handler->statuses, std::vector<unsigned>{200});
  EXPECT_EQ(handler->chunks, 0u);

  const auto next = client.fetch(request_to("http://page.test/next"));
  ASSERT_TRUE(next.ok()) << next.message;
  EXPECT_FALSE(next.reused_connection);
  EXPECT_EQ(next.body_sha256, origin.expected_digest("page.test", "/next"));
  // A body read to its end leaves a connection that is kept alive and reused.
  const auto third = client.fetch(request_to("http://page.test/third"));
  ASSERT_TRUE(third.ok()) << third.message;
  EXPECT_TRUE(third.reused_connection);
  EXPECT_EQ(client.counters().connections_opened, 2u);
  EXPECT_EQ(connections_to(origin, "page.test"), 2u);
}

TEST(Redirects, SeeOtherAfterPostBecomesGetWithoutBody) {
  CannedServer server(std::vector<std::string>{
      "HTTP/1.1 303 See Other\r\nLocation: /done\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ok_hello});
  Client client(options_for(server));
  auto request = request_to("http://canned.test/form", Method::post);
  request.body = "a=1";
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  const auto result = client.fetch(request);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.redirects, 1);
  EXPECT_EQ(result.final_url, "http://canned.test/done");
  const auto received = server.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].rfind("POST /form HTTP/1.1\r\n", 0), 0u);
  EXPECT_TRUE(received[0].ends_with("\r\n\r\na=1"));
  EXPECT_EQ(received[1].rfind("GET /done HTTP/1.1\r\n", 0), 0u) << received[1];
  EXPECT_FALSE(contains(received[1], "Content-Length")) << received[1];
  EXPECT_FALSE(contains(received[1], "Content-Type")) << received[1];
  EXPECT_TRUE(received[1].ends_with("\r\n\r\n")) << received[1];
}

TEST(Redirects, TemporaryRedirectKeepsPostAndItsBody) {
  CannedServer server(std::vector<std::string>{
      "HTTP/1.1 307 Temporary Redirect\r\nLocation: /again\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
      ok_hello});
  Client client(options_for(server));
  auto request = request_to("http://canned.test/form", Method::post);
  request.body = "a=1&b=2";
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  const auto result = client.fetch(request);
  ASSERT_TRUE(result.ok()) << result.message;
  const auto received = server.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1].rfind("POST /again HTTP/1.1\r\n", 0), 0u) << received[1];
  EXPECT_TRUE(contains(received[1], "\r\nContent-Type: application/x-www-form-urlencoded\r\n")) << received[1];
  EXPECT_TRUE(received[1].ends_with("\r\nContent-Length: 7\r\n\r\na=1&b=2")) << received[1];
}

// A 302 after a POST becomes a GET too, and the redirect's own body never reaches the handler.
TEST(Redirects, OnlyTheFinalResponseReachesTheHandler) {
  CannedServer server(std::vector<std::string>{
      "HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 4\r\nConnection: close\r\n\r\nmove", ok_hello});
  Client client(options_for(server));
  auto handler = std::make_shared<RecordingHandler>(BodyHandler::Decision::read_body);
  auto request = request_to("http://canned.test/", Method::post);
  request.body = "x";
  request.body_mode = BodyMode::stream;
  request.body_handler = handler;
  const auto result = client.fetch(request);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(handler->statuses, std::vector<unsigned>{200});
  EXPECT_EQ(handler->body, "hello");
  const auto received = server.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1].rfind("GET /final HTTP/1.1\r\n", 0), 0u) << received[1];
}

// A crawler that queues redirect targets itself gets the 3xx as the final response.
TEST(Redirects, NotFollowedWhenTheRequestSaysSo) {
  CannedServer server(std::vector<std::string>{
      "HTTP/1.1 301 Moved Permanently\r\nLocation: /there\r\nContent-Length: 4\r\nConnection: close\r\n\r\nmove",
      ok_hello});
  Client client(options_for(server));
  auto handler = std::make_shared<RecordingHandler>(BodyHandler::Decision::read_body);
  auto request = request_to("http://canned.test/here");
  request.follow_redirects = false;
  request.body_mode = BodyMode::stream;
  request.body_handler = handler;
  const auto result = client.fetch(request);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.status, 301u);
  EXPECT_EQ(result.redirects, 0);
  EXPECT_EQ(result.final_url, "http://canned.test/here");
  EXPECT_EQ(result.headers.find("location").value_or(std::string_view()), "/there");
  EXPECT_EQ(handler->statuses, std::vector<unsigned>{301});
  EXPECT_EQ(handler->body, "move");
  EXPECT_EQ(server.received().size(), 1u);
}

// request_head is what goes on the wire, byte for byte, without the body.
TEST(RequestHead, IsWhatTheClientSends) {
  CannedServer server(std::vector<std::string>{ok_hello});
  Client client(options_for(server));
  auto request = request_to("http://canned.test/a?b=1", Method::post);
  request.headers.add("X-Trace", "7");
  request.body = "payload";
  ASSERT_TRUE(client.fetch(request).ok());
  EXPECT_EQ(client.request_head(request) + "payload", only_request(server));
  EXPECT_EQ(client.request_head(request_to("not a url")), "");
}

TEST(Retries, RetriedAttemptsNeverReachTheHandlerAndPostIsNotRetried) {
  const std::string busy = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";
  CannedServer server(std::vector<std::string>{busy, ok_hello});
  auto options = options_for(server);
  options.retries = 1;
  options.retry_base = options.retry_cap = std::chrono::milliseconds(1);
  Client client(options);
  auto handler = std::make_shared<RecordingHandler>(BodyHandler::Decision::read_body);
  auto request = request_to("http://canned.test/");
  request.body_mode = BodyMode::stream;
  request.body_handler = handler;
  const auto result = client.fetch(request);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.attempts, 2);
  EXPECT_EQ(handler->statuses, std::vector<unsigned>{200});
  EXPECT_EQ(handler->body, "hello");

  CannedServer busy_server(std::vector<std::string>{busy, ok_hello});
  auto post_options = options_for(busy_server);
  post_options.retries = 1;
  post_options.retry_base = post_options.retry_cap = std::chrono::milliseconds(1);
  const auto posted = Client(post_options).fetch(request_to("http://canned.test/", Method::post));
  EXPECT_EQ(posted.error, ErrorKind::http_status);
  EXPECT_EQ(posted.status, 503u);
  EXPECT_EQ(posted.attempts, 1);
  EXPECT_EQ(busy_server.received().size(), 1u);
}

// RFC 9112 6.3: the message is the first Content-Length bytes; what follows is not the body, and
// the connection is not used again. Here what follows is a whole second response, which a
// reused connection would hand to the next fetch.
TEST(Framing, BytesPastContentLengthAreIgnoredWithAWarningAndTheConnectionIsNotReused) {
  CannedServer server(std::vector<std::string>{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                                               "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nWRONG",
                                               "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nright"},
                      true);
  auto options = options_for(server);
  Client client(options);
  auto request = request_to("http://canned.test/");
  request.body_mode = BodyMode::keep;
  const auto first = client.fetch(request);
  ASSERT_TRUE(first.ok()) << first.message;
  EXPECT_EQ(first.body, "hello");
  EXPECT_EQ(first.body_sha256, testing::sha256_hex("hello"));
  EXPECT_TRUE(contains(first.warning, "response carried 43 bytes more than its Content-Length of 5")) << first.warning;
  EXPECT_EQ(first.warning.find('\n'), std::string::npos);

  const auto second = client.fetch(request);
  ASSERT_TRUE(second.ok()) << second.message;
  EXPECT_EQ(second.body, "right");
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(second.warning, "");
  EXPECT_EQ(client.counters().connections_opened, 2u);
}

TEST(Framing, BytesAfterAChunkedBodyAreIgnoredWithAWarning) {
  CannedServer server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nextra bytes");
  Client client(options_for(server));
  const auto result = client.fetch(request_to("http://canned.test/"));
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.body_sha256, testing::sha256_hex("hello"));
  EXPECT_TRUE(contains(result.warning, "11 bytes after the chunked body were ignored")) << result.warning;
}

}  // namespace
}  // namespace fetcher
