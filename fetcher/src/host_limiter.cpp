// host_limiter.cpp: see host_limiter.hpp. A released slot passes straight to the first waiter,
// woken on its own executor, so the count never goes above the limit, even for an instant.
#include "host_limiter.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace fetcher::detail {

namespace asio = boost::asio;

struct HostLimiter::Waiter {
  Waiter(const asio::any_io_executor& executor, std::chrono::steady_clock::time_point deadline)
      : wake(executor, deadline) {}
  asio::steady_timer wake;
  bool granted = false;
};

asio::awaitable<std::optional<HostLimiter::Slot>> HostLimiter::acquire(const std::string& host,
                                                                       std::chrono::steady_clock::time_point deadline) {
  if (limit_ == 0) co_return std::optional<Slot>(std::in_place);
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor, deadline);
  {
    std::lock_guard lock(mutex_);
    auto& state = hosts_[host];
    if (state.busy < limit_) {
      ++state.busy;
      co_return std::optional<Slot>(std::in_place, this, host);
    }
    state.waiting.push_back(waiter);
  }
  boost::system::error_code woken;
  co_await waiter->wake.async_wait(asio::redirect_error(asio::use_awaitable, woken));
  std::lock_guard lock(mutex_);
  if (waiter->granted) co_return std::optional<Slot>(std::in_place, this, host);
  auto& waiting = hosts_[host].waiting;
  waiting.erase(std::remove_if(waiting.begin(), waiting.end(),
                               [&](const std::weak_ptr<Waiter>& entry) { return entry.lock() == waiter; }),
                waiting.end());
  co_return std::nullopt;
}

void HostLimiter::release(const std::string& host) {
  std::lock_guard lock(mutex_);
  auto& state = hosts_[host];
  while (!state.waiting.empty()) {
    auto waiter = state.waiting.front().lock();
    state.waiting.pop_front();
    if (!waiter) continue;  // gone with its loop
    waiter->granted = true;
    asio::post(waiter->wake.get_executor(), [waiter] { waiter->wake.cancel(); });
    return;
  }
  --state.busy;
}

}  // namespace fetcher::detail
