// connector.hpp: new connections for the client. Resolves (or takes an address literal),
// connects within the connect deadline, asks an HTTP proxy for a CONNECT tunnel when https goes
// through one, and for https runs the TLS handshake with SNI, name verification and session
// resumption. Owns what that needs: the TLS context, its session cache and the resolver.
#pragma once

#include "connection_pool.hpp"
#include "fetch_failure.hpp"
#include "host_resolver.hpp"
#include "tls_session_cache.hpp"

#include <fetcher/fetch_options.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/url.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace fetcher::detail {

class Connector {
 public:
  // Sets the TLS context up from `options` (which must outlive this); throws
  // std::runtime_error when the CA file cannot be loaded.
  explicit Connector(const FetchOptions& options);

  // A new connection into `connection`: connect (to `route`, or to the proxy and through a
  // tunnel for https when `via_proxy`), then for https the TLS handshake. Sets
  // result.timings.connect and .tls, measured from `hop_start`.
  boost::asio::awaitable<Failure> open(Connection& connection, const UrlParts& url, const FetchOptions::Endpoint& route,
                                       bool via_proxy, clock_type::time_point hop_start,
                                       clock_type::time_point total_deadline, FetchResult& result);

  // Over the connector's lifetime: TCP connections opened, TLS handshakes, of which resumed.
  std::uint64_t connections_opened() const { return connections_opened_.load(); }
  std::uint64_t tls_handshakes() const { return tls_handshakes_.load(); }
  std::uint64_t tls_resumed() const { return tls_resumed_.load(); }

 private:
  boost::asio::awaitable<Failure> connect(boost::beast::tcp_stream& stream, const FetchOptions::Endpoint& route,
                                          clock_type::time_point total_deadline, const std::string& routed_from);
  boost::asio::awaitable<Failure> open_tunnel(boost::beast::tcp_stream& stream, const UrlParts& url,
                                              clock_type::time_point total_deadline);
  boost::asio::awaitable<Failure> handshake(boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                            const UrlParts& url, clock_type::time_point total_deadline);
  bool system_trust_ready(std::string& error);

  const FetchOptions& options_;
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_client};
  TlsSessionCache tls_sessions_;  // after `tls_`: it unhooks itself from the context first
  HostResolver resolver_;
  std::once_flag system_trust_once_;
  std::string system_trust_error_;  // written once, under system_trust_once_
  std::atomic<std::uint64_t> connections_opened_{0};
  std::atomic<std::uint64_t> tls_handshakes_{0};
  std::atomic<std::uint64_t> tls_resumed_{0};
};

}  // namespace fetcher::detail
