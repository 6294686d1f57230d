// fetch_options.hpp: everything a caller can tune about how one URL is fetched.
//
// The same options drive every strategy, so a comparison between strategies is a
// comparison of scheduling alone.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher {

// One curl-style --connect-to rule: requests for host:port go to target_host:target_port
// instead, while the Host header, SNI and certificate check keep the URL's own host.
// An empty host or a zero port in the rule matches any.
struct ConnectTo {
  std::string host;
  std::uint16_t port = 0;
  std::string target_host;
  std::uint16_t target_port = 0;

  // Parses "HOST1:PORT1:HOST2:PORT2" (any part may be empty; IPv6 in brackets).
  // Throws std::invalid_argument naming what is wrong.
  static ConnectTo parse(std::string_view text);
  bool matches(std::string_view url_host, std::uint16_t url_port) const;
};

struct FetchOptions {
  using duration = std::chrono::milliseconds;

  struct Endpoint {
    std::string host;
    std::uint16_t port;
  };

  duration connect_timeout{5000};      // resolve + TCP connect, per attempt
  duration tls_timeout{5000};          // TLS handshake
  duration first_byte_timeout{10000};  // request sent -> response header received
  duration total_timeout{30000};       // the whole fetch, redirects included

  int max_redirects = 10;
  // Follow a redirect from an https URL to a plain http one. Off: such a redirect fails the
  // fetch (ErrorKind::protocol) rather than silently dropping TLS.
  bool allow_https_downgrade = false;
  std::uint64_t body_limit = 64ull << 20;  // bytes of body accepted before too-large
  std::string user_agent = "fetcher/0.1";

  bool verify_peer = true;  // certificate and host-name verification
  std::string ca_file;      // empty: the system trust store

  // Keep the body bytes in FetchResult::body (the size is always counted): the body mode of a
  // request whose FetchRequest::body_mode is client_default.
  bool keep_body = false;
  // Compute FetchResult::body_sha256. A load run, which only counts bytes, turns it off to
  // spare the hash's CPU.
  bool body_digest = true;

  // Ask for gzip/deflate and decode them; body_limit then applies to the decoded size too,
  // so a decompression bomb fails as too_large instead of filling memory.
  bool decompress = true;

  // Connection reuse. Idle connections are kept per event loop (a blocking fetch's thread, or
  // the loop an async run uses) and per scheme, host, port and route.
  bool keep_alive = true;
  duration idle_timeout{30000};     // an idle connection older than this is not reused
  unsigned max_idle_per_host = 32;  // idle connections kept per host and loop
  // TLS session resumption: a new connection to a host this client has already done a full
  // handshake with offers that session (a few kept per host, for the last 1,000 hosts), and
  // skips the certificate's parse, chain check and signature check.
  bool resume_tls_sessions = true;

  // Politeness: most fetches in flight at once to one host, across every thread and loop
  // using this client; 0 = no limit. Waiting for a slot counts against total_timeout.
  unsigned max_per_host = 0;

  // Politeness in time: at least this long between the starts of two requests to one host
  // (every attempt and redirect hop counts), across threads; 0 = none. Waiting for the turn
  // counts against total_timeout.
  duration min_host_interval{0};

  // Retries of connect errors, timeouts, 429, 502, 503 and 504, for idempotent methods only
  // (every one but POST, fetch_request.hpp): at most
  // `retries` more attempts, each after a random delay in [0, min(retry_cap, retry_base * 2^n)]
  // ("full jitter"), or the server's Retry-After when it asks for longer. All attempts share
  // total_timeout.
  unsigned retries = 0;
  duration retry_base{100};
  duration retry_cap{10000};

  std::vector<ConnectTo> connect_to;

  // Proxies, "http://HOST:PORT" (empty: none). Plain requests go to the proxy in absolute form;
  // https goes through a CONNECT tunnel, with TLS to the origin end to end (the certificate
  // checked is the origin's). no_proxy: comma-separated host names or ".suffix"es (or "*")
  // fetched directly. connect_to rules do not apply to proxied requests.
  std::string http_proxy;
  std::string https_proxy;
  std::string no_proxy;

  // The proxy for a URL, or nullopt to go direct. Throws std::invalid_argument for a proxy
  // setting that is not http://HOST:PORT.
  std::optional<Endpoint> proxy_for(bool tls, std::string_view url_host) const;
  // True when no_proxy names `url_host`: fetched directly whatever the proxy settings say.
  bool bypasses_proxy(std::string_view url_host) const;
  // Throws std::invalid_argument unless both proxy settings are empty or http://HOST:PORT,
  // whatever no_proxy says.
  void check_proxies() const;

  // Where the socket for url_host:url_port really goes (after --connect-to rules).
  Endpoint route(std::string_view url_host, std::uint16_t url_port) const;
};

}  // namespace fetcher
