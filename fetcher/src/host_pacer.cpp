// host_pacer.cpp: see host_pacer.hpp.
#include "host_pacer.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace fetcher::detail {

namespace asio = boost::asio;

asio::awaitable<bool> HostPacer::wait_turn(const std::string& host, clock_type::time_point deadline) {
  if (interval_.count() <= 0) co_return true;
  const auto now = clock_type::now();
  clock_type::time_point turn;
  {
    std::lock_guard lock(mutex_);
    auto& next = next_turn_[host];
    turn = std::max(now, next);
    next = turn + interval_;
  }
  if (turn > deadline) co_return false;
  if (turn > now) {
    asio::steady_timer wait(co_await asio::this_coro::executor, turn);
    boost::system::error_code ignored;  // cancelled with its loop: the fetch ends anyway
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return true;
}

}  // namespace fetcher::detail
