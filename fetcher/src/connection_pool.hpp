// connection_pool.hpp: idle keep-alive connections, kept per event loop.
//
// A connection's socket belongs to one io_context, so the pool is an Asio service of that
// io_context: it dies with the loop, and nothing outlives the loop it was made on. Blocking
// fetches run on a private loop per thread, so sequential and pool workers each reuse their
// own connections; an async run shares one pool among all its fetches.
#pragma once

#include "one_fetch_loop.hpp"

#include <boost/asio/execution_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace fetcher::detail {

// One HTTP/1.1 connection, plain or TLS.
struct Connection {
  std::unique_ptr<boost::beast::tcp_stream> plain;                             // http
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure;  // https
  std::chrono::steady_clock::time_point idle_since;
  bool absolute_form = false;  // plain HTTP through a proxy: request lines carry the whole URL
  // Kept with the connection, so that a request over a kept-alive connection does not allocate
  // it again: the read buffer (empty between responses: only then is a connection reused). It
  // is allocated when the first request is out, and the body streams out of it (no copy).
  boost::beast::flat_buffer buffer;

  boost::beast::tcp_stream& lowest() { return secure ? boost::beast::get_lowest_layer(*secure) : *plain; }
};

class ConnectionPool : public boost::asio::execution_context::service {
 public:
  static inline boost::asio::execution_context::id id;
  explicit ConnectionPool(boost::asio::execution_context& context)
      : service(context), one_fetch_at_a_time_(is_one_fetch_loop(context)) {}

  // Whether this pool's loop was marked as running one fetch at a time (one_fetch_loop.hpp)
  // before its first fetch; looked up here once, not per request.
  bool one_fetch_at_a_time() const { return one_fetch_at_a_time_; }

  // The most recently used idle connection for `key` that has not been idle longer than
  // `idle_timeout` and (plain HTTP, idle for a millisecond or more) has no unread bytes
  // waiting, or null. Those found on the way that fail either test are closed.
  std::unique_ptr<Connection> take(const std::string& pool_key, std::chrono::milliseconds idle_timeout);
  // Keeps `connection` for reuse unless `key` already has `max_idle` idle ones. Now and then
  // (at most once per `idle_timeout`) closes every connection idle longer than that, for all
  // keys: a crawl moves on from its hosts, and their idle connections must not stay until the
  // client goes.
  void give_back(const std::string& pool_key, std::unique_ptr<Connection> connection, unsigned max_idle,
                 std::chrono::milliseconds idle_timeout);

 private:
  void shutdown() override;

  const bool one_fetch_at_a_time_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
  std::chrono::steady_clock::time_point last_sweep_ = std::chrono::steady_clock::now();
};

}  // namespace fetcher::detail
