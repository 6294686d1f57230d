// redirect_query_e2e_test.cpp: a redirect's target goes on the wire as the server wrote it: the
// query byte-exact (signed URLs break when %2F becomes /), path escapes kept, only dot-segments
// removed. A server on loopback records each request line the client sends.
#include "canned_server.hpp"

#include <fetcher/client.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fetcher {
namespace {

using testing::CannedServer;

// The request line of the n-th connection's request.
std::string request_line(const CannedServer& server, std::size_t connection) {
  const auto received = server.received();
  if (received.size() <= connection) return {};
  return received[connection].substr(0, received[connection].find("\r\n"));
}

std::string redirect_to(const std::string& location) {
  return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

const std::string landed = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

FetchResult fetch_through(CannedServer& server, const std::string& start_path) {
  Client client(FetchOptions{});
  return client.fetch({"http://127.0.0.1:" + std::to_string(server.port()) + start_path, "test", ""});
}

TEST(RedirectQuery, TheQueryReachesTheServerByteExact) {
  CannedServer server(std::vector<std::string>{redirect_to("/next?b=%2F&c=%2f&d=%7E&e=a%20b"), landed});
  const auto result = fetch_through(server, "/start?sig=%2B%2F%3D");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(request_line(server, 0), "GET /start?sig=%2B%2F%3D HTTP/1.1");
  EXPECT_EQ(request_line(server, 1), "GET /next?b=%2F&c=%2f&d=%7E&e=a%20b HTTP/1.1");
  EXPECT_EQ(result.final_url, "http://127.0.0.1:" + std::to_string(server.port()) + "/next?b=%2F&c=%2f&d=%7E&e=a%20b");
}

TEST(RedirectQuery, PathEscapesAreKeptAndDotSegmentsRemoved) {
  CannedServer server(std::vector<std::string>{redirect_to("/x/../a%2Fb/%7e?q=%3D"), landed});
  const auto result = fetch_through(server, "/");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(request_line(server, 1), "GET /a%2Fb/%7e?q=%3D HTTP/1.1");
}

TEST(RedirectQuery, AnAbsoluteLocationWithAnUpperCaseSchemeKeepsItsQuery) {
  CannedServer server(std::vector<std::string>{landed});
  CannedServer first(
      std::vector<std::string>{redirect_to("HTTP://127.0.0.1:" + std::to_string(server.port()) + "/p?x=%41%2f")});
  const auto result = fetch_through(first, "/");
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(request_line(server, 0), "GET /p?x=%41%2f HTTP/1.1");
}

}  // namespace
}  // namespace fetcher
