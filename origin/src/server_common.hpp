// server_common.hpp: what the server's files share: Asio's names, the limits, the model's clock,
// and the writes that both a site's answer and a fault use.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

namespace fetcher::origin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

using ServiceClock = std::chrono::steady_clock;
using Request = http::request<http::string_body>;

inline constexpr std::string_view server_name = "fetcher-origin";
inline constexpr auto write_timeout = std::chrono::seconds(60);
// Faults that stall or stream forever stop after this long, or once the client has gone.
inline constexpr auto fault_time_limit = std::chrono::seconds(60);

// Completion handler for co_spawn: a coroutine that throws only ends its own connection.
inline auto log_failure(const char* what) {
  return [what](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& exception) {
      spdlog::debug("origin: {} ended with an exception: {}", what, exception.what());
    } catch (...) {
      spdlog::debug("origin: {} ended with an unknown exception", what);
    }
  };
}

// The key of a site's path, for the repeat counters and the body cache.
inline std::string path_key(std::size_t site_index, const std::string& path) {
  return std::to_string(site_index) + '\n' + path;
}

// Plain HTTP first writes what the socket takes at once: a page usually fits its send buffer
// whole, and then the answer goes out with no write timer armed (a timerfd_settime before the
// first byte) and no asynchronous write. What does not fit goes the asynchronous way, timed.
// `at_once`, when given, says whether the answer went out in that first synchronous write.
template <typename Stream, typename Response>
asio::awaitable<bool> write_response(Stream& stream, Response& response, bool* at_once = nullptr) {
  http::serializer<false, typename Response::body_type, typename Response::fields_type> serializer(response);
  error_code error;
  if (at_once != nullptr) *at_once = false;
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    // serve_plain made the socket non-blocking: a synchronous write never waits here.
    if (auto& socket = stream.socket(); socket.non_blocking()) {
      http::write(socket, serializer, error);
      if (!error) {
        if (at_once != nullptr) *at_once = true;
        co_return true;
      }
      if (error != asio::error::would_block) {
        spdlog::debug("origin: write failed: {}", error.message());
        co_return false;
      }
      error = {};
    }
  }
  beast::get_lowest_layer(stream).expires_after(write_timeout);
  co_await http::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, error));
  if (error) {
    spdlog::debug("origin: write failed: {}", error.message());
    co_return false;
  }
  co_return true;
}

// Reads (and drops) whatever the client sends until it goes away, at most fault_time_limit.
template <typename Stream>
asio::awaitable<void> hold_until_client_leaves(Stream& stream) {
  beast::get_lowest_layer(stream).expires_after(fault_time_limit);
  char sink[4096];
  for (int reads = 0; reads < 100'000; ++reads) {
    error_code error;
    co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
  }
}

}  // namespace fetcher::origin
