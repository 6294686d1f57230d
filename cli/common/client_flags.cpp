// client_flags.cpp: flag definitions and their translation into FetchOptions.
#include "common/client_flags.hpp"

#include "common/units.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace fetcher::cli {
namespace {

// A timeout or back-off: a duration, and zero would mean "fail at once", so it must be positive.
std::chrono::milliseconds duration_flag(std::string_view flag, const std::string& value) {
  const auto parsed = parse_duration(flag, value);
  if (parsed.count() <= 0) throw std::invalid_argument(std::string(flag) + ": must be more than zero");
  return parsed;
}

// A switch given as on or off (CLI11 checks it on the command line; a ClientFlags filled in
// by code is checked here).
bool on_off_flag(std::string_view flag, const std::string& value) {
  if (value != "on" && value != "off") {
    throw std::invalid_argument(std::string(flag) + ": expected on or off, not '" + value + "'");
  }
  return value == "on";
}

// curl's rule: lower case first; upper case too, except HTTP_PROXY, which a CGI environment
// sets from a request's "Proxy:" header.
std::string environment_variable(const char* lower, const char* upper) {
  if (const char* value = std::getenv(lower); value && *value) return value;
  if (upper) {
    if (const char* value = std::getenv(upper); value && *value) return value;
  }
  return {};
}

}  // namespace

void ClientFlags::add_to(CLI::App& app) {
  app.add_option("--connect-timeout", connect_timeout, "Resolve + TCP connect limit, e.g. 2s, 500ms")
      ->capture_default_str()
      ->group("Client");
  app.add_option("--tls-timeout", tls_timeout, "TLS handshake limit")->capture_default_str()->group("Client");
  app.add_option("--first-byte-timeout", first_byte_timeout, "Request sent -> response header limit")
      ->capture_default_str()
      ->group("Client");
  app.add_option("--timeout", total_timeout, "Whole-fetch limit, redirects included")
      ->capture_default_str()
      ->group("Client");
  app.add_option("--body-limit", body_limit, "Largest body accepted, e.g. 10MiB (KiB = 1024 B, KB = 1000 B)")
      ->capture_default_str()
      ->group("Client");
  app.add_option("--max-redirects", max_redirects, "Redirects followed before giving up")
      ->capture_default_str()
      ->check(CLI::Range(0, 100))
      ->group("Client");
  app.add_option("--user-agent", user_agent, "User-Agent header")->capture_default_str()->group("Client");
  app.add_option("--cacert", cacert, "Trust this CA file instead of the system store")->group("Client");
  app.add_flag("--insecure", insecure, "Do not verify TLS certificates (prints a warning)")->group("Client");
  app.add_flag("--allow-https-downgrade", allow_https_downgrade,
               "Follow redirects from https to plain http (refused by default)")
      ->group("Client");
  app.add_option("--keep-alive", keep_alive, "on: reuse connections; off: one connection per URL")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}))
      ->group("Client");
  app.add_option("--tls-resume", tls_resume,
                 "on: a new connection to a host already met resumes its TLS session; off: full handshakes")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}))
      ->group("Client");
  app.add_option("--max-per-host", max_per_host, "Most fetches in flight to one host (0 = no limit)")
      ->capture_default_str()
      ->group("Client");
  app.add_option("--min-interval", min_interval, "Least time between two requests to one host, e.g. 200ms")
      ->capture_default_str()
      ->group("Client");
  app.add_option("--retries", retries, "Retry connect errors, timeouts, 429/502/503/504 this many times")
      ->capture_default_str()
      ->check(CLI::Range(0u, 20u))
      ->group("Client");
  app.add_option("--retry-base", retry_base, "First retry delay ceiling (doubles each retry, full jitter)")
      ->capture_default_str()
      ->group("Client");
  app.add_option("--proxy", proxy, "HTTP proxy http://HOST:PORT for http and https (CONNECT tunnel)")->group("Client");
  app.add_option("--no-proxy", no_proxy, "Comma-separated hosts (or .suffixes, or *) fetched without the proxy")
      ->group("Client");
  app.add_option("--connect-to", connect_to,
                 "HOST1:PORT1:HOST2:PORT2, as curl: connect there, keep the URL's host for Host/SNI/cert")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->group("Client");
}

FetchOptions ClientFlags::to_options() const {
  FetchOptions options;
  options.connect_timeout = duration_flag("--connect-timeout", connect_timeout);
  options.tls_timeout = duration_flag("--tls-timeout", tls_timeout);
  options.first_byte_timeout = duration_flag("--first-byte-timeout", first_byte_timeout);
  options.total_timeout = duration_flag("--timeout", total_timeout);
  options.body_limit = parse_size("--body-limit", body_limit);
  options.max_redirects = max_redirects;
  options.user_agent = user_agent;
  options.ca_file = cacert;
  options.verify_peer = !insecure;
  options.allow_https_downgrade = allow_https_downgrade;
  for (const auto& rule : connect_to) options.connect_to.push_back(ConnectTo::parse(rule));
  options.keep_alive = on_off_flag("--keep-alive", keep_alive);
  options.resume_tls_sessions = on_off_flag("--tls-resume", tls_resume);
  options.max_per_host = max_per_host;
  options.min_host_interval = parse_duration("--min-interval", min_interval);  // 0 allowed: no pacing
  options.retries = retries;
  options.retry_base = duration_flag("--retry-base", retry_base);
  if (!proxy.empty()) {
    options.http_proxy = options.https_proxy = proxy;
  } else if (proxy_from_environment) {
    options.http_proxy = environment_variable("http_proxy", nullptr);
    options.https_proxy = environment_variable("https_proxy", "HTTPS_PROXY");
  }
  options.no_proxy =
      !no_proxy.empty() || !proxy_from_environment ? no_proxy : environment_variable("no_proxy", "NO_PROXY");
  try {
    options.check_proxies();
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument((proxy.empty() ? "http_proxy/https_proxy: " : "--proxy: ") + std::string(error.what()));
  }
  return options;
}

std::vector<std::string> ClientFlags::to_arguments() const {
  std::vector<std::string> arguments = {
      "--connect-timeout",    connect_timeout,    "--tls-timeout",   tls_timeout,
      "--first-byte-timeout", first_byte_timeout, "--timeout",       total_timeout,
      "--body-limit",         body_limit,         "--max-redirects", std::to_string(max_redirects),
      "--user-agent",         user_agent};
  arguments.insert(arguments.end(), {"--keep-alive", keep_alive, "--tls-resume", tls_resume, "--max-per-host",
                                     std::to_string(max_per_host), "--min-interval", min_interval, "--retries",
                                     std::to_string(retries), "--retry-base", retry_base});
  if (!cacert.empty()) arguments.insert(arguments.end(), {"--cacert", cacert});
  if (insecure) arguments.emplace_back("--insecure");
  if (allow_https_downgrade) arguments.emplace_back("--allow-https-downgrade");
  for (const auto& rule : connect_to) arguments.insert(arguments.end(), {"--connect-to", rule});
  if (!proxy.empty()) arguments.insert(arguments.end(), {"--proxy", proxy});
  if (!no_proxy.empty()) arguments.insert(arguments.end(), {"--no-proxy", no_proxy});
  return arguments;
}

}  // namespace fetcher::cli
