// faults.cpp: one small writer per fault of a request, looked up by Fault in a table.
#include "faults.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

namespace fetcher::origin {
namespace {

constexpr std::uint64_t endless_byte_limit = std::uint64_t{1} << 30;

// What a fault writer knows of the request it answers.
struct FaultRequest {
  const Request& request;
  const Site& site;
  const std::string& path;
  std::string body;  // the site's page, or 256 dots when that is shorter
};

// Writers that test its result in an `if` pass it a named string, not a temporary made in the
// condition: GCC 12 mishandles such a temporary when the branch awaits again (the write sends
// nothing, or the process crashes).
template <typename Stream>
asio::awaitable<bool> write_raw(Stream& stream, std::string_view bytes) {
  beast::get_lowest_layer(stream).expires_after(write_timeout);
  error_code error;
  co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()),
                             asio::redirect_error(asio::use_awaitable, error));
  if (error) spdlog::debug("origin: fault write ended: {}", error.message());
  co_return !error;
}

asio::awaitable<void> pause_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// Abortive close: the client sees a TCP reset, not an orderly end.
template <typename Stream>
void reset_connection(Stream& stream) {
  auto& socket = beast::get_lowest_layer(stream).socket();
  error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

std::string head_200(std::string_view fields) {
  return "HTTP/1.1 200 OK\r\nServer: " + std::string(server_name) + "\r\nContent-Type: text/html; charset=utf-8\r\n" +
         std::string(fields) + "\r\n";
}

std::string content_length(std::uint64_t bytes) { return "Content-Length: " + std::to_string(bytes) + "\r\n"; }

// A whole body's header, then only the first half of the body.
std::string head_and_half_body(const FaultRequest& fault) {
  return head_200(content_length(fault.body.size())) + fault.body.substr(0, fault.body.size() / 2);
}

// --- the writers: each returns true when the connection stays open for the next request ---

template <typename Stream>
asio::awaitable<bool> no_answer(Stream& stream, const FaultRequest&) {
  co_await hold_until_client_leaves(stream);
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> stall_body(Stream& stream, const FaultRequest& fault) {
  const std::string head_and_half = head_and_half_body(fault);
  if (co_await write_raw(stream, head_and_half)) {
    co_await hold_until_client_leaves(stream);
  }
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> drip(Stream& stream, const FaultRequest& fault) {
  const std::string& body = fault.body;
  const std::string head = head_200(content_length(body.size()));
  if (!co_await write_raw(stream, head)) co_return false;
  const auto give_up = std::chrono::steady_clock::now() + fault_time_limit;
  for (std::size_t i = 0; i < body.size() && std::chrono::steady_clock::now() < give_up; ++i) {
    if (i > 0) co_await pause_for(std::chrono::seconds(1));
    if (!co_await write_raw(stream, std::string_view(body.data() + i, 1))) break;
  }
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> reset_body(Stream& stream, const FaultRequest& fault) {
  const std::string head_and_half = head_and_half_body(fault);
  if (co_await write_raw(stream, head_and_half)) {
    // Long enough for the client to be reading the body when the reset comes.
    co_await pause_for(std::chrono::milliseconds(50));
  }
  reset_connection(stream);
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> close_before_status(Stream&, const FaultRequest&) {
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> bad_status_line(Stream& stream, const FaultRequest&) {
  co_await write_raw(stream, "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n");
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> bad_header(Stream& stream, const FaultRequest& fault) {
  co_await write_raw(stream, head_200("Content-Type text/html\r\n" + content_length(fault.body.size())) + fault.body);
  co_return false;
}

// Writes `batch()` over and over, until endless_byte_limit, fault_time_limit or the client goes.
template <typename Stream, typename Batch>
asio::awaitable<void> write_endlessly(Stream& stream, Batch batch) {
  beast::get_lowest_layer(stream).expires_after(fault_time_limit);
  for (std::uint64_t sent = 0; sent < endless_byte_limit;) {
    const auto& bytes = batch();
    error_code error;
    co_await asio::async_write(stream, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, error));
    if (error) break;
    sent += bytes.size();
  }
}

template <typename Stream>
asio::awaitable<bool> endless_headers(Stream& stream, const FaultRequest&) {
  if (!co_await write_raw(stream, "HTTP/1.1 200 OK\r\n")) co_return false;
  std::uint64_t line = 0;
  co_await write_endlessly(stream, [&line] {
    std::string batch;
    for (int i = 0; i < 64; ++i, ++line) {
      batch += "X-Endless-" + std::to_string(line) + ": " + std::string(48, 'h') + "\r\n";
    }
    return batch;
  });
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> huge_headers(Stream& stream, const FaultRequest& fault) {
  std::string fields;
  for (int i = 0; fields.size() < 128 * 1024; ++i) {
    fields += "Set-Cookie: c" + std::to_string(i) + "=" + std::string(90, 'c') + "\r\n";
  }
  co_await write_raw(stream, head_200(fields + content_length(fault.body.size())) + fault.body);
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> bad_chunked(Stream& stream, const FaultRequest&) {
  co_await write_raw(
      stream, head_200("Transfer-Encoding: chunked\r\n") + "10\r\n0123456789abcdef\r\n" + "zz\r\nbroken\r\n0\r\n\r\n");
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> short_length(Stream& stream, const FaultRequest& fault) {
  // One write, so the bytes past the declared length arrive with the body.
  co_await write_raw(stream, head_200(content_length(fault.body.size() / 2)) + fault.body);
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> long_length(Stream& stream, const FaultRequest& fault) {
  co_await write_raw(stream, head_200(content_length(fault.body.size() + 100)) + fault.body);
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> endless_body(Stream& stream, const FaultRequest&) {
  // No length and not chunked: the body ends when the connection does, which it never does.
  const std::string head = head_200("Connection: close\r\n");
  if (!co_await write_raw(stream, head)) co_return false;
  const std::string block(16 * 1024, 'e');
  co_await write_endlessly(stream, [&block]() -> const std::string& { return block; });
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> redirect_to(Stream& stream, const Request& request, const std::string& location) {
  http::response<http::empty_body> response{http::status::found, request.version()};
  response.set(http::field::server, server_name);
  response.set(http::field::location, location);
  response.content_length(0);
  response.keep_alive(request.keep_alive());
  co_return co_await write_response(stream, response) && request.keep_alive();
}

template <typename Stream>
asio::awaitable<bool> redirect_loop(Stream& stream, const FaultRequest& fault) {
  co_return co_await redirect_to(stream, fault.request, fault.path == "/loop-a" ? "/loop-b" : "/loop-a");
}

template <typename Stream>
asio::awaitable<bool> redirect_ftp(Stream& stream, const FaultRequest& fault) {
  co_return co_await redirect_to(stream, fault.request, "ftp://" + fault.site.host + "/file.txt");
}

// --- the table ---

template <typename Stream>
using FaultWriter = asio::awaitable<bool> (*)(Stream&, const FaultRequest&);

template <typename Stream>
struct FaultEntry {
  Fault fault;
  FaultWriter<Stream> write;
};

template <typename Stream>
constexpr FaultEntry<Stream> fault_writers[] = {
    {Fault::no_answer, &no_answer<Stream>},
    {Fault::stall_body, &stall_body<Stream>},
    {Fault::drip, &drip<Stream>},
    {Fault::reset_body, &reset_body<Stream>},
    {Fault::close_before_status, &close_before_status<Stream>},
    {Fault::bad_status_line, &bad_status_line<Stream>},
    {Fault::bad_header, &bad_header<Stream>},
    {Fault::endless_headers, &endless_headers<Stream>},
    {Fault::huge_headers, &huge_headers<Stream>},
    {Fault::bad_chunked, &bad_chunked<Stream>},
    {Fault::short_length, &short_length<Stream>},
    {Fault::long_length, &long_length<Stream>},
    {Fault::endless_body, &endless_body<Stream>},
    {Fault::redirect_loop, &redirect_loop<Stream>},
    {Fault::redirect_ftp, &redirect_ftp<Stream>},
};

// Null for none and for the faults of the connection itself, which are not faults of a request.
template <typename Stream>
FaultWriter<Stream> writer_for(Fault fault) {
  for (const auto& entry : fault_writers<Stream>) {
    if (entry.fault == fault) return entry.write;
  }
  return nullptr;
}

}  // namespace

bool is_connection_fault(Fault fault) {
  return fault == Fault::refuse || fault == Fault::tls_wrong_name || fault == Fault::tls_expired ||
         fault == Fault::tls_self_signed || fault == Fault::tls_stall;
}

template <typename Stream>
asio::awaitable<bool> answer_fault(Stream& stream, const Request& request, const Site& site, const std::string& path,
                                   const std::string& site_body) {
  const auto write = writer_for<Stream>(site.fault);
  // Faults that cut a body short need one to cut: at least 256 bytes.
  const FaultRequest fault{request, site, path, site_body.size() >= 256 ? site_body : std::string(256, '.')};
  if (write == nullptr) co_return false;
  co_return co_await write(stream, fault);
}

template asio::awaitable<bool> answer_fault(beast::tcp_stream&, const Request&, const Site&, const std::string&,
                                            const std::string&);
template asio::awaitable<bool> answer_fault(beast::ssl_stream<beast::tcp_stream>&, const Request&, const Site&,
                                            const std::string&, const std::string&);

}  // namespace fetcher::origin
