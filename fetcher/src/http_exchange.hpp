// http_exchange.hpp: one HTTP/1.1 request and its response on an open connection, plain or
// TLS: the request written (at once when the socket takes it), the header read (interim 1xx
// skipped), then the body streamed through the decoder and SHA-256 into the kept body or the
// caller's handler, and the bytes past its end checked.
#pragma once

#include "fetch_failure.hpp"

#include <fetcher/fetch_options.hpp>
#include <fetcher/fetch_request.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/url.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace fetcher::detail {

// The response header section a server may send, status line included.
inline constexpr std::size_t header_limit = 64 * 1024;
// The read buffer of a connection: big enough for a small response (header and body) in one
// read, small enough that ten thousand connections in flight with small bodies cost 40 MB, not
// 320. A larger body grows it (read_rest, response_body.cpp): up to 64 KB while such a body is
// in flight, so ten thousand of those at once hold 640 MB of buffers (the kernel's socket
// buffers are of the same order). An idle pooled connection keeps what a large body grew it to: at most 64 KB, 32 per
// host, and only for the pool's idle timeout.
inline constexpr std::size_t read_buffer_initial = 4 * 1024;
// A larger body grows the buffer to hold all of it, up to this size; a larger one still is read
// in pieces of this size. Fewer reads, and only while such a body arrives.
inline constexpr std::size_t read_buffer_large = 64 * 1024;
// Room left for the next response's header when the buffer grows to fit a body: a kept-alive
// connection fetching pages of that size again then takes each whole in one read.
inline constexpr std::size_t response_header_room = 1024;

// What one hop sends, and what it does with the answer's body.
struct Outgoing {
  const FetchRequest& request;  // method, header fields and body, as redirects rewrote them
  BodyMode body_mode;           // never client_default
  std::uint64_t body_limit;     // decoded body bytes accepted (the keep limit in keep mode)
  bool may_retry;               // a retryable status will be tried again: it is not final
};

// What one request/response exchange produced.
struct Exchange {
  Failure failure;
  std::string location;                       // a redirect status with a Location header
  std::chrono::milliseconds retry_after{-1};  // the server's Retry-After, when it sent one
  bool reusable = false;                      // the connection can carry another request
  bool nothing_received = false;              // failed before any response byte (stale keep-alive)
};

class ResponseParser;
class ReadBuffer;

class HttpExchange {
 public:
  // `options` must outlive this.
  explicit HttpExchange(const FetchOptions& options);

  // The exchange on an established stream, reading through the connection's own `buffer`: the
  // request, the header, then the body. Fills result (status, header fields, sizes, digest,
  // first-byte time measured from `hop_start`). Defined, and instantiated for
  // boost::beast::tcp_stream and boost::beast::ssl_stream<boost::beast::tcp_stream>, in
  // http_exchange.cpp.
  template <class Stream>
  boost::asio::awaitable<Exchange> exchange(Stream& stream, const UrlParts& url, bool absolute_form, bool alone_on_loop,
                                            const Outgoing& outgoing, clock_type::time_point hop_start,
                                            clock_type::time_point total_deadline, FetchResult& result,
                                            boost::beast::flat_buffer& buffer) const;

  // The request's head and body as sent: to the origin (`absolute_form` false) or through a
  // plain-HTTP proxy (the request line names the whole URL).
  std::string request_bytes(const UrlParts& url, bool absolute_form, const FetchRequest& request) const;

 private:
  template <class Stream>
  boost::asio::awaitable<bool> read_header(Stream& stream, ReadBuffer& reads, std::optional<ResponseParser>& reader,
                                           const Outgoing& outgoing, clock_type::time_point hop_start,
                                           const StageDeadline& deadline, FetchResult& result, Exchange& outcome) const;
  // In response_body.cpp, instantiated there for both stream types.
  template <class Stream>
  boost::asio::awaitable<void> read_body(Stream& stream, ReadBuffer& reads, ResponseParser& parser,
                                         const Outgoing& outgoing, std::string* keep, BodyHandler* handler,
                                         FetchResult& result, Exchange& outcome) const;
  Failure classify_read_error(const boost::system::error_code& ec, FetchStage stage, const char* what,
                              const StageDeadline& deadline, std::uint64_t body_limit) const;
  Failure read_body_failure(const boost::system::error_code& ec, const ResponseParser& parser,
                            const StageDeadline& deadline, std::uint64_t body_limit) const;

  const FetchOptions& options_;
  // Fetched once: EVP_sha256() in a digest init makes OpenSSL 3 look the algorithm up, under a
  // global lock, on every call.
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256_{EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free};
};

}  // namespace fetcher::detail
