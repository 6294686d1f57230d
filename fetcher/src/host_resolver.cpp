// host_resolver.cpp: getaddrinfo on detached threads, results handed back to each waiting
// fetch's own event loop.
#include "host_resolver.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <system_error>
#include <thread>

#include <netdb.h>
#include <sys/socket.h>

namespace fetcher::detail {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// getaddrinfo's status as the error code Asio's own resolver reports for it; empty for a
// status without one.
std::error_code lookup_error_code(int status, int system_error) {
  switch (status) {
    case EAI_NONAME: return boost::system::error_code(asio::error::host_not_found);
    case EAI_AGAIN: return boost::system::error_code(asio::error::host_not_found_try_again);
    case EAI_FAIL: return boost::system::error_code(asio::error::no_recovery);
    case EAI_MEMORY: return make_error_code(std::errc::not_enough_memory);
    case EAI_SYSTEM: return {system_error, std::generic_category()};
    default: return {};
  }
}

// A fetch waiting for a lookup: the lookup thread wakes it by cancelling its timer, posted to
// the fetch's own executor so the timer is only ever touched from its loop.
struct Waiter {
  Waiter(const asio::any_io_executor& executor, std::chrono::steady_clock::time_point deadline)
      : wake(executor, deadline) {}
  asio::steady_timer wake;
};

}  // namespace

struct HostResolver::Lookup {
  std::mutex mutex;
  bool done = false;
  std::string error;
  std::error_code cause;
  std::vector<tcp::endpoint> endpoints;
  std::vector<std::weak_ptr<Waiter>> waiters;  // weak: a fetch torn down with its loop drops out

  // Runs on the lookup thread; touches nothing but this Lookup, which it keeps alive.
  void run(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* list = nullptr;
    const int status = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
    const int system_error = errno;  // EAI_SYSTEM's reason, before anything else sets errno
    std::vector<tcp::endpoint> found;
    for (auto* entry = list; status == 0 && entry; entry = entry->ai_next) {
      tcp::endpoint endpoint;
      if (entry->ai_addrlen <= endpoint.capacity()) {
        std::copy_n(reinterpret_cast<const char*>(entry->ai_addr), entry->ai_addrlen,
                    reinterpret_cast<char*>(endpoint.data()));
        endpoint.resize(entry->ai_addrlen);
        found.push_back(endpoint);
      }
    }
    if (list) freeaddrinfo(list);
    std::string failure;
    if (status != 0) {
      failure = status == EAI_SYSTEM ? std::generic_category().message(system_error) : gai_strerror(status);
    } else if (found.empty()) {
      failure = "no addresses";
    }
    finish(std::move(failure), std::move(found), lookup_error_code(status, system_error));
  }

  void finish(std::string failure, std::vector<tcp::endpoint> found, std::error_code failure_code = {}) {
    std::lock_guard lock(mutex);
    done = true;
    error = std::move(failure);
    cause = failure_code;
    endpoints = std::move(found);
    for (auto& entry : waiters) {
      if (auto waiter = entry.lock()) asio::post(waiter->wake.get_executor(), [waiter] { waiter->wake.cancel(); });
    }
    waiters.clear();
  }
};

asio::awaitable<HostResolver::Answer> HostResolver::resolve(const std::string& host, std::uint16_t port,
                                                            std::chrono::steady_clock::time_point deadline) {
  const auto key = host + ":" + std::to_string(port);
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor, deadline);
  std::shared_ptr<Lookup> lookup;
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    auto& slot = lookups_[key];
    if (slot) {
      bool failed = false;
      {
        std::lock_guard lookup_lock(slot->mutex);
        failed = slot->done && !slot->error.empty();
      }
      if (failed) slot.reset();  // failures are retried
    }
    if (!slot) {
      slot = std::make_shared<Lookup>();
      start = true;
    }
    lookup = slot;
  }
  {
    std::lock_guard lock(lookup->mutex);
    if (lookup->done) co_return Answer{false, lookup->error, lookup->cause, lookup->endpoints};
    lookup->waiters.push_back(waiter);
  }
  if (start) {
    try {
      std::thread([lookup, host, port] { lookup->run(host, port); }).detach();
    } catch (const std::system_error& error) {
      lookup->finish(std::string("cannot start a resolver thread: ") + error.what(), {}, error.code());
    }
  }
  boost::system::error_code woken;  // cancelled: the lookup finished; success: the deadline passed
  co_await waiter->wake.async_wait(asio::redirect_error(asio::use_awaitable, woken));
  std::lock_guard lock(lookup->mutex);
  if (lookup->done) co_return Answer{false, lookup->error, lookup->cause, lookup->endpoints};
  std::erase_if(lookup->waiters, [&](const std::weak_ptr<Waiter>& entry) { return entry.lock() == waiter; });
  co_return Answer{true, {}, {}, {}};
}

}  // namespace fetcher::detail
