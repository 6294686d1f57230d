// client.cpp: the one HTTP/1.1 client. Every strategy's fetches run through Impl::fetch below:
//   fetch       redirects (redirects.hpp) and retries (retry_policy.hpp), under the total deadline
//   attempt     one request: per-host slot, connection (pooled, or new from connector.hpp), exchange
//   exchange    write the request, read the header and the body (http_exchange.hpp)
#include <fetcher/client.hpp>
#include <fetcher/url.hpp>

#include "connection_pool.hpp"
#include "connector.hpp"
#include "fetch_failure.hpp"
#include "host_limiter.hpp"
#include "host_pacer.hpp"
#include "http_exchange.hpp"
#include "one_fetch_loop.hpp"
#include "redirects.hpp"
#include "retry_policy.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace fetcher {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using detail::clock_type;
using detail::Connection;
using detail::Exchange;
using detail::Failure;
using detail::Outgoing;

// A load run fetches one URL again and again: the last URL's parts are kept per thread, so it
// is parsed once, not per request. A list, where each URL comes once, pays a comparison.
bool split_url_again(const std::string& text, UrlParts& parts, std::string& error) {
  thread_local std::string last_url;
  thread_local UrlParts last_parts;
  if (!last_url.empty() && text == last_url) {
    parts = last_parts;
    return true;
  }
  if (!split_url(text, parts, error)) return false;
  last_url = text;
  last_parts = parts;
  return true;
}

// Whether the caller cancelled this fetch (its cancellation slot was emitted).
asio::awaitable<bool> cancelled() {
  co_return (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
}

// What the request's body mode means under these options (never client_default), and how many
// decoded body bytes it accepts.
BodyMode body_mode_for(const FetchRequest& request, const FetchOptions& options) {
  if (request.body_mode != BodyMode::client_default) return request.body_mode;
  return options.keep_body ? BodyMode::keep : BodyMode::discard;
}
std::uint64_t body_limit_for(const FetchRequest& request, BodyMode body_mode, const FetchOptions& options) {
  return body_mode == BodyMode::keep && request.keep_limit != 0 ? std::min(request.keep_limit, options.body_limit)
                                                                : options.body_limit;
}

// Clears what one hop left in `result`, before the next one (a retry, or a new connection).
void reset_for_hop(FetchResult& result) {
  result.status = 0;
  result.body_bytes = 0;
  result.wire_bytes = 0;
  result.body_sha256.clear();
  result.body.clear();
  result.headers.clear();
  result.warning.clear();
  result.body_skipped = false;
  result.timings = {};
}

}  // namespace

struct Client::Impl {
  FetchOptions options;
  detail::Connector connector{options};
  detail::HttpExchange http{options};
  detail::HostLimiter host_limiter;
  detail::HostPacer host_pacer;
  // Pooled connections are tagged with their client: one with other TLS settings never reuses them.
  const std::string pool_tag;
  // The proxy settings, parsed (validate); nullopt: none.
  std::optional<FetchOptions::Endpoint> http_proxy;
  std::optional<FetchOptions::Endpoint> https_proxy;

  static std::string next_pool_tag() {
    static std::atomic<std::uint64_t> clients{0};
    return "client" + std::to_string(++clients) + "|";
  }

  explicit Impl(FetchOptions o)
      : options(std::move(o)), host_limiter(options.max_per_host), host_pacer(options.min_host_interval),
        pool_tag(next_pool_tag()) {}

  // Settings that cannot work are start-up errors, not a failure per URL.
  void validate() {
    try {
      options.check_proxies();
      // Parsed here once, not per attempt; no_proxy is applied per URL (attempt).
      auto everywhere = options;
      everywhere.no_proxy.clear();
      http_proxy = everywhere.proxy_for(false, "");
      https_proxy = everywhere.proxy_for(true, "");
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(error.what());
    }
  }

  // The pool's key for connections to `url` by `route` (through a proxy or not), built in one
  // allocation: a chain of + would allocate once per step it outgrows.
  std::string pool_key(const UrlParts& url, const FetchOptions::Endpoint& route, bool via_proxy) const {
    std::string key;
    key.reserve(pool_tag.size() + url.host.size() + route.host.size() + 40);
    ((key += pool_tag) += url.tls ? "https://" : "http://") += url.host;
    ((key += ':') += std::to_string(url.port)) += via_proxy ? "|proxy " : "|";
    ((key += route.host) += ':') += std::to_string(route.port);
    return key;
  }

  // One request to one URL over a pooled or a new connection; a pooled connection that turns
  // out dead before any response byte is replaced once by a new one (the stale-connection rule).
  asio::awaitable<Exchange> attempt(const UrlParts& url, const Outgoing& outgoing,
                                    clock_type::time_point total_deadline, FetchResult& result) {
    auto executor = co_await asio::this_coro::executor;
    auto& pool = asio::use_service<detail::ConnectionPool>(asio::query(executor, asio::execution::context));
    const auto& configured_proxy = url.tls ? https_proxy : http_proxy;
    const auto proxy = configured_proxy && !options.bypasses_proxy(url.host) ? configured_proxy : std::nullopt;
    const auto route = proxy ? *proxy : options.route(url.host, url.port);
    const auto key = pool_key(url, route, proxy.has_value());
    for (bool allow_pooled = options.keep_alive;;) {
      const auto hop_start = clock_type::now();
      reset_for_hop(result);
      auto connection = allow_pooled ? pool.take(key, options.idle_timeout) : nullptr;
      result.reused_connection = connection != nullptr;
      if (!connection) {
        connection = std::make_unique<Connection>();
        if (auto failure =
                co_await connector.open(*connection, url, route, proxy.has_value(), hop_start, total_deadline, result);
            failure.kind != ErrorKind::none) {
          co_return Exchange{std::move(failure), {}, std::chrono::milliseconds(-1), false, false};
        }
      }
      // Two statements, not a conditional expression: GCC 12 destroys the temporaries of a
      // co_await inside ?: twice.
      Exchange outcome;
      if (connection->secure) {
        outcome = co_await http.exchange(*connection->secure, url, false, pool.one_fetch_at_a_time(), outgoing,
                                         hop_start, total_deadline, result, connection->buffer);
      } else {
        outcome = co_await http.exchange(*connection->plain, url, connection->absolute_form, pool.one_fetch_at_a_time(),
                                         outgoing, hop_start, total_deadline, result, connection->buffer);
      }
      if (result.reused_connection && outcome.nothing_received) {
        allow_pooled = false;  // the server closed it while idle; one more try, on a new one
        continue;
      }
      if (outcome.reusable) {
        // A pooled connection keeps the buffer a large body grew (64 KB at most, 32 idle
        // connections per host): freeing it here and allocating it again on the next request
        // cost a heap trim and fresh pages per request. Only what a huge header grew goes.
        if (connection->buffer.capacity() > detail::read_buffer_large) connection->buffer.shrink_to_fit();
        pool.give_back(key, std::move(connection), options.max_idle_per_host, options.idle_timeout);
      }
      co_return outcome;
    }
  }

  // One hop's attempts: the first, and retries of what is worth retrying (idempotent methods
  // only: a POST is sent once, whatever comes back), each after its backoff.
  asio::awaitable<Exchange> attempts(const UrlParts& url, const FetchRequest& request, BodyMode body_mode,
                                     std::uint64_t body_limit, clock_type::time_point total_deadline,
                                     FetchResult& result) {
    Exchange hop;
    for (unsigned retry = 0;; ++retry) {
      bool our_turn = true;
      if (options.min_host_interval.count() > 0) our_turn = co_await host_pacer.wait_turn(url.host, total_deadline);
      if (!our_turn) {
        hop.failure = {ErrorKind::timeout,
                       "waiting " + detail::format_duration(options.min_host_interval) + " between requests to " +
                           url.host + ": total timeout of " + detail::format_duration(options.total_timeout) +
                           " exceeded",
                       FetchStage::policy,
                       {}};
        co_return hop;
      }
      ++result.attempts;
      const bool may_retry = retry < options.retries && is_idempotent(request.method);
      const Outgoing outgoing{request, body_mode, body_limit, may_retry};
      hop = co_await attempt(url, outgoing, total_deadline, result);
      if (!may_retry || !detail::worth_retrying(hop.failure, result.status)) co_return hop;
      // A cancelled fetch neither waits its backoff out nor tries again.
      if (co_await cancelled()) break;
      const auto delay = detail::backoff(options, retry, hop.retry_after);
      if (clock_type::now() + delay >= total_deadline) co_return hop;
      asio::steady_timer pause(co_await asio::this_coro::executor, delay);
      error_code ignored;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (co_await cancelled()) break;
    }
    // In the stage the last attempt failed in; after a retryable status, in the backoff's wait.
    const auto stage = hop.failure.stage == FetchStage::none ? FetchStage::policy : hop.failure.stage;
    hop.failure = detail::cancelled_failure(stage);
    co_return hop;
  }

  // Waits for a connection slot to `host` when the client limits them; false when the wait
  // would pass the total deadline. `slot` holds the slot until the hop is done.
  asio::awaitable<bool> take_host_slot(const std::string& host, clock_type::time_point total_deadline,
                                       std::optional<detail::HostLimiter::Slot>& slot) {
    if (options.max_per_host == 0) co_return true;
    auto acquired = co_await host_limiter.acquire(host, total_deadline);
    if (!acquired) co_return false;
    slot.reset();
    slot.emplace(std::move(*acquired));
    co_return true;
  }

  // The hops of one fetch: each URL's attempts, then its redirect followed or the fetch ended.
  asio::awaitable<Failure> hops(FetchRequest& request, clock_type::time_point total_deadline, FetchResult& result) {
    const auto body_mode = body_mode_for(request, options);
    const auto body_limit = body_limit_for(request, body_mode, options);
    std::vector<std::string> visited;
    for (;;) {
      UrlParts url;
      std::string problem;
      if (!split_url_again(result.final_url, url, problem)) {
        // The first URL is the request's; a later one is where a redirect pointed.
        co_return Failure{
            ErrorKind::bad_url, std::move(problem), visited.empty() ? FetchStage::request : FetchStage::redirect, {}};
      }
      // Without a per-host limit or interval, no coroutine is started to say "go ahead".
      std::optional<detail::HostLimiter::Slot> slot(std::in_place);  // empty: releases nothing
      if (!co_await take_host_slot(url.host, total_deadline, slot)) {
        co_return Failure{ErrorKind::timeout,
                          "waiting for a connection slot to " + url.host + ": total timeout of " +
                              detail::format_duration(options.total_timeout) + " exceeded",
                          FetchStage::policy,
                          {}};
      }
      auto hop = co_await attempts(url, request, body_mode, body_limit, total_deadline, result);
      if (hop.failure.kind != ErrorKind::none) co_return std::move(hop.failure);
      if (hop.location.empty()) {
        // A delivered response: no stage failed, whatever its status.
        if (result.status < 400) co_return Failure{};
        co_return Failure{ErrorKind::http_status,
                          "HTTP " + std::to_string(result.status) + " from " + result.final_url,
                          FetchStage::none,
                          {}};
      }
      if (co_await cancelled()) co_return detail::cancelled_failure(FetchStage::redirect);
      if (auto refused = detail::follow_redirect(options, url, hop.location, visited, result);
          refused.kind != ErrorKind::none) {
        co_return refused;
      }
      detail::rewrite_for_redirect(request, result.status);
    }
  }

  asio::awaitable<FetchResult> fetch(FetchRequest request, std::size_t index) {
    const auto start = clock_type::now();
    FetchResult result;
    result.index = index;
    result.url = std::move(request.url);
    result.source = std::move(request.source);
    result.final_url = result.url;
    Failure failure;
    if (!request.error.empty()) {
      failure = {ErrorKind::bad_url, std::move(request.error), FetchStage::request, {}};
    } else if (auto problem = check_request(request); !problem.empty()) {
      failure = {ErrorKind::bad_request, std::move(problem), FetchStage::request, {}};
    } else {
      failure = co_await hops(request, start + options.total_timeout, result);
      result.timings.total = clock_type::now() - start;
    }
    if (failure.kind != ErrorKind::none) {
      result.error = failure.kind;
      result.stage = failure.stage;
      result.cause = failure.cause;
      result.message = result.source.empty() ? std::move(failure.message) : result.source + ": " + failure.message;
    }
    co_return result;
  }
};

Client::Client(FetchOptions options) : impl_(std::make_shared<Impl>(std::move(options))) { impl_->validate(); }
Client::~Client() = default;

const FetchOptions& Client::options() const { return impl_->options; }

std::string Client::request_head(const FetchRequest& request) const {
  UrlParts url;
  std::string problem;
  if (!split_url(request.url, url, problem)) return {};
  auto bytes = impl_->http.request_bytes(url, false, request);
  bytes.resize(bytes.size() - request.body.size());
  return bytes;
}

Client::Counters Client::counters() const {
  const auto& connector = impl_->connector;
  return {connector.connections_opened(), connector.tls_handshakes(), connector.tls_resumed()};
}

namespace {

// A fetch that ended in an exception: a bug, or memory the machine refused, never a URL's fault.
FetchResult internal_failure_result(std::exception_ptr error, std::string url, std::string source) {
  FetchResult result;
  result.url = std::move(url);
  result.final_url = result.url;
  result.source = std::move(source);
  try {
    std::rethrow_exception(error);
  } catch (const std::bad_alloc&) {
    result.error = ErrorKind::resource;
    result.message = "out of memory";
  } catch (const std::exception& e) {
    result.error = ErrorKind::internal;
    result.message = std::string("internal error: ") + e.what();
  } catch (...) {
    result.error = ErrorKind::internal;
    result.message = "internal error";
  }
  if (!result.source.empty()) result.message = result.source + ": " + result.message;
  return result;
}

}  // namespace

// The fetch's coroutine. It owns its arguments (moved into its frame by the plain functions
// that start it) and a reference to the client's state, which may outlive the Client object.
// A per-operation cancellation (the caller's cancellation slot: a bound slot, `||` of awaitable
// operators) aborts the stage in progress, and the fetch tries no more retries or redirects; a
// fetch that then ends without its whole response says `cancelled`, whatever error the aborted
// stage reported.
asio::awaitable<FetchResult> Client::fetch_holding(std::shared_ptr<Impl> impl, FetchRequest request,
                                                   std::size_t index) {
  // The flag belongs to the awaiting coroutine's chain: set for the fetch, then put back.
  const bool throws_if_cancelled = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  auto result = co_await impl->fetch(std::move(request), index);
  const auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none && !result.delivered()) {
    // The stage stays the one the cancellation aborted; the cause is the cancellation.
    const auto ended = detail::cancelled_failure(result.stage);
    result.error = ended.kind;
    result.cause = ended.cause;
    result.message = (result.source.empty() ? "" : result.source + ": ") + ended.message;
  }
  co_await asio::this_coro::throw_if_cancelled(throws_if_cancelled);
  co_return result;
}

asio::awaitable<FetchResult> Client::async_fetch(FetchRequest request, std::size_t index) {
  return fetch_holding(impl_, std::move(request), index);
}

void Client::start_fetch(std::shared_ptr<Impl> impl, asio::any_io_executor executor, FetchRequest request,
                         FetchHandler handler) {
  // Kept for the failure result: the request itself moves into the coroutine.
  auto url = request.url;
  auto source = request.source;
  // The caller's cancellation slot reaches the fetch's coroutine through co_spawn.
  const auto slot = asio::get_associated_cancellation_slot(handler);
  asio::co_spawn(executor, fetch_holding(std::move(impl), std::move(request), 0),
                 asio::bind_cancellation_slot(
                     slot, [executor, handler = std::move(handler), url = std::move(url), source = std::move(source)](
                               std::exception_ptr error, FetchResult result) mutable {
                       if (error) result = internal_failure_result(error, url, source);
                       const auto handler_executor = asio::get_associated_executor(handler, executor);
                       asio::dispatch(handler_executor,
                                      [handler = std::move(handler), result = std::move(result)]() mutable {
                                        std::move(handler)(std::move(result));
                                      });
                     }));
}

FetchResult Client::fetch(const FetchRequest& request, std::size_t index) {
  // One private event loop per calling thread, reused by every blocking fetch on it (and so
  // are its kept-alive connections). It costs the thread three descriptors (epoll, eventfd,
  // timerfd) for as long as the thread lives.
  thread_local asio::io_context loop(1);
  thread_local const bool marked = (detail::mark_one_fetch_loop(loop), true);  // before its pool is made
  (void)marked;
  std::optional<FetchResult> result;
  std::exception_ptr failure;
  asio::co_spawn(loop, async_fetch(request, index), [&](std::exception_ptr error, FetchResult value) {
    if (error)
      failure = error;
    else
      result = std::move(value);
  });
  loop.restart();
  // Run until this fetch is done, not until the loop is idle: work left by an earlier fetch
  // (a DNS answer nobody waits for any more) must not hold this one up.
  while (!result && !failure) loop.run_one();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace fetcher
