// host_limiter.hpp: at most N fetches in flight per host, across every thread and event loop
// that use one client. Slots are granted first come, first served.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace fetcher::detail {

class HostLimiter {
 public:
  explicit HostLimiter(unsigned limit) : limit_(limit) {}

  // Releases its slot when destroyed (a default-constructed Slot holds none).
  class Slot {
   public:
    Slot() = default;
    Slot(HostLimiter* limiter, std::string host) : limiter_(limiter), host_(std::move(host)) {}
    Slot(Slot&& other) noexcept : limiter_(std::exchange(other.limiter_, nullptr)), host_(std::move(other.host_)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (limiter_) limiter_->release(host_);
    }

   private:
    HostLimiter* limiter_ = nullptr;
    std::string host_;
  };

  // Waits for a slot for `host` until `deadline` (nullopt: the deadline came first). With no
  // limit, returns at once.
  boost::asio::awaitable<std::optional<Slot>> acquire(const std::string& host,
                                                      std::chrono::steady_clock::time_point deadline);

 private:
  struct Waiter;
  struct Host {
    unsigned busy = 0;
    // Weak: a fetch destroyed while it waits (its loop torn down by a stop) drops out by itself.
    std::deque<std::weak_ptr<Waiter>> waiting;
  };
  void release(const std::string& host);

  unsigned limit_;
  std::mutex mutex_;
  std::map<std::string, Host> hosts_;
};

}  // namespace fetcher::detail
