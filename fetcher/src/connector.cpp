// connector.cpp: see connector.hpp.
#include "connector.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace fetcher::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string tls_failure_message(SSL* ssl, const error_code& ec) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) return std::string("certificate rejected: ") + X509_verify_cert_error_string(verify);
  return ec.message();
}

}  // namespace

Connector::Connector(const FetchOptions& options) : options_(options) {
  tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  if (options_.resume_tls_sessions) tls_sessions_.attach(tls_.native_handle());
  if (!options_.verify_peer) {
    tls_.set_verify_mode(asio::ssl::verify_none);
    return;
  }
  tls_.set_verify_mode(asio::ssl::verify_peer);
  error_code ec;
  // The system trust store is loaded by the first https connection (system_trust_ready): it
  // parses a few hundred certificates, tens of milliseconds a plain-HTTP run never needs.
  if (!options_.ca_file.empty()) {
    tls_.load_verify_file(options_.ca_file, ec);
    if (ec) throw std::runtime_error(options_.ca_file + ": cannot load CA file: " + ec.message());
  }
}

// Loads the system trust store once, on first use; false with `error` when it cannot.
bool Connector::system_trust_ready(std::string& error) {
  if (!options_.verify_peer || !options_.ca_file.empty()) return true;
  std::call_once(system_trust_once_, [this] {
    error_code ec;
    tls_.set_default_verify_paths(ec);
    if (ec) system_trust_error_ = "cannot load the system trust store: " + ec.message();
  });
  error = system_trust_error_;
  return error.empty();
}

// Resolves (unless the route is an address literal) and connects, trying each address in
// turn, all within the connect deadline. `routed_from`: the URL's host when a connect-to rule
// sent it elsewhere, so a message names it ("connect a.test via 127.0.0.1:8080: ...").
asio::awaitable<Failure> Connector::connect(beast::tcp_stream& stream, const FetchOptions::Endpoint& route,
                                            clock_type::time_point total_deadline, const std::string& routed_from) {
  const auto deadline = stage_deadline(options_.connect_timeout, total_deadline);
  const auto where = (routed_from.empty() ? "" : routed_from + " via ") + route.host + ":" + std::to_string(route.port);
  error_code ec;
  std::vector<tcp::endpoint> endpoints;
  if (auto address = asio::ip::make_address(route.host, ec); !ec) {
    endpoints.emplace_back(address, route.port);
  } else {
    auto answer = co_await resolver_.resolve(route.host, route.port, deadline.at);
    if (answer.timed_out) {
      co_return timeout_failure(FetchStage::resolve, "resolve", options_.connect_timeout, deadline.total_limited,
                                options_.total_timeout, make_error_code(std::errc::timed_out));
    }
    if (!answer.error.empty()) {
      co_return Failure{ErrorKind::dns, "resolve " + route.host + ": " + answer.error, FetchStage::resolve,
                        answer.cause};
    }
    endpoints = std::move(answer.endpoints);
  }
  stream.expires_at(deadline.at);
  for (const auto& endpoint : endpoints) {
    // The socket is opened here, not by async_connect, so that running out of descriptors is
    // reported as such rather than as a cancelled connect.
    error_code ignored;
    stream.socket().close(ignored);
    stream.socket().open(endpoint.protocol(), ec);
    if (ec == asio::error::no_descriptors || ec == std::errc::too_many_files_open_in_system ||
        ec == asio::error::no_buffer_space || ec == asio::error::no_memory) {
      co_return Failure{ErrorKind::resource, "connect " + where + ": cannot open a socket: " + ec.message(),
                        FetchStage::connect, ec};
    }
    if (ec) continue;
    // Non-blocking for our own sends too (send_now in http_exchange.cpp, plain connections; TLS
    // never writes synchronously), set before async_connect would set it for Asio alone: one
    // ioctl per connection instead of two.
    stream.socket().non_blocking(true, ec);
    if (ec) continue;
    co_await stream.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec || ec == beast::error::timeout) break;
  }
  if (ec == beast::error::timeout) {
    co_return timeout_failure(FetchStage::connect, "connect", options_.connect_timeout, deadline.total_limited,
                              options_.total_timeout, ec);
  }
  if (ec) co_return Failure{ErrorKind::connect, "connect " + where + ": " + ec.message(), FetchStage::connect, ec};
  ++connections_opened_;
  co_return Failure{};
}

// Asks an HTTP proxy for a tunnel to the origin; TLS then runs through it end to end.
asio::awaitable<Failure> Connector::open_tunnel(beast::tcp_stream& stream, const UrlParts& url,
                                                clock_type::time_point total_deadline) {
  const auto authority =
      (url.host_is_address && url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" +
      std::to_string(url.port);
  http::request<http::empty_body> request{http::verb::connect, authority, 11};
  request.set(http::field::host, authority);
  request.set(http::field::user_agent, options_.user_agent);
  const auto deadline = stage_deadline(options_.connect_timeout, total_deadline);
  stream.expires_at(deadline.at);
  error_code ec;
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a CONNECT answer has no body; what follows belongs to the tunnel
  if (!ec) co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return timeout_failure(FetchStage::connect, "proxy CONNECT", options_.connect_timeout, deadline.total_limited,
                              options_.total_timeout, ec);
  }
  if (ec)
    co_return Failure{ErrorKind::connect, "proxy CONNECT " + authority + ": " + ec.message(), FetchStage::connect, ec};
  if (parser.get().result_int() / 100 != 2) {
    co_return Failure{ErrorKind::connect,
                      "proxy refused CONNECT " + authority + ": HTTP " + std::to_string(parser.get().result_int()),
                      FetchStage::connect,
                      {}};
  }
  if (buffer.size() != 0) {
    co_return Failure{ErrorKind::protocol, "proxy sent data before the tunnel opened", FetchStage::connect, {}};
  }
  co_return Failure{};
}

// The TLS handshake on a connected stream, with SNI and the name to verify set first.
asio::awaitable<Failure> Connector::handshake(beast::ssl_stream<beast::tcp_stream>& stream, const UrlParts& url,
                                              clock_type::time_point total_deadline) {
  SSL* ssl = stream.native_handle();
  if (!url.host_is_address && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                       const_cast<char*>(url.host.c_str())) != 1) {
    co_return Failure{ErrorKind::tls, "TLS: cannot set SNI for " + url.host, FetchStage::tls, {}};
  }
  // OpenSSL checks the name itself, so a mismatch is reported as one ("hostname mismatch").
  if (options_.verify_peer) {
    const int named = url.host_is_address ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str())
                                          : SSL_set1_host(ssl, url.host.c_str());
    if (named != 1) {
      co_return Failure{ErrorKind::tls, "TLS: cannot set the name to verify: " + url.host, FetchStage::tls, {}};
    }
  }
  // Resumed, the handshake skips the certificate's parse and checks: the session was made by
  // a handshake that passed them, with this same host name.
  if (options_.resume_tls_sessions) tls_sessions_.prepare(ssl, url.host + ":" + std::to_string(url.port));
  error_code ec;
  const auto deadline = stage_deadline(options_.tls_timeout, total_deadline);
  beast::get_lowest_layer(stream).expires_at(deadline.at);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return timeout_failure(FetchStage::tls, "TLS handshake", options_.tls_timeout, deadline.total_limited,
                              options_.total_timeout, ec);
  }
  if (ec) {
    co_return Failure{ErrorKind::tls, "TLS handshake with " + url.host + ": " + tls_failure_message(ssl, ec),
                      FetchStage::tls, ec};
  }
  ++tls_handshakes_;
  if (SSL_session_reused(ssl) == 1) ++tls_resumed_;
  co_return Failure{};
}

// `route`: where the socket goes, the proxy itself when `via_proxy`.
asio::awaitable<Failure> Connector::open(Connection& connection, const UrlParts& url,
                                         const FetchOptions::Endpoint& route, bool via_proxy,
                                         clock_type::time_point hop_start, clock_type::time_point total_deadline,
                                         FetchResult& result) {
  auto stream = std::make_unique<beast::tcp_stream>(co_await asio::this_coro::executor);
  const auto routed_from = !via_proxy && route.host != url.host ? url.host : std::string();
  if (auto failure = co_await connect(*stream, route, total_deadline, routed_from); failure.kind != ErrorKind::none) {
    co_return failure;
  }
  if (via_proxy && url.tls) {
    if (auto failure = co_await open_tunnel(*stream, url, total_deadline); failure.kind != ErrorKind::none) {
      co_return failure;
    }
  }
  connection.absolute_form = via_proxy && !url.tls;
  result.timings.connect = clock_type::now() - hop_start;
  if (!url.tls) {
    connection.plain = std::move(stream);
    co_return Failure{};
  }
  if (std::string problem; !system_trust_ready(problem)) {
    co_return Failure{ErrorKind::tls, "TLS: " + problem, FetchStage::tls, {}};
  }
  connection.secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*stream), tls_);
  if (auto failure = co_await handshake(*connection.secure, url, total_deadline); failure.kind != ErrorKind::none) {
    co_return failure;
  }
  result.timings.tls = clock_type::now() - hop_start;
  co_return Failure{};
}

}  // namespace fetcher::detail
