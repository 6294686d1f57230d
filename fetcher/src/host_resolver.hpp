// host_resolver.hpp: name resolution that a deadline really interrupts, cached per Client.
//
// Asio's resolver runs getaddrinfo on one background thread per event loop, and cancelling it
// does not stop a lookup already running: a slow DNS server would hold a fetch past its
// connect timeout and serialise every lookup of an async run. Here each lookup runs on a
// detached thread of its own; the waiting fetches give up at their deadline while the lookup
// finishes in the background. Successful answers are kept for the client's lifetime, and
// concurrent fetches for the same host share one lookup. Failures are not cached.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

namespace fetcher::detail {

class HostResolver {
 public:
  struct Answer {
    bool timed_out = false;
    std::string error;      // empty on success
    std::error_code cause;  // getaddrinfo's failure as an error code, when it maps to one
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  };

  boost::asio::awaitable<Answer> resolve(const std::string& host, std::uint16_t port,
                                         std::chrono::steady_clock::time_point deadline);

 private:
  struct Lookup;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Lookup>> lookups_;  // by "host:port"
};

}  // namespace fetcher::detail
