// fuzz_response: arbitrary bytes as a server's whole answer to `GET http://fuzz.test/`.
//
// A loopback server, started once, reads each connection's request head, writes the current
// input, and closes. The client fetches through the public API only, with --connect-to sending
// every host and port (so every redirect hop too) to that server, and short deadlines.
//
// Invariants: nothing crashes, leaks or hangs (the fetch ends within its total timeout plus a
// margin); the error kind is one of the named kinds; status is 0 or 100..999; ok means a status
// below 400 and a digest, http-status means 400 or more; wire_bytes fits in the input (each hop
// receives the input alone); body_bytes (decoded) stays within body_limit and, when ok, equals
// the kept body's size; messages have no control bytes; redirects stay within max_redirects.
#include "fuzz_check.hpp"

#include <fetcher/client.hpp>
#include <fetcher/fetch_options.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/url_list.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using fetcher::fuzz::escaped;
using fetcher::fuzz::has_control_byte;

// Answers every connection with the current response, one connection at a time.
class ResponseServer {
 public:
  ResponseServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      std::perror("fuzz_response: cannot listen on 127.0.0.1");
      std::abort();
    }
    port_ = ntohs(address.sin_port);
    std::thread([this] { serve(); }).detach();  // lives as long as the process
  }

  std::uint16_t port() const { return port_; }

  void set_response(std::string_view response) {
    const std::lock_guard lock(mutex_);
    response_.assign(response);
  }

 private:
  void serve() {
    for (;;) {
      const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) continue;
      read_request_head(connection);
      std::string response;
      {
        const std::lock_guard lock(mutex_);
        response = response_;
      }
      std::size_t sent = 0;
      while (sent < response.size()) {
        const auto wrote = ::send(connection, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (wrote <= 0) break;
        sent += static_cast<std::size_t>(wrote);
      }
      ::shutdown(connection, SHUT_WR);
      // Whatever the client sent beyond what was read would turn close() into a reset.
      char discard[4096];
      while (::recv(connection, discard, sizeof discard, MSG_DONTWAIT) > 0) {
      }
      ::close(connection);
    }
  }

  // Reads until the end of an HTTP request head; anything else (a TLS ClientHello after a
  // redirect to https) is answered as soon as its first bytes are in.
  static void read_request_head(int connection) {
    std::string request;
    char chunk[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd readable{connection, POLLIN, 0};
      if (::poll(&readable, 1, 1000) <= 0) return;
      const auto got = ::recv(connection, chunk, sizeof chunk, 0);
      if (got <= 0) return;
      request.append(chunk, static_cast<std::size_t>(got));
      if (request.front() != 'G') return;
    }
  }

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::string response_;
};

struct Harness {
  ResponseServer server;
  fetcher::FetchOptions options;
  fetcher::Client client;

  Harness() : client(make_options(server.port())) { options = client.options(); }

  static fetcher::FetchOptions make_options(std::uint16_t port) {
    fetcher::FetchOptions options;
    options.connect_timeout = std::chrono::milliseconds(200);
    options.tls_timeout = std::chrono::milliseconds(200);
    options.first_byte_timeout = std::chrono::milliseconds(200);
    options.total_timeout = std::chrono::milliseconds(500);
    options.max_redirects = 3;
    options.keep_body = true;
    options.body_limit = 64 * 1024;  // decoded size too: a gzip bomb stops here, cheaply
    options.decompress = true;       // Content-Encoding: gzip and deflate are decoded
    // Each input stands alone: no connection survives into the next run (the server closes
    // anyway), so a crash reproduces from its input file.
    options.keep_alive = false;
    options.verify_peer = false;  // a redirect to https meets garbage, not a certificate
    options.connect_to.push_back(fetcher::ConnectTo::parse("::127.0.0.1:" + std::to_string(port)));
    return options;
  }
};

Harness& harness() {
  static Harness instance;
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& h = harness();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  h.server.set_response(input);

  fetcher::FetchRequest request;
  request.url = "http://fuzz.test/";
  const auto started = std::chrono::steady_clock::now();
  const auto result = h.client.fetch(request);
  const auto elapsed = std::chrono::steady_clock::now() - started;

  const auto summary = [&] {
    return std::string(fetcher::to_string(result.error)) + " status " + std::to_string(result.status) + " body " +
           std::to_string(result.body_bytes) + " redirects " + std::to_string(result.redirects) + " message " +
           escaped(result.message);
  };
  fetcher::ErrorKind named{};
  FUZZ_CHECK(fetcher::parse_error_kind(fetcher::to_string(result.error), named) && named == result.error,
             "unknown error kind " + std::to_string(static_cast<int>(result.error)));
  FUZZ_CHECK(result.status == 0 || (result.status >= 100 && result.status <= 599), summary());
  FUZZ_CHECK(!has_control_byte(result.message), summary());
  FUZZ_CHECK(result.ok() == result.message.empty(), summary());
  FUZZ_CHECK(result.wire_bytes <= size, summary());
  FUZZ_CHECK(result.body_bytes <= h.options.body_limit, summary());
  // The kept body is the final response's; a redirect's body is read (and counted) but not kept.
  FUZZ_CHECK(result.body.size() <= result.body_bytes, summary());
  if (result.ok()) FUZZ_CHECK(result.body.size() == result.body_bytes, summary());
  FUZZ_CHECK(result.redirects >= 0 && result.redirects <= h.options.max_redirects, summary());
  if (result.ok()) {
    FUZZ_CHECK(result.status >= 100 && result.status < 400 && result.body_sha256.size() == 64, summary());
  }
  if (result.error == fetcher::ErrorKind::http_status) FUZZ_CHECK(result.status >= 400, summary());
  FUZZ_CHECK(fetcher::check_url(result.final_url).empty(), "final URL " + escaped(result.final_url));
  FUZZ_CHECK(elapsed < h.options.total_timeout + std::chrono::seconds(5),
             "took " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()) +
                 " ms: " + summary());
  return 0;
}
