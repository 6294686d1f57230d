// response_parser.hpp: the pieces a response is read with. Beast's parser with the header
// fields kept in one HeaderFields and the body handed to a sink; the connection's read buffer
// as Beast's reads see it. Private to http_exchange.cpp and response_body.cpp.
#pragma once

#include "content_decoder.hpp"

#include <fetcher/header_fields.hpp>

#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>

namespace fetcher::detail {

// Where the response parser puts the body it takes from the read buffer: through the decoder
// into SHA-256 (and the kept body) at once. No chunk of its own per connection, and no copy of
// the body bytes on the way (the parser hands over pieces of the read buffer).
struct BodySink {
  ContentDecoder* decoder = nullptr;
  const ContentDecoder::Sink* decoded = nullptr;  // receives the decoded bytes
  std::uint64_t wire_bytes = 0;
  ContentDecoder::Result verdict = ContentDecoder::Result::ok;

  std::size_t put(boost::beast::string_view piece, boost::system::error_code& ec) {
    wire_bytes += piece.size();
    verdict = decoder->feed(piece.data(), piece.size(), *decoded);
    // Stops the parser; the caller reads the verdict, not this code.
    if (verdict != ContentDecoder::Result::ok) ec = boost::asio::error::operation_aborted;
    return piece.size();
  }
};

// Beast's response parsing (framing, limits, keep-alive, chunks) with the fields kept in one
// HeaderFields (a string and a table of offsets): http::parser would store every field in a node
// of its own, a few allocations per response. The body goes to the sink.
class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  unsigned status = 0;
  HeaderFields* fields = nullptr;  // receives the header's fields
  BodySink* sink = nullptr;        // set before the body is read

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::system::error_code;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status = static_cast<unsigned>(code); }
  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code&) override {
    fields->add(std::string_view(name.data(), name.size()), std::string_view(value.data(), value.size()));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code& ec) override { return sink->put(body, ec); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return sink->put(body, ec);
  }
  void on_finish_impl(error_code&) override {}
};

// A connection's read buffer as Beast's reads see it, noting whether the last read filled all
// the room it was offered. One that did not emptied the socket, so the check for bytes past the
// end of a response needs no FIONREAD (one system call per request) to know there are none.
class ReadBuffer {
 public:
  using const_buffers_type = boost::beast::flat_buffer::const_buffers_type;
  using mutable_buffers_type = boost::beast::flat_buffer::mutable_buffers_type;

  explicit ReadBuffer(boost::beast::flat_buffer& buffer) : buffer_(buffer) {}
  std::size_t size() const { return buffer_.size(); }
  std::size_t max_size() const { return buffer_.max_size(); }
  std::size_t capacity() const { return buffer_.capacity(); }
  const_buffers_type data() const { return buffer_.data(); }
  mutable_buffers_type prepare(std::size_t n) {
    offered_ = n;
    return buffer_.prepare(n);
  }
  void commit(std::size_t n) {
    filled_ = n >= offered_;
    buffer_.commit(n);
  }
  void consume(std::size_t n) { buffer_.consume(n); }
  bool last_read_filled() const { return filled_; }
  boost::beast::flat_buffer& buffer() { return buffer_; }
  const boost::beast::flat_buffer& buffer() const { return buffer_; }

 private:
  boost::beast::flat_buffer& buffer_;
  std::size_t offered_ = 0;
  bool filled_ = true;  // no read yet: assume the socket may hold more
};

}  // namespace fetcher::detail
