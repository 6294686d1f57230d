// server.hpp: the emulated origin, an HTTP/1.1 and HTTPS server on loopback that answers for
// the hosts of a SiteSet with their latency, jitter, body, redirect and capacity.
//
// The TLS certificate is made at start-up for exactly the sites' host names (plus 127.0.0.1
// and ::1), signed by a CA also made at start-up and written to ca_file() so clients can
// trust it explicitly.
//
// Sites with a fault (sites.hpp) also listen on ports of their own, where the faults of the
// connection itself happen: refuse (bound, never listening), tls-stall, and the tls-*
// certificates. Route a faulty host there (connect-to HOST:80 and HOST:443) to see them.
#pragma once

#include <fetcher/origin/sites.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fetcher::origin {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t http_port = 0;  // 0: any free port
  std::uint16_t https_port = 0;
  std::string cert_dir;  // where ca.pem goes; empty: a fresh directory under /tmp
  unsigned threads = 1;
};

// What the server saw for one host since start or the last reset().
struct HostStats {
  std::string host;
  std::uint64_t requests = 0;
  std::uint64_t connections = 0;  // connections whose first request named this host
  unsigned peak_concurrent = 0;   // most requests for this host in progress at once
  // The shortest time between two consecutive request starts for this host, on any connections:
  // how polite the clients were, measured here. A request starts when its header has been read
  // (where `requests` counts it), by a steady clock, so a request the origin reads late (its
  // threads busy) can sit closer to the next than the client spaced them. None (nullopt) until
  // the host has had two requests since start or the last reset().
  std::optional<std::chrono::microseconds> min_start_gap;
};

// Requests for one URL (host and request target, query included, as the request line had it)
// since start or the last reset().
struct PathCount {
  std::string host;
  std::string target;
  std::uint64_t requests = 0;
};

// TLS handshakes the origin completed, all hosts together.
struct TlsStats {
  std::uint64_t handshakes = 0;
  std::uint64_t resumed = 0;  // of those, the client resumed an earlier session
};

// The own ports of a site with a fault.
struct SitePorts {
  std::string host;
  std::uint16_t http_port = 0;
  std::uint16_t https_port = 0;
};

class Server {
 public:
  // Binds both ports and makes the certificates. Throws std::runtime_error on failure.
  Server(SiteSet sites, ServerOptions options = {});
  ~Server();  // stops and joins; removes the certificate directory it created
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();  // serves on options.threads threads of its own; returns at once
  void stop();   // closes listeners and connections, joins the threads; idempotent

  std::uint16_t http_port() const;
  std::uint16_t https_port() const;
  const std::string& ca_file() const;
  const SiteSet& sites() const;
  std::vector<SitePorts> site_ports() const;  // one entry per site with a fault, in sites order

  std::vector<HostStats> stats() const;  // one entry per site, in sites order
  TlsStats tls_stats() const;
  // One entry per host+target requested, sites in sites order, then targets in byte order.
  std::vector<PathCount> request_counts() const;
  void reset();  // clears stats (TLS ones too), the per-host+path repeat counters and request_counts

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fetcher::origin
