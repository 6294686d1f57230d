// host_pacer.hpp: politeness in time: at least a minimum interval between the starts of two
// requests to one host, across every thread and event loop that use one client.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace fetcher::detail {

class HostPacer {
 public:
  using clock_type = std::chrono::steady_clock;

  explicit HostPacer(std::chrono::milliseconds interval) : interval_(interval) {}

  // Waits for this request's turn at `host`. Turns are handed out in call order, each
  // `interval` after the previous one, so waiters never race for the same instant. False when
  // the turn falls after `deadline` (the request would time out waiting); the turn is then
  // still spent, which only makes later requests to that host more polite.
  boost::asio::awaitable<bool> wait_turn(const std::string& host, clock_type::time_point deadline);

 private:
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::map<std::string, clock_type::time_point> next_turn_;
};

}  // namespace fetcher::detail
