// client_flags.hpp: the command-line flags that become FetchOptions, shared by `bench`, `get`
// and the bench's measured child processes.
#pragma once

#include <fetcher/fetch_options.hpp>

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace fetcher::cli {

struct ClientFlags {
  std::string connect_timeout = "5s";
  std::string tls_timeout = "5s";
  std::string first_byte_timeout = "10s";
  std::string total_timeout = "30s";
  std::string body_limit = "64MiB";
  int max_redirects = 10;
  std::string user_agent = "fetcher/0.1";
  std::string cacert;
  bool insecure = false;
  bool allow_https_downgrade = false;
  std::vector<std::string> connect_to;
  std::string keep_alive = "on";
  std::string tls_resume = "on";
  unsigned max_per_host = 0;
  std::string min_interval = "0ms";
  unsigned retries = 0;
  std::string retry_base = "100ms";
  std::string proxy;     // http://HOST:PORT for http and https; empty: none (or the environment's)
  std::string no_proxy;  // hosts fetched directly, as in the no_proxy variable

  // `get` takes http_proxy, https_proxy and no_proxy from the environment when --proxy and
  // --no-proxy are not given, as curl does; `bench` does not: its origin is local, and a
  // proxy a shell happens to export would measure the proxy.
  bool proxy_from_environment = false;

  void add_to(CLI::App& app);
  // Throws std::invalid_argument naming the flag and the bad value.
  FetchOptions to_options() const;
  // The same flags as arguments, to hand to a child process.
  std::vector<std::string> to_arguments() const;
};

}  // namespace fetcher::cli
