// fetch_options.cpp: --connect-to rules and where a URL's socket really goes.
#include <fetcher/fetch_options.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "checked_url.hpp"
#include "printable.hpp"

#include <boost/url/parse.hpp>
#include <stdexcept>

namespace fetcher {
namespace {

// Splits off one "HOST" field of a connect-to rule; IPv6 literals come in brackets.
std::string_view take_host(std::string_view& text, std::string_view whole) {
  std::string_view host;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      throw std::invalid_argument("--connect-to " + std::string(whole) + ": unclosed '[' in IPv6 address");
    }
    host = text.substr(1, close - 1);
    text.remove_prefix(close + 1);
  } else {
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    text.remove_prefix(colon == std::string_view::npos ? text.size() : colon);
  }
  if (text.empty() || text.front() != ':') {
    throw std::invalid_argument("--connect-to " + std::string(whole) + ": expected HOST1:PORT1:HOST2:PORT2");
  }
  text.remove_prefix(1);
  return host;
}

std::uint16_t take_port(std::string_view& text, std::string_view whole, bool last) {
  const auto colon = last ? std::string_view::npos : text.find(':');
  if (!last && colon == std::string_view::npos) {
    throw std::invalid_argument("--connect-to " + std::string(whole) + ": expected HOST1:PORT1:HOST2:PORT2");
  }
  const auto field = text.substr(0, colon);
  text.remove_prefix(last ? text.size() : colon + 1);
  if (field.empty()) return 0;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error != std::errc{} || end != field.data() + field.size() || value > 65535) {
    throw std::invalid_argument("--connect-to " + std::string(whole) + ": bad port '" + std::string(field) + "'");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

ConnectTo ConnectTo::parse(std::string_view text) {
  ConnectTo rule;
  auto rest = text;
  rule.host = std::string(take_host(rest, text));
  rule.port = take_port(rest, text, false);
  auto target = rest;
  if (!target.empty() && target.front() == '[') {
    const auto close = target.find(']');
    if (close == std::string_view::npos) {
      throw std::invalid_argument("--connect-to " + std::string(text) + ": unclosed '[' in IPv6 address");
    }
    rule.target_host = std::string(target.substr(1, close - 1));
    rest = target.substr(close + 1);
  } else {
    const auto colon = target.rfind(':');
    if (colon == std::string_view::npos) {
      throw std::invalid_argument("--connect-to " + std::string(text) + ": expected HOST1:PORT1:HOST2:PORT2");
    }
    rule.target_host = std::string(target.substr(0, colon));
    rest = target.substr(colon);
  }
  if (rest.empty() || rest.front() != ':') {
    throw std::invalid_argument("--connect-to " + std::string(text) + ": expected HOST1:PORT1:HOST2:PORT2");
  }
  rest.remove_prefix(1);
  rule.target_port = take_port(rest, text, true);
  return rule;
}

bool ConnectTo::matches(std::string_view url_host, std::uint16_t url_port) const {
  const auto same_host = [&] {
    return host.size() == url_host.size() && std::equal(host.begin(), host.end(), url_host.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
  };
  return (host.empty() || same_host()) && (port == 0 || port == url_port);
}

FetchOptions::Endpoint FetchOptions::route(std::string_view url_host, std::uint16_t url_port) const {
  for (const auto& rule : connect_to) {
    if (rule.matches(url_host, url_port)) {
      return {rule.target_host.empty() ? std::string(url_host) : rule.target_host,
              rule.target_port == 0 ? url_port : rule.target_port};
    }
  }
  return {std::string(url_host), url_port};
}

namespace {

bool host_matches_no_proxy(std::string_view host, std::string_view list) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto entry = list.substr(0, comma);
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() == '.') entry.remove_prefix(1);  // ".example.org" and "example.org" alike
    if (host.size() < entry.size()) continue;
    const auto tail = host.substr(host.size() - entry.size());
    const bool same = std::equal(tail.begin(), tail.end(), entry.begin(), entry.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    if (same && (host.size() == entry.size() || host[host.size() - entry.size() - 1] == '.')) return true;
  }
  return false;
}

}  // namespace

namespace {

// "http://HOST:PORT" as an endpoint; nullopt for an empty setting.
std::optional<FetchOptions::Endpoint> parse_proxy(const std::string& proxy) {
  if (proxy.empty()) return std::nullopt;
  auto parsed = boost::urls::parse_uri(proxy);
  if (!parsed || parsed->scheme() != "http" || parsed->encoded_host().empty()) {
    throw std::invalid_argument("proxy '" + detail::printable(proxy) + "' is not http://HOST:PORT");
  }
  std::string host(parsed->host_type() == boost::urls::host_type::ipv6 ? parsed->host_ipv6_address().to_string()
                                                                       : std::string(parsed->host()));
  // detail::port_number, not Boost.URL's port_number(), which wraps some ports past 65535.
  const std::uint16_t port = parsed->has_port() && !parsed->port().empty() ? detail::port_number(parsed->port()) : 80;
  if (port == 0) throw std::invalid_argument("proxy '" + detail::printable(proxy) + "' has a bad port");
  return FetchOptions::Endpoint{std::move(host), port};
}

}  // namespace

std::optional<FetchOptions::Endpoint> FetchOptions::proxy_for(bool tls, std::string_view url_host) const {
  const auto& proxy = tls ? https_proxy : http_proxy;
  if (proxy.empty() || host_matches_no_proxy(url_host, no_proxy)) return std::nullopt;
  return parse_proxy(proxy);
}

bool FetchOptions::bypasses_proxy(std::string_view url_host) const { return host_matches_no_proxy(url_host, no_proxy); }

void FetchOptions::check_proxies() const {
  (void)parse_proxy(http_proxy);
  (void)parse_proxy(https_proxy);
}

}  // namespace fetcher
