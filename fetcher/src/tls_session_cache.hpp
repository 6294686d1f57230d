// tls_session_cache.hpp: the TLS sessions a client keeps so that its next connection to the
// same server resumes instead of paying a full handshake.
//
// A full handshake costs the client a certificate parse, a chain verification and a signature
// check (docs/performance.md, "Client: TLS session resumption"); a resumed one skips all three. A
// crawler that opens several connections to one host, or one that does not keep connections
// alive, pays that per connection without this cache. Sessions are kept per server (the URL's
// host and port, which is what the certificate was checked against), a few per server, for a
// bounded number of servers (least recently used goes first). One cache serves every thread.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fetcher::detail {

class TlsSessionCache {
 public:
  explicit TlsSessionCache(std::size_t max_servers = 1000, std::size_t sessions_per_server = 4);
  ~TlsSessionCache();
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  // Makes the client context hand its new sessions to this cache (and keep none itself).
  void attach(SSL_CTX* context);

  // Before `ssl`'s handshake with `server` ("host:port"): offers a fresh cached session, if
  // there is one, and names the server so that the sessions it sends are stored under it.
  void prepare(SSL* ssl, const std::string& server);

  // Keeps `session` (the cache takes over the caller's reference) as the newest of `server`'s.
  // OpenSSL's new-session callback calls it; so do tests.
  void store(const std::string& server, SSL_SESSION* session);

  // Sessions kept, over all servers.
  std::size_t size() const;

 private:
  struct HostSessions {
    std::deque<std::unique_ptr<SSL_SESSION, decltype(&SSL_SESSION_free)>> sessions;  // newest last
    std::list<std::string>::iterator in_use_order;
  };

  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  const std::size_t max_servers_;
  const std::size_t sessions_per_server_;
  SSL_CTX* context_ = nullptr;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, HostSessions> servers_;
  std::list<std::string> use_order_;  // most recently used first
  std::size_t session_count_ = 0;
};

}  // namespace fetcher::detail
