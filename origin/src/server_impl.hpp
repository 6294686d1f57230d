// server_impl.hpp: the server's state, and where each part of it is handled:
//   server.cpp      construction, start, stop, counters, the live connections
//   listeners.cpp   the listening ports and the accept batch
//   connection.cpp  one connection's serve loop and a site's answer
//   host_queue.*    capacity slots and per-host counters; body_cache.* the pages; faults.* the faults
#pragma once

#include "body_cache.hpp"
#include "host_queue.hpp"
#include "server_common.hpp"

#include <fetcher/origin/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace fetcher::origin {

struct Certificates;

struct Server::Impl {
  Impl(SiteSet site_set, ServerOptions server_options);
  ~Impl();

  void start();
  void stop();
  TlsStats tls_stats() const;
  void reset();

  // The own ports of a site with a fault.
  struct SiteListener {
    SiteListener(asio::io_context& context, std::size_t index) : site_index(index), http(context), https(context) {}
    std::size_t site_index;
    tcp::acceptor http;  // refuse: bound, never listening
    tcp::acceptor https;
    std::unique_ptr<asio::ssl::context> tls;  // a certificate fault's own; null: the shared one
    SitePorts ports;
  };

  // --- listeners (listeners.cpp) ---
  // Binds the shared ports and each faulty site's own; throws std::runtime_error on failure.
  void open_listeners(const Certificates& certificates);
  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, bool secure, const SiteListener* own);
  // Starts serving one accepted connection on its own coroutine, posted to begin in its turn.
  void start_connection(tcp::socket socket, bool secure, const SiteListener* own);

  // --- connections (connection.cpp) ---
  asio::awaitable<void> serve_plain(tcp::socket socket);
  asio::awaitable<void> serve_secure(tcp::socket socket, asio::ssl::context& context);
  asio::awaitable<void> serve_tls_stall(tcp::socket socket);
  template <typename Stream>
  asio::awaitable<bool> serve_requests(Stream& stream, std::string_view scheme);
  // `answer_sent`: set to when a site's answer had been written (left empty for faults and
  // errors).
  template <typename Stream>
  asio::awaitable<bool> answer(Stream& stream, const Request& request, std::string_view scheme,
                               bool first_on_connection, ServiceClock::time_point arrived,
                               std::optional<ServiceClock::time_point>& answer_sent);
  template <typename Stream>
  asio::awaitable<bool> answer_site(Stream& stream, const Request& request, std::size_t site_index,
                                    std::string_view scheme, bool first_on_connection, ServiceClock::time_point arrived,
                                    std::optional<ServiceClock::time_point>& answer_sent);

  // --- live connections, which stop() closes (server.cpp) ---
  std::uint64_t register_connection(tcp::socket& socket);
  void unregister_connection(std::uint64_t id);
  void close_connections();

  // Keeps a live connection known to stop(), which closes it.
  class ConnectionRegistration {
   public:
    ConnectionRegistration(Impl& server, tcp::socket& socket)
        : server_(server), id_(server.register_connection(socket)) {}
    ~ConnectionRegistration() { server_.unregister_connection(id_); }
    ConnectionRegistration(const ConnectionRegistration&) = delete;
    ConnectionRegistration& operator=(const ConnectionRegistration&) = delete;

   private:
    Impl& server_;
    std::uint64_t id_;
  };

  // Declared first so they outlive the io_context: coroutine frames destroyed with it still
  // release slots and unregister connections.
  const SiteSet sites;
  const ServerOptions options;
  std::string cert_dir;
  bool created_cert_dir = false;
  std::string ca_file;

  HostQueue hosts{sites};
  BodyCache bodies{sites};

  mutable std::mutex state_mutex;
  TlsStats tls_counts;  // handshakes completed, and how many resumed
  std::unordered_map<std::uint64_t, tcp::socket*> connections;
  std::uint64_t next_connection_id = 0;

  std::mutex lifecycle_mutex;
  bool started = false;
  bool stopped = false;
  std::vector<std::thread> threads;

  asio::ssl::context tls_context{asio::ssl::context::tls_server};
  asio::io_context io{static_cast<int>(std::max(1u, options.threads))};
  tcp::acceptor http_acceptor{io};
  tcp::acceptor https_acceptor{io};
  std::uint16_t http_port = 0;  // kept: the acceptors' endpoints are gone once stopped
  std::uint16_t https_port = 0;
  std::vector<std::unique_ptr<SiteListener>> site_listeners;
};

}  // namespace fetcher::origin
