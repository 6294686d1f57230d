// server.cpp: the emulated origin's HTTP/1.1 and HTTPS server (Beast over Asio, C++20
// coroutines). Each request queues for one of its host's capacity slots, holds it for the
// modelled latency, then gets its redirect or body; the server counts what each host saw.
// This file holds the server's life (construction, start, stop) and its live connections;
// server_impl.hpp says where the rest is.
#include "certificates.hpp"
#include "server_impl.hpp"

#include <boost/asio/co_spawn.hpp>

#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace fetcher::origin {
namespace {

std::string make_temporary_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "fetcher-origin-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a certificate directory " + pattern + ": " + std::strerror(errno));
  }
  return pattern;
}

void write_file(const std::string& path, const std::string& contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << contents;
  file.close();
  if (!file) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

std::vector<std::string> host_names(const SiteSet& sites) {
  std::vector<std::string> hosts;
  for (const auto& site : sites.sites) hosts.push_back(site.host);
  return hosts;
}

}  // namespace

// --- construction and lifecycle -------------------------------------------------------------

Server::Impl::Impl(SiteSet site_set, ServerOptions server_options)
    : sites(std::move(site_set)), options(std::move(server_options)) {
  const Certificates certificates = make_certificates(host_names(sites));
  cert_dir = options.cert_dir;
  if (cert_dir.empty()) {
    cert_dir = make_temporary_directory();
    created_cert_dir = true;
  }
  ca_file = (std::filesystem::path(cert_dir) / "ca.pem").string();
  try {
    write_file(ca_file, certificates.ca_certificate_pem);
    open_listeners(certificates);
  } catch (...) {
    if (created_cert_dir) {
      std::error_code ignored;
      std::filesystem::remove_all(cert_dir, ignored);
    }
    throw;
  }
}

Server::Impl::~Impl() {
  stop();
  // Waiters still queued own timers of the io_context; let them go while it still exists.
  hosts.abandon_waiters();
  if (created_cert_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(cert_dir, ignored);
  }
}

void Server::Impl::start() {
  std::lock_guard lock(lifecycle_mutex);
  if (started || stopped) return;
  started = true;
  asio::co_spawn(io, accept_loop(http_acceptor, false, nullptr), log_failure("HTTP listener"));
  asio::co_spawn(io, accept_loop(https_acceptor, true, nullptr), log_failure("HTTPS listener"));
  for (const auto& listener : site_listeners) {
    if (sites.sites[listener->site_index].fault == Fault::refuse) continue;
    asio::co_spawn(io, accept_loop(listener->http, false, listener.get()), log_failure("site HTTP listener"));
    asio::co_spawn(io, accept_loop(listener->https, true, listener.get()), log_failure("site HTTPS listener"));
  }
  const unsigned count = std::max(1u, options.threads);
  for (unsigned i = 0; i < count; ++i) {
    threads.emplace_back([this] {
      try {
        io.run();
      } catch (const std::exception& exception) {
        spdlog::error("origin: server thread stopped: {}", exception.what());
      }
    });
  }
}

// Stops the loop first, then closes sockets from this thread: with no thread running the
// io_context, nothing else touches them. Suspended coroutines die with the io_context.
void Server::Impl::stop() {
  std::lock_guard lock(lifecycle_mutex);
  if (stopped) return;
  stopped = true;
  hosts.stop();
  io.stop();
  for (auto& thread : threads) thread.join();
  threads.clear();
  error_code ignored;
  http_acceptor.close(ignored);
  https_acceptor.close(ignored);
  for (auto& listener : site_listeners) {
    listener->http.close(ignored);
    listener->https.close(ignored);
  }
  close_connections();
}

TlsStats Server::Impl::tls_stats() const {
  std::lock_guard lock(state_mutex);
  return tls_counts;
}

void Server::Impl::reset() {
  hosts.reset();
  std::lock_guard lock(state_mutex);
  tls_counts = {};
}

// --- live connections -----------------------------------------------------------------------

std::uint64_t Server::Impl::register_connection(tcp::socket& socket) {
  std::lock_guard lock(state_mutex);
  const auto id = next_connection_id++;
  connections.emplace(id, &socket);
  return id;
}

void Server::Impl::unregister_connection(std::uint64_t id) {
  std::lock_guard lock(state_mutex);
  connections.erase(id);
}

void Server::Impl::close_connections() {
  std::lock_guard lock(state_mutex);
  for (auto& [id, socket] : connections) {
    error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
  }
}

// --- Server ---------------------------------------------------------------------------------

Server::Server(SiteSet sites, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(sites), std::move(options))) {}

Server::~Server() = default;

void Server::start() { impl_->start(); }
void Server::stop() { impl_->stop(); }
std::uint16_t Server::http_port() const { return impl_->http_port; }
std::uint16_t Server::https_port() const { return impl_->https_port; }
const std::string& Server::ca_file() const { return impl_->ca_file; }
const SiteSet& Server::sites() const { return impl_->sites; }
std::vector<SitePorts> Server::site_ports() const {
  std::vector<SitePorts> ports;
  for (const auto& listener : impl_->site_listeners) ports.push_back(listener->ports);
  return ports;
}
std::vector<HostStats> Server::stats() const { return impl_->hosts.stats(); }
TlsStats Server::tls_stats() const { return impl_->tls_stats(); }
std::vector<PathCount> Server::request_counts() const { return impl_->hosts.request_counts(); }
void Server::reset() { impl_->reset(); }

}  // namespace fetcher::origin
