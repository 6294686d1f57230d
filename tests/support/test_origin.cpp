// test_origin.cpp: see test_origin.hpp.
#include "test_origin.hpp"

#include "sanitizer_scale.hpp"

#include <openssl/evp.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <stdexcept>

namespace fetcher::testing {

TestOrigin::TestOrigin(const std::string& sites_toml)
    : server_(std::make_unique<origin::Server>(origin::parse_sites(sites_toml, "test-sites.toml"))) {
  server_->start();
}

TestOrigin::~TestOrigin() { server_->stop(); }

FetchOptions TestOrigin::client_options() const {
  return client_options_for(server_->site_ports(), server_->http_port(), server_->https_port(), server_->ca_file());
}

FetchOptions client_options_for(const std::vector<origin::SitePorts>& site_ports, std::uint16_t http_port,
                                std::uint16_t https_port, const std::string& ca_file) {
  FetchOptions options;
  // Sites with a fault first: they have ports of their own (refuse, tls-*), and rules match in order.
  for (const auto& site : site_ports) {
    options.connect_to.push_back(ConnectTo::parse(site.host + ":80:127.0.0.1:" + std::to_string(site.http_port)));
    options.connect_to.push_back(ConnectTo::parse(site.host + ":443:127.0.0.1:" + std::to_string(site.https_port)));
  }
  options.connect_to.push_back(ConnectTo::parse(":80:127.0.0.1:" + std::to_string(http_port)));
  options.connect_to.push_back(ConnectTo::parse(":443:127.0.0.1:" + std::to_string(https_port)));
  options.ca_file = ca_file;
  // Generous, longer still under TSan: no test expects these to fire.
  options.connect_timeout = scaled(std::chrono::milliseconds(3000));
  options.tls_timeout = scaled(std::chrono::milliseconds(3000));
  options.first_byte_timeout = scaled(std::chrono::milliseconds(5000));
  options.total_timeout = scaled(std::chrono::milliseconds(10000));
  return options;
}

std::string TestOrigin::expected_digest(const std::string& host, const std::string& path) const {
  const auto* site = server_->sites().find(host);
  if (!site) throw std::logic_error("no such test site: " + host);
  return sha256_hex(origin::make_body(server_->sites(), *site, path));
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < length; ++i) {
    hex += digits[digest[i] >> 4];
    hex += digits[digest[i] & 15];
  }
  return hex;
}

std::uint16_t closed_port() {
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor acceptor(
      context, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();  // closed when the acceptor goes
}

}  // namespace fetcher::testing
