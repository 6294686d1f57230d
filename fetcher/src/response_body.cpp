// response_body.cpp: the body half of the HTTP exchange (http_exchange.hpp): the body read
// through the decoder, SHA-256 and its targets, and the bytes past its end checked.
#include "http_exchange.hpp"

#include "content_decoder.hpp"
#include "printable.hpp"
#include "response_parser.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace fetcher::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

// Streams the body through SHA-256 so that its size and digest are known without keeping it.
class Sha256 {
 public:
  explicit Sha256(const EVP_MD* algorithm) : context_(EVP_MD_CTX_new()) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), algorithm, nullptr) != 1) {
      throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
    }
  }
  void update(const void* data, std::size_t size) { EVP_DigestUpdate(context_.get(), data, size); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_.get(), digest, &length);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned i = 0; i < length; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 15];
    }
    return out;
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> context_;
};

// The bytes a body goes to once decoded: one pointer to this is all the decoder's sink holds,
// so that std::function keeps it in place instead of allocating.
struct DecodedTargets {
  Sha256* digest = nullptr;
  std::string* keep = nullptr;
  BodyHandler* handler = nullptr;
};

// Response bytes already here but not part of the response just parsed: in the read buffer,
// decrypted inside OpenSSL, or (plain TCP) waiting in the socket.
std::size_t unread_bytes(beast::tcp_stream& stream, const ReadBuffer& buffer) {
  // A read that did not fill the room it had took all the socket held: FIONREAD would find
  // nothing there but bytes that came later, which no check at this moment can promise to see.
  if (!buffer.last_read_filled()) return buffer.size();
  error_code ignored;
  return buffer.size() + stream.socket().available(ignored);
}
std::size_t unread_bytes(beast::ssl_stream<beast::tcp_stream>& stream, const ReadBuffer& buffer) {
  // Not the socket: a close_notify or session ticket waiting there is TLS, not response bytes.
  return buffer.size() + static_cast<std::size_t>(std::max(0, SSL_pending(stream.native_handle())));
}

// Parses what the header's read brought of the body (all of it, for most pages) without
// reading: an asynchronous read that finds everything it needs in the buffer still completes
// through the loop (a post and a pass of the scheduler per response, and in a blocking loop an
// epoll_wait as well). Stops at the end of the buffer, or at an incomplete piece (a chunk
// header cut in two) that the read after this completes; `ec` as the read would give it.
void parse_buffered_body(ResponseParser& parser, ReadBuffer& reads, error_code& ec) {
  while (!parser.is_done() && reads.size() > 0) {
    const auto used = parser.put(reads.data(), ec);
    reads.consume(used);
    if (ec == http::error::need_more) ec = {};
    if (ec || used == 0) return;
  }
}

// Bytes past the end of the message (RFC 9112 6.3): the message is what its framing says,
// the rest is not the body; the connection is not reused. A stray CRLF, as some old servers
// send, is dropped without a warning.
std::string excess_warning(const ResponseParser& parser, const beast::flat_buffer& buffer, std::size_t excess) {
  const auto text = beast::buffers_to_string(buffer.data());
  if (text.size() == excess && text.find_first_not_of("\r\n") == std::string::npos) return {};
  const auto ignored = std::to_string(excess) + " bytes";
  if (parser.content_length()) {
    return "response carried " + ignored + " more than its Content-Length of " +
           std::to_string(*parser.content_length()) + "; they were ignored and the connection closed";
  }
  if (parser.chunked()) return ignored + " after the chunked body were ignored and the connection closed";
  return ignored + " after the response were ignored and the connection closed";
}

// Reads until the parser has the whole body (or fails), from the buffer first.
template <class Stream>
asio::awaitable<error_code> read_rest(Stream& stream, ReadBuffer& reads, ResponseParser& parser) {
  auto& buffer = reads.buffer();
  // A large body comes in larger reads (a new connection's buffer grows only now).
  const auto remaining = parser.content_length_remaining();
  if (!remaining) {
    buffer.reserve(read_buffer_large);
  } else if (*remaining > read_buffer_initial) {
    buffer.reserve(std::min<std::uint64_t>(read_buffer_large, buffer.size() + *remaining + response_header_room));
  }
  error_code ec;
  parse_buffered_body(parser, reads, ec);
  if (!parser.is_done() && !ec) {
    co_await http::async_read(stream, reads, parser, asio::redirect_error(asio::use_awaitable, ec));
    // A body that ends when the connection does (no length, not chunked) over TLS from a
    // server that skips close_notify: OpenSSL says "truncated", HTTP says "complete".
    if (ec == asio::ssl::error::stream_truncated && !parser.content_length() && !parser.chunked()) {
      ec = {};
      parser.put_eof(ec);
    }
  }
  co_return ec;
}

}  // namespace

// Reads the body after the header: through the decoder into SHA-256 and the targets (the kept
// body `keep`, the caller's `handler`; either may be null); then checks what follows it.
template <class Stream>
asio::awaitable<void> HttpExchange::read_body(Stream& stream, ReadBuffer& reads, ResponseParser& parser,
                                              const Outgoing& outgoing, std::string* keep, BodyHandler* handler,
                                              FetchResult& result, Exchange& outcome) const {
  const StageDeadline deadline{clock_type::time_point(), true};  // the total deadline, for messages
  const auto content_encoding = result.headers.find("content-encoding").value_or(std::string_view());
  const auto encoding = options_.decompress ? content_encoding : std::string_view();
  PassThrough pass_through(outgoing.body_limit);
  std::unique_ptr<ContentDecoder> inflater;
  if (!ContentDecoder::is_pass_through(encoding)) {
    inflater = ContentDecoder::make(encoding, outgoing.body_limit);
    if (!inflater) {
      outcome.failure = {ErrorKind::protocol,
                         "unsupported Content-Encoding '" + printable(content_encoding) + "'",
                         FetchStage::read_body,
                         {}};
      co_return;
    }
  }
  ContentDecoder& decoder = inflater ? *inflater : pass_through;
  std::optional<Sha256> digest;
  if (options_.body_digest) digest.emplace(sha256_.get());
  DecodedTargets targets{digest ? &*digest : nullptr, keep, handler};
  const ContentDecoder::Sink decoded = [to = &targets](const char* data, std::size_t size) {
    if (to->digest) to->digest->update(data, size);
    if (to->keep) to->keep->append(data, size);
    if (to->handler && size != 0) to->handler->on_body_chunk(std::string_view(data, size));
  };
  BodySink sink{&decoder, &decoded};
  parser.sink = &sink;
  const auto ec = co_await read_rest(stream, reads, parser);
  result.wire_bytes = sink.wire_bytes;
  result.body_bytes = decoder.decoded_bytes();
  if (sink.verdict == ContentDecoder::Result::too_large) {
    outcome.failure = {
        ErrorKind::too_large,
        "read body: decoded body larger than the limit of " + std::to_string(outgoing.body_limit) + " bytes",
        FetchStage::read_body,
        {}};
    co_return;
  }
  if (sink.verdict == ContentDecoder::Result::corrupt) {
    outcome.failure = {
        ErrorKind::protocol, "read body: corrupt " + printable(content_encoding) + " data", FetchStage::read_body, {}};
    co_return;
  }
  if (ec) {
    outcome.failure = read_body_failure(ec, parser, deadline, outgoing.body_limit);
    co_return;
  }
  const auto excess = unread_bytes(stream, reads);
  if (excess > 0) result.warning = excess_warning(parser, reads.buffer(), excess);
  if (!decoder.finish()) {
    outcome.failure = {ErrorKind::protocol, "read body: compressed body cut short", FetchStage::read_body, {}};
    co_return;
  }
  if (digest) result.body_sha256 = digest->hex();
  // Reusable only when the server keeps it open and nothing unread is left behind.
  outcome.reusable = options_.keep_alive && parser.keep_alive() && excess == 0;
}

// A failed body read, saying how much of a declared length came before the connection closed.
Failure HttpExchange::read_body_failure(const error_code& ec, const ResponseParser& parser,
                                        const StageDeadline& deadline, std::uint64_t body_limit) const {
  auto failure = classify_read_error(ec, FetchStage::read_body, "read body", deadline, body_limit);
  const auto declared = parser.content_length();
  const auto missing = parser.content_length_remaining();
  if (declared && missing &&
      (ec == http::error::partial_message || ec == http::error::end_of_stream ||
       ec == asio::ssl::error::stream_truncated)) {
    failure.message = "read body: server closed the connection after " + std::to_string(*declared - *missing) + " of " +
                      std::to_string(*declared) + " body bytes";
  }
  return failure;
}

template asio::awaitable<void> HttpExchange::read_body(beast::tcp_stream&, ReadBuffer&, ResponseParser&,
                                                       const Outgoing&, std::string*, BodyHandler*, FetchResult&,
                                                       Exchange&) const;
template asio::awaitable<void> HttpExchange::read_body(beast::ssl_stream<beast::tcp_stream>&, ReadBuffer&,
                                                       ResponseParser&, const Outgoing&, std::string*, BodyHandler*,
                                                       FetchResult&, Exchange&) const;

}  // namespace fetcher::detail
