// http_exchange.cpp: see http_exchange.hpp. The body is read in response_body.cpp.
#include "http_exchange.hpp"

#include "redirects.hpp"
#include "response_parser.hpp"
#include "retry_policy.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <optional>

namespace fetcher::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

// Writes as much of `bytes` as a plain socket takes right now, without waiting; 0 when it
// takes nothing or fails (the asynchronous write that follows then meets the error itself).
// A request usually fits the socket's send buffer whole: written here, it skips the
// asynchronous write's machinery (a timer armed and cancelled, a reactor operation, a
// suspension and resumption of the coroutine): a measurable share of a small request's CPU.
// See docs/performance.md, "Client: a request written at once".
std::size_t send_now(beast::tcp_stream& stream, std::string_view bytes) {
  if (!stream.socket().non_blocking()) return 0;
  error_code ec;
  const auto sent = stream.socket().send(asio::buffer(bytes), 0, ec);
  return ec ? 0 : sent;
}
std::size_t send_now(beast::ssl_stream<beast::tcp_stream>&, std::string_view) { return 0; }

// Writes the request: at once when the socket takes it whole, otherwise asynchronously.
// `alone_on_loop`: the loop runs this fetch and no other (see one_fetch_loop.hpp).
template <class Stream>
asio::awaitable<error_code> send_request(Stream& stream, const std::string& request, bool alone_on_loop) {
  error_code ec;
  if (const auto sent = send_now(stream, request); sent < request.size()) {
    co_await asio::async_write(stream, asio::buffer(request) + sent, asio::redirect_error(asio::use_awaitable, ec));
  } else if (!alone_on_loop) {
    // Let the loop run the other connections' work first, as the asynchronous write's
    // completion did: a read tried the moment the request is out finds nothing (a wasted
    // system call), one tried after the others' turn often finds the answer. A loop that
    // runs this fetch alone has no others: there the turn would only cost an epoll_wait.
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    // A post takes no cancellation: one emitted during the turn is only recorded in the
    // coroutine's state, and the read that follows would never see it.
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) ec = asio::error::operation_aborted;
  }
  co_return ec;
}

}  // namespace

HttpExchange::HttpExchange(const FetchOptions& options) : options_(options) {}

// The request's head, and its body after it, as one string: the bytes Beast's serializer would
// write for these fields, without a fields container that allocates a node per field. Through
// a plain-HTTP proxy the request line names the whole URL (RFC 9112 3.2.2).
std::string HttpExchange::request_bytes(const UrlParts& url, bool absolute_form, const FetchRequest& request) const {
  const auto& extra = request.headers;
  std::size_t extra_size = request.body.size();
  for (std::size_t i = 0; i < extra.size(); ++i) extra_size += extra[i].name.size() + extra[i].value.size() + 4;
  std::string bytes;
  // Room for every line below at once (the fixed text is under 160 bytes), so it grows no more.
  bytes.reserve(160 + url.host_header.size() * 2 + url.target.size() + options_.user_agent.size() + extra_size);
  (bytes += to_string(request.method)) += ' ';
  if (absolute_form) (bytes += "http://") += url.host_header;
  bytes += url.target;
  bytes += " HTTP/1.1\r\nHost: ";
  bytes += url.host_header;
  bytes += "\r\n";
  // The caller's own User-Agent, Accept or Accept-Encoding replaces the client's.
  if (!extra.contains("user-agent")) ((bytes += "User-Agent: ") += options_.user_agent) += "\r\n";
  if (!extra.contains("accept")) bytes += "Accept: */*\r\n";
  if (options_.decompress && !extra.contains("accept-encoding")) bytes += "Accept-Encoding: gzip, deflate\r\n";
  for (std::size_t i = 0; i < extra.size(); ++i) (((bytes += extra[i].name) += ": ") += extra[i].value) += "\r\n";
  if (!request.body.empty() || request.method == Method::post || request.method == Method::put) {
    ((bytes += "Content-Length: ") += std::to_string(request.body.size())) += "\r\n";
  }
  // Without keep-alive, saying so lets the server close first (and us skip a TIME_WAIT).
  if (!options_.keep_alive) bytes += "Connection: close\r\n";
  bytes += "\r\n";
  bytes += request.body;
  return bytes;
}

// The HTTP exchange on an established (plain or TLS) stream, reading through the
// connection's own buffer: the request, the header (interim 1xx skipped), then the body.
template <class Stream>
asio::awaitable<Exchange> HttpExchange::exchange(Stream& stream, const UrlParts& url, bool absolute_form,
                                                 bool alone_on_loop, const Outgoing& outgoing,
                                                 clock_type::time_point hop_start,
                                                 clock_type::time_point total_deadline, FetchResult& result,
                                                 beast::flat_buffer& buffer) const {
  auto& socket = beast::get_lowest_layer(stream);
  Exchange outcome;
  const auto request = request_bytes(url, absolute_form, outgoing.request);
  const auto deadline = stage_deadline(options_.first_byte_timeout, total_deadline);
  socket.expires_at(deadline.at);
  auto ec = co_await send_request(stream, request, alone_on_loop);
  if (ec == beast::error::timeout) {
    outcome.failure = timeout_failure(FetchStage::write, "send request", options_.first_byte_timeout,
                                      deadline.total_limited, options_.total_timeout, ec);
    co_return outcome;
  }
  if (ec == asio::error::operation_aborted) {
    outcome.failure = cancelled_failure(FetchStage::write);  // not a stale connection: no new try
    co_return outcome;
  }
  if (ec) {
    outcome.failure = {ErrorKind::protocol, "send request: " + ec.message(), FetchStage::write, ec};
    outcome.nothing_received = true;
    co_return outcome;
  }

  // Beast reads as much as the buffer has room for: grown before the header, a small response
  // (header and body) comes in one read (docs/performance.md, "Client: the read buffer").
  // The buffer is allocated here, once the request is out, not when the connection opens.
  buffer.clear();
  buffer.reserve(read_buffer_initial);
  ReadBuffer reads(buffer);
  std::optional<ResponseParser> reader;
  if (!co_await read_header(stream, reads, reader, outgoing, hop_start, deadline, result, outcome)) co_return outcome;
  if (const auto location = result.headers.find("location");
      location && is_redirect(result.status) && outgoing.request.follow_redirects) {
    outcome.location = *location;
  }
  const bool retryable = is_retryable_status(result.status);
  if (const auto retry_after = result.headers.find("retry-after"); retry_after && retryable) {
    outcome.retry_after = parse_retry_after(*retry_after);
  }
  socket.expires_at(total_deadline);
  // Only the final response reaches a handler: not a redirect hop, not an attempt to be retried.
  const bool final_response = outcome.location.empty() && !(retryable && outgoing.may_retry);
  BodyHandler* handler = nullptr;
  if (outgoing.body_mode == BodyMode::stream && final_response) {
    handler = outgoing.request.body_handler.get();
    if (handler->on_header(result) == BodyHandler::Decision::skip_body) {
      // The rest of the body is never read: the connection is closed, not pooled.
      result.body_skipped = true;
      co_return outcome;
    }
  }
  std::string* keep = outgoing.body_mode == BodyMode::keep && final_response ? &result.body : nullptr;
  co_await read_body(stream, reads, *reader, outgoing, keep, handler, result, outcome);
  co_return outcome;
}

// Reads the response header into `reader` and result (status, header fields, first-byte time),
// skipping interim 1xx responses (100 Continue, 103 Early Hints); false with outcome.failure
// set when it cannot.
template <class Stream>
asio::awaitable<bool> HttpExchange::read_header(Stream& stream, ReadBuffer& reads,
                                                std::optional<ResponseParser>& reader, const Outgoing& outgoing,
                                                clock_type::time_point hop_start, const StageDeadline& deadline,
                                                FetchResult& result, Exchange& outcome) const {
  error_code ec;
  do {
    auto& fresh = reader.emplace();
    fresh.header_limit(header_limit);
    fresh.body_limit(outgoing.body_limit);
    fresh.skip(outgoing.request.method == Method::head);  // an answer to HEAD has no body
    result.headers.clear();
    fresh.fields = &result.headers;
    co_await http::async_read_header(stream, reads, fresh, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      outcome.failure =
          classify_read_error(ec, FetchStage::read_header, "read response header", deadline, outgoing.body_limit);
      outcome.nothing_received =
          !fresh.got_some() && result.timings.first_byte.count() == 0 && ec != beast::error::timeout;
      co_return false;
    }
    if (!result.timings.first_byte.count()) result.timings.first_byte = clock_type::now() - hop_start;
    result.status = fresh.status;
  } while (result.status >= 100 && result.status < 200 && result.status != 101);
  if (result.status < 100 || result.status > 599) {
    // Beast takes any three digits; RFC 9110 section 15 allows 100 to 599 only.
    outcome.failure = {
        ErrorKind::protocol, "invalid status code " + std::to_string(result.status), FetchStage::read_header, {}};
    result.status = 0;
    co_return false;
  }
  co_return true;
}

// A read's error as a failure of `stage`; `what` names the step in the message.
Failure HttpExchange::classify_read_error(const error_code& ec, FetchStage stage, const char* what,
                                          const StageDeadline& deadline, std::uint64_t body_limit) const {
  if (ec == beast::error::timeout) {
    return timeout_failure(stage, what, options_.first_byte_timeout, deadline.total_limited, options_.total_timeout,
                           ec);
  }
  const auto failure = [&](ErrorKind kind, const std::string& detail) {
    return Failure{kind, std::string(what) + ": " + detail, stage, ec};
  };
  if (ec == http::error::body_limit) {
    return failure(ErrorKind::too_large, "body larger than the limit of " + std::to_string(body_limit) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return failure(ErrorKind::too_large, "header section larger than " + std::to_string(header_limit) + " bytes");
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
      ec == asio::ssl::error::stream_truncated) {
    return failure(ErrorKind::protocol, "server closed the connection early");
  }
  if (ec == asio::error::connection_reset) return failure(ErrorKind::protocol, "connection reset by the server");
  // Beast names the parser's rule ("bad version"); say which part of the response broke it.
  if (ec == http::error::bad_version || ec == http::error::bad_status || ec == http::error::bad_reason) {
    return failure(ErrorKind::protocol, "malformed status line (" + ec.message() + ")");
  }
  if (ec == http::error::bad_field || ec == http::error::bad_value || ec == http::error::bad_line_ending ||
      ec == http::error::bad_transfer_encoding) {
    return failure(ErrorKind::protocol, "malformed header line (" + ec.message() + ")");
  }
  if (ec == http::error::bad_content_length || ec == http::error::multiple_content_length) {
    return failure(ErrorKind::protocol, "malformed Content-Length (" + ec.message() + ")");
  }
  if (ec == http::error::bad_chunk || ec == http::error::bad_chunk_extension) {
    return failure(ErrorKind::protocol, "malformed chunked encoding (" + ec.message() + ")");
  }
  return failure(ErrorKind::protocol, ec.message());
}

template asio::awaitable<Exchange> HttpExchange::exchange(beast::tcp_stream&, const UrlParts&, bool, bool,
                                                          const Outgoing&, clock_type::time_point,
                                                          clock_type::time_point, FetchResult&,
                                                          beast::flat_buffer&) const;
template asio::awaitable<Exchange> HttpExchange::exchange(beast::ssl_stream<beast::tcp_stream>&, const UrlParts&, bool,
                                                          bool, const Outgoing&, clock_type::time_point,
                                                          clock_type::time_point, FetchResult&,
                                                          beast::flat_buffer&) const;

}  // namespace fetcher::detail
