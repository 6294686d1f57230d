// test_origin.hpp: an emulated origin started by a test on free loopback ports, and the client
// options that reach it (connect-to rules and its CA), for end-to-end tests.
#pragma once

#include <fetcher/fetch_options.hpp>
#include <fetcher/origin/server.hpp>
#include <fetcher/origin/sites.hpp>

#include <memory>
#include <string>
#include <vector>

namespace fetcher::testing {

class TestOrigin {
 public:
  // Starts at once on 127.0.0.1; `sites_toml` is a sites file's text.
  explicit TestOrigin(const std::string& sites_toml);
  ~TestOrigin();

  origin::Server& server() { return *server_; }
  const origin::SiteSet& sites() const { return server_->sites(); }

  // Options that send http://any-host to the plain port and https://any-host to the TLS port,
  // trusting the origin's CA, with short timeouts suited to tests.
  FetchOptions client_options() const;

  // Expected SHA-256 (hex) of the body the origin serves for host+path.
  std::string expected_digest(const std::string& host, const std::string& path) const;

 private:
  std::unique_ptr<origin::Server> server_;
};

// Options that reach an origin on 127.0.0.1 with these ports and CA: every http://host to
// `http_port`, every https://host to `https_port`, faulty sites to their own ports first; short
// timeouts suited to tests.
FetchOptions client_options_for(const std::vector<origin::SitePorts>& site_ports, std::uint16_t http_port,
                                std::uint16_t https_port, const std::string& ca_file);

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(const std::string& data);

// A port on 127.0.0.1 where nothing listens (bound, then closed).
std::uint16_t closed_port();

}  // namespace fetcher::testing
