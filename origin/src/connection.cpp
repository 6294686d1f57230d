// connection.cpp: one connection's serve loop (plain, TLS, and the tls-stall fault's), and the
// answer to each request: the host's capacity slot, the modelled latency, then the site's
// failure, redirect, body or fault.
#include "faults.hpp"
#include "server_impl.hpp"

#include <fetcher/origin/site_graph.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace fetcher::origin {
namespace {

constexpr std::size_t request_body_limit = 1 << 20;
// Generous: these only reclaim connections from clients that vanished without closing.
constexpr auto idle_timeout = std::chrono::seconds(120);
constexpr auto handshake_timeout = std::chrono::seconds(30);
constexpr auto tls_shutdown_timeout = std::chrono::seconds(1);

std::string_view host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  return host.substr(0, host.find(':'));
}

// "%70" in a path is "p" (RFC 3986 6.2.2.2): escapes of unreserved characters are decoded in the
// path, as web servers do before they map it, so "/%70age/3" is the page "/page/3". Other
// escapes and the query stay as sent.
std::string decode_unreserved_in_path(std::string_view target) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const auto query = std::min(target.find('?'), target.size());
  std::string path;
  path.reserve(target.size());
  for (std::size_t i = 0; i < query; ++i) {
    if (target[i] == '%' && i + 2 < query && hex(target[i + 1]) >= 0 && hex(target[i + 2]) >= 0) {
      const char decoded = static_cast<char>(hex(target[i + 1]) * 16 + hex(target[i + 2]));
      if (std::isalnum(static_cast<unsigned char>(decoded)) || decoded == '-' || decoded == '.' || decoded == '_' ||
          decoded == '~') {
        path += decoded;
        i += 2;
        continue;
      }
    }
    path += target[i];
  }
  path += target.substr(query);
  return path;
}

// The path and query the model keys on; an absolute-form target (as proxies send) is reduced
// to its path so it meets the same site, counters and body.
std::string request_path(std::string_view target) {
  if (!target.empty() && target.front() != '/') {
    if (const auto url = boost::urls::parse_absolute_uri(target)) target = url->encoded_target();
  }
  if (target.empty()) return "/";
  if (target.find('%') == std::string_view::npos) return std::string(target);
  return decode_unreserved_in_path(target);
}

// True when an Accept-Encoding header lists gzip (without q=0; good enough for a test origin).
bool accepts_gzip(std::string_view accept_encoding) {
  std::string lower;
  for (char c : accept_encoding) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find("gzip");
  return at != std::string::npos && lower.find("q=0", at) != at + 5 && lower.find("q=0", at) != at + 6;
}

// Writes a site's answer and says when it went out, for dating the connection's next request:
// when the write began if it went out at once (the end of that system call comes later than
// the client's next request often enough to bill it microseconds), else when the asynchronous
// write ended (so a pipelined request never starts its latency during a long transfer).
template <typename Stream, typename Response>
asio::awaitable<bool> write_answer(Stream& stream, Response& response,
                                   std::optional<ServiceClock::time_point>& answer_sent) {
  const auto began = ServiceClock::now();
  bool at_once = false;
  const bool written = co_await write_response(stream, response, &at_once);
  answer_sent = at_once ? began : ServiceClock::now();
  co_return written;
}

template <typename Stream>
asio::awaitable<bool> write_text(Stream& stream, const Request& request, http::status status, std::string text) {
  http::response<http::string_body> response{status, request.version()};
  response.set(http::field::server, server_name);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(text);
  response.prepare_payload();
  const bool written = co_await write_response(stream, response);
  co_return written&& request.keep_alive();
}

// True once the socket has something to read (or has ended or failed: the read that follows
// says which); false when `timeout` passes first.
asio::awaitable<bool> wait_readable(tcp::socket& socket, std::chrono::steady_clock::duration timeout) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(socket.get_executor(), timeout);
  const auto token = asio::as_tuple(asio::use_awaitable);
  const auto first = co_await (socket.async_wait(tcp::socket::wait_read, token) || timer.async_wait(token));
  co_return first.index() == 0;
}

// What a look at a connection's next unread byte found.
struct Arrival {
  bool ready = false;                          // a byte, an end or an error is there: a read will not wait
  bool ended = false;                          // the client closed its side with nothing left to read
  std::optional<ServiceClock::time_point> at;  // when the kernel queued that byte, if it said
};

// Peeks one byte (reads nothing) for its receive stamp, which is wall-clock time, and puts it
// on the model's clock.
Arrival peek_arrival(tcp::socket& socket) {
  char byte = 0;
  iovec vector{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) * 2];
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const auto peeked = ::recvmsg(socket.native_handle(), &message, MSG_PEEK | MSG_DONTWAIT);
  if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return {};
  if (peeked == 0) return {true, true, std::nullopt};
  if (peeked < 0) return {true, false, std::nullopt};
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec stamp{};
    std::memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
    const auto stamped =
        std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec)));
    const auto now = ServiceClock::now();
    const auto age = std::chrono::system_clock::now() - stamped;
    // A wall clock stepped between the two readings gives nonsense: then the parse counts.
    if (age < std::chrono::seconds(0) || age > std::chrono::seconds(1)) return {true, false, std::nullopt};
    return {true, false, now - std::chrono::duration_cast<ServiceClock::duration>(age)};
  }
  return {true, false, std::nullopt};
}

// Kernel timer wake-ups overshoot, on virtual machines by up to a few milliseconds. The model,
// and so the bench's ideal column, promises the latency exactly, so the timer wakes `early`
// before the deadline and the rest is spent yielding to other handlers until the deadline. The
// spinning costs the origin's CPU, never the measured client's.
// See docs/performance.md, "Origin: the timer wakes early".
asio::awaitable<void> wait_until(ServiceClock::time_point deadline) {
  constexpr auto early = std::chrono::microseconds(1500);
  auto executor = co_await asio::this_coro::executor;
  if (deadline - ServiceClock::now() > early) {
    asio::steady_timer timer(executor, deadline - early);
    error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
  }
  while (ServiceClock::now() < deadline) co_await asio::post(executor, asio::use_awaitable);
}

}  // namespace

asio::awaitable<void> Server::Impl::serve_plain(tcp::socket socket) {
  // Non-blocking for our own synchronous writes too (write_response), set before any
  // asynchronous operation would set it for Asio alone: the same one ioctl per connection.
  error_code ignored;
  socket.non_blocking(true, ignored);
  beast::tcp_stream stream(std::move(socket));
  const ConnectionRegistration registration(*this, stream.socket());
  // Closing sends the FIN either way. The shutdown first is kept only where the origin chose to
  // end the connection; when the client left, or a read failed or idled out, the socket is just
  // closed: one system call fewer per connection, which counts when thousands arrive at once.
  if (co_await serve_requests(stream, "http")) {
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
}

asio::awaitable<void> Server::Impl::serve_secure(tcp::socket socket, asio::ssl::context& context) {
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), context);
  const ConnectionRegistration registration(*this, beast::get_lowest_layer(stream).socket());
  error_code error;
  beast::get_lowest_layer(stream).expires_after(handshake_timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, error));
  if (error) {
    spdlog::debug("origin: TLS handshake failed: {}", error.message());
    co_return;
  }
  {
    std::lock_guard lock(state_mutex);
    ++tls_counts.handshakes;
    if (SSL_session_reused(stream.native_handle()) == 1) ++tls_counts.resumed;
  }
  const bool we_close = co_await serve_requests(stream, "https");
  if (we_close) {
    // Say close_notify, but do not wait long for the client's.
    beast::get_lowest_layer(stream).expires_after(tls_shutdown_timeout);
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, error));
  }
}

// tls-stall: takes the ClientHello and whatever follows, and never answers.
asio::awaitable<void> Server::Impl::serve_tls_stall(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  const ConnectionRegistration registration(*this, stream.socket());
  co_await hold_until_client_leaves(stream);
}

// Serves requests until the connection ends; true when the server chose to close it (so a
// TLS close_notify is due), false when the client went away.
template <typename Stream>
asio::awaitable<bool> Server::Impl::serve_requests(Stream& stream, std::string_view scheme) {
  beast::flat_buffer buffer;
  ServiceClock::time_point answered_at{};  // when the previous answer went out (write_answer; none: the epoch)
  for (bool first_on_connection = true;; first_on_connection = false) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(request_body_limit);
    // Plain HTTP with nothing buffered: the request's arrival is when the kernel queued its first
    // byte, not when this loop got round to parsing it (time the model's server would already
    // have been serving), but never before the previous answer went out (a pipelined request
    // waits for it). TLS and requests already buffered count from the parse.
    // See docs/performance.md, "Origin: what it does not bill to the client".
    std::optional<ServiceClock::time_point> arrived;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      if (buffer.size() == 0) {
        auto look = peek_arrival(stream.socket());
        if (!look.ready) {
          if (!co_await wait_readable(stream.socket(), idle_timeout)) co_return false;
          look = peek_arrival(stream.socket());
        }
        // The client left between requests (the common end of a kept-alive connection): no
        // read and no parser to learn it again.
        if (look.ended) co_return false;
        if (look.at) arrived = std::max(*look.at, answered_at);
      }
    }
    beast::get_lowest_layer(stream).expires_after(idle_timeout);
    error_code error;
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      if (error != http::error::end_of_stream) spdlog::debug("origin: read ended: {}", error.message());
      co_return false;
    }
    beast::get_lowest_layer(stream).expires_never();
    // From the write itself (write_answer), not from when this coroutine runs again: after an
    // asynchronous write that is after the loop's other handlers, often after the client has
    // had the answer and sent its next request, which would then be dated late and answered late.
    std::optional<ServiceClock::time_point> answer_sent;
    const bool keep_alive = co_await answer(stream, parser.get(), scheme, first_on_connection,
                                            arrived.value_or(ServiceClock::now()), answer_sent);
    if (!keep_alive) co_return true;
    answered_at = answer_sent.value_or(ServiceClock::now());
  }
}

// Answers one request; true when the connection stays open for the next.
template <typename Stream>
asio::awaitable<bool> Server::Impl::answer(Stream& stream, const Request& request, std::string_view scheme,
                                           bool first_on_connection, ServiceClock::time_point arrived,
                                           std::optional<ServiceClock::time_point>& answer_sent) {
  const std::string_view host_header = request[http::field::host];
  if (host_header.empty()) {
    co_return co_await write_text(stream, request, http::status::bad_request, "missing Host header\n");
  }
  const std::string_view host = host_without_port(host_header);
  const Site* site = sites.find(host);
  if (site == nullptr) {
    co_return co_await write_text(stream, request, http::status::not_found,
                                  "unknown host: " + std::string(host) + "\n");
  }
  const auto site_index = static_cast<std::size_t>(site - sites.sites.data());
  co_return co_await answer_site(stream, request, site_index, scheme, first_on_connection, arrived, answer_sent);
}

template <typename Stream>
asio::awaitable<bool> Server::Impl::answer_site(Stream& stream, const Request& request, std::size_t site_index,
                                                std::string_view scheme, bool first_on_connection,
                                                ServiceClock::time_point arrived,
                                                std::optional<ServiceClock::time_point>& answer_sent) {
  const Site& site = sites.sites[site_index];
  const std::string path = request_path(request.target());
  const std::uint64_t repeat = hosts.record_arrival(site_index, path, first_on_connection);

  // What the answer is, and a page's body, are settled before the latency runs out, not after:
  // the model's server has its page ready when its latency ends, and a body made (or compressed)
  // on a path's first request would otherwise be billed to the client as time past the deadline.
  const bool fault = site.fault != Fault::none && !is_connection_fault(site.fault);
  const bool failing = !fault && repeat < site.fail_first;
  const bool redirected = !fault && !failing && is_redirected(site, scheme, path);
  const bool compressed = site.gzip && accepts_gzip(request[http::field::accept_encoding]);
  const PathAnswer graph = fault || failing || redirected ? PathAnswer{} : path_answer(site, path);
  const bool moved = !graph.location.empty();

  const auto service_start = co_await hosts.acquire_slot(site_index, arrived);
  SlotHold slot(hosts, site_index);
  const auto service_end = service_start + request_latency(sites, site, path, repeat);
  const auto body = fault || failing || redirected || moved ? nullptr : bodies.body(site_index, path, compressed);
  co_await wait_until(service_end);
  slot.served_until(service_end);

  if (fault) {
    const auto page = bodies.body(site_index, path);
    co_return co_await answer_fault(stream, request, site, path, *page);
  }
  const bool keep_alive = request.keep_alive();
  if (failing) {
    http::response<http::string_body> response{static_cast<http::status>(site.fail_status), request.version()};
    response.set(http::field::server, server_name);
    if (site.retry_after_s > 0) response.set(http::field::retry_after, std::to_string(site.retry_after_s));
    response.body() = "failing on purpose (fail_first)\n";
    response.prepare_payload();
    response.keep_alive(keep_alive);
    co_return co_await write_answer(stream, response, answer_sent) && keep_alive;
  }
  if (redirected || moved) {
    const auto status = redirected ? site.redirect_status : graph.status;
    http::response<http::empty_body> response{static_cast<http::status>(status), request.version()};
    response.set(http::field::server, server_name);
    response.set(http::field::location, redirected ? std::string_view(site.redirect) : graph.location);
    response.content_length(0);
    response.keep_alive(keep_alive);
    co_return co_await write_answer(stream, response, answer_sent) && keep_alive;
  }

  http::response<http::span_body<const char>> response{static_cast<http::status>(graph.status), request.version()};
  response.set(http::field::server, server_name);
  response.set(http::field::content_type, graph.content_type);
  if (site.gzip) response.set(http::field::vary, "Accept-Encoding");
  if (compressed) response.set(http::field::content_encoding, "gzip");
  response.content_length(body->size());
  if (request.method() != http::verb::head) response.body() = {body->data(), body->size()};
  response.keep_alive(keep_alive);
  co_return co_await write_answer(stream, response, answer_sent) && keep_alive;
}

}  // namespace fetcher::origin
