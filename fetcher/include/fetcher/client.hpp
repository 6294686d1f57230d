// client.hpp: the one HTTP/1.1 client every strategy fetches through.
//
// A fetch is one coroutine that reads top to bottom: route (--connect-to), resolve, connect,
// TLS handshake with SNI and host-name verification, write the request, read the header,
// stream the body through SHA-256 (kept, or handed to the caller's handler), follow redirects;
// each stage under its own deadline and all of them under the total one. Strategies differ
// only in who runs these coroutines, and when.
#pragma once

#include <fetcher/fetch_options.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/fetch_request.hpp>
#include <fetcher/url_list.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace fetcher {

class Client {
 public:
  // Builds the TLS context (trust store or options.ca_file). Throws std::runtime_error when
  // the CA file cannot be loaded: that is a start-up failure, not a per-URL one.
  explicit Client(FetchOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const FetchOptions& options() const;

  // Counters over the client's lifetime, for reports: connections opened (TCP connects that
  // succeeded), TLS handshakes completed, and how many of those resumed an earlier session.
  struct Counters {
    std::uint64_t connections_opened = 0;
    std::uint64_t tls_handshakes = 0;
    std::uint64_t tls_resumed = 0;
  };
  Counters counters() const;

  // Fetches on the executor of the awaiting coroutine: `co_await client.async_fetch(request)`.
  // Never throws for per-URL failures: they come back as FetchResult::error. Safe to call from
  // many threads at once. A plain function, not a coroutine: it moves the request into the
  // fetch's own coroutine frame, so the awaiting coroutine holds no copy of it.
  boost::asio::awaitable<FetchResult> async_fetch(FetchRequest request, std::size_t index = 0);

  // The same fetch with any Asio completion token: a callback `void(FetchResult)`,
  // `asio::use_future`, `asio::deferred`, `asio::use_awaitable`. The fetch runs on `executor`
  // (an io_context's or a strand's); the handler runs on its own associated executor, or on
  // `executor` when it has none. An unexpected exception inside the fetch completes it as
  // ErrorKind::internal; the handler is always called exactly once.
  template <class CompletionToken>
  auto async_fetch(boost::asio::any_io_executor executor, FetchRequest request, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(FetchResult)>(
        [impl = impl_](auto handler, boost::asio::any_io_executor on, FetchRequest what) {
          start_fetch(impl, std::move(on), std::move(what), FetchHandler(std::move(handler)));
        },
        token, std::move(executor), std::move(request));
  }

  // Blocking fetch: does not return until the result is complete. It drives a private event
  // loop (one per calling thread) through the same coroutine as async_fetch.
  FetchResult fetch(const FetchRequest& request, std::size_t index = 0);

  // The request line and header fields this client sends for `request` on a direct connection,
  // ending in the empty line (no body): for archives such as WARC that store what was sent.
  // Empty when the URL does not split (check_url).
  std::string request_head(const FetchRequest& request) const;

 private:
  struct Impl;
  using FetchHandler = boost::asio::any_completion_handler<void(FetchResult)>;
  static boost::asio::awaitable<FetchResult> fetch_holding(std::shared_ptr<Impl> impl, FetchRequest request,
                                                           std::size_t index);
  static void start_fetch(std::shared_ptr<Impl> impl, boost::asio::any_io_executor executor, FetchRequest request,
                          FetchHandler handler);

  std::shared_ptr<Impl> impl_;
};

}  // namespace fetcher
