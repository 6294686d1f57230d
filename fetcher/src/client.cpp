// client.cpp: the one HTTP/1.1 client. Every strategy's fetches run through Impl::fetch below:
//   fetch       redirects and retries, under the total deadline
//   attempt     one request: per-host slot, connection (pooled or new), exchange
//   open        resolve, connect, TLS handshake with SNI and name verification
//   exchange    write the request, read the header (skipping 1xx)
//   read_body   stream the body through SHA-256, into the kept body or the caller's handler
#include <fetcher/client.hpp>
#include <fetcher/url.hpp>

#include "connection_pool.hpp"
#include "one_fetch_loop.hpp"
#include "content_decoder.hpp"
#include "host_limiter.hpp"
#include "host_pacer.hpp"
#include "host_resolver.hpp"
#include "printable.hpp"
#include "tls_session_cache.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

namespace fetcher {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using boost::system::error_code;
using detail::Connection;

constexpr std::size_t header_limit = 64 * 1024;
// The read buffer of a connection: big enough for a small response (header and body) in one
// read, small enough that ten thousand connections in flight with small bodies cost 40 MB, not
// 320. A larger body grows it (below): up to 64 KB while such a body is in flight, so ten
// thousand of those at once hold 640 MB of buffers (the kernel's socket buffers are of the same
// order). An idle pooled connection keeps what a large body grew it to: at most 64 KB, 32 per
// host, and only for the pool's idle timeout.
constexpr std::size_t read_buffer_initial = 4 * 1024;
// A larger body grows the buffer to hold all of it, up to this size; a larger one still is read
// in pieces of this size. Fewer reads, and only while such a body arrives.
constexpr std::size_t read_buffer_large = 64 * 1024;
// Room left for the next response's header when the buffer grows to fit a body: a kept-alive
// connection fetching pages of that size again then takes each whole in one read.
constexpr std::size_t response_header_room = 1024;

std::string format_duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

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

// Where the response parser puts the body it takes from the read buffer: through the decoder
// into SHA-256 (and the kept body) at once. No chunk of its own per connection, and no copy of
// the body bytes on the way (the parser hands over pieces of the read buffer).
struct BodySink {
  detail::ContentDecoder* decoder = nullptr;
  const detail::ContentDecoder::Sink* decoded = nullptr;  // receives the decoded bytes
  std::uint64_t wire_bytes = 0;
  detail::ContentDecoder::Result verdict = detail::ContentDecoder::Result::ok;

  std::size_t put(beast::string_view piece, error_code& ec) {
    wire_bytes += piece.size();
    verdict = decoder->feed(piece.data(), piece.size(), *decoded);
    // Stops the parser; the caller reads the verdict, not this code.
    if (verdict != detail::ContentDecoder::Result::ok) ec = asio::error::operation_aborted;
    return piece.size();
  }
};

// Beast's response parsing (framing, limits, keep-alive, chunks) with the fields kept in one
// HeaderFields (a string and a table of offsets): http::parser would store every field in a node
// of its own, a few allocations per response. The body goes to the sink.
class ResponseParser final : public http::basic_parser<false> {
 public:
  unsigned status = 0;
  HeaderFields* fields = nullptr;            // receives the header's fields
  BodySink* sink = nullptr;                  // set before the body is read

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int, error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, error_code&) override { status = static_cast<unsigned>(code); }
  void on_field_impl(http::field, beast::string_view name, beast::string_view value, error_code&) override {
    fields->add(std::string_view(name.data(), name.size()), std::string_view(value.data(), value.size()));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(beast::string_view body, error_code& ec) override { return sink->put(body, ec); }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code& ec) override {
    return sink->put(body, ec);
  }
  void on_finish_impl(error_code&) override {}
};

// A connection's read buffer as Beast's reads see it, noting whether the last read filled all
// the room it was offered. One that did not emptied the socket, so the check for bytes past the
// end of a response needs no FIONREAD (one system call per request) to know there are none.
class ReadBuffer {
 public:
  using const_buffers_type = beast::flat_buffer::const_buffers_type;
  using mutable_buffers_type = beast::flat_buffer::mutable_buffers_type;

  explicit ReadBuffer(beast::flat_buffer& buffer) : buffer_(buffer) {}
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
  beast::flat_buffer& buffer() { return buffer_; }
  const beast::flat_buffer& buffer() const { return buffer_; }

 private:
  beast::flat_buffer& buffer_;
  std::size_t offered_ = 0;
  bool filled_ = true;  // no read yet: assume the socket may hold more
};

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_retryable_status(unsigned status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

// The deadline of one stage: its own timeout, but never past the whole fetch's deadline.
struct StageDeadline {
  clock_type::time_point at;
  bool total_limited;  // a timeout here means the total timeout, for the message
};
StageDeadline stage_deadline(std::chrono::milliseconds stage, clock_type::time_point total_deadline) {
  const auto own = clock_type::now() + stage;
  return own < total_deadline ? StageDeadline{own, false} : StageDeadline{total_deadline, true};
}

// Why and where a fetch failed: the cause's category, the message a person reads, the stage it
// was in and the error code behind it (empty when the client judged the failure itself).
struct Failure {
  ErrorKind kind = ErrorKind::none;
  std::string message;
  FetchStage stage = FetchStage::none;
  std::error_code cause;
};

// The end of a fetch the caller cancelled, in the stage it was in.
Failure cancelled_failure(FetchStage stage) {
  return {ErrorKind::cancelled, "cancelled: the fetch was cancelled", stage,
          make_error_code(std::errc::operation_canceled)};
}

// What one hop sends, and what it does with the answer's body.
struct Outgoing {
  const FetchRequest& request;  // method, header fields and body, as redirects rewrote them
  BodyMode body_mode;           // never client_default
  std::uint64_t body_limit;     // decoded body bytes accepted (the keep limit in keep mode)
  bool may_retry;               // a retryable status will be tried again: it is not final
};

// The bytes a body goes to once decoded: one pointer to this is all the decoder's sink holds,
// so that std::function keeps it in place instead of allocating.
struct DecodedTargets {
  Sha256* digest = nullptr;
  std::string* keep = nullptr;
  BodyHandler* handler = nullptr;
};

// RFC 9110 15.4: a 303 turns the request into a GET (a HEAD stays one); 301 and 302 turn a POST
// into a GET, as browsers do; 307 and 308 keep the method and the body.
void rewrite_for_redirect(FetchRequest& request, unsigned status) {
  const bool to_get = (status == 303 && request.method != Method::head) ||
                      ((status == 301 || status == 302) && request.method == Method::post);
  if (!to_get) return;
  request.method = Method::get;
  request.body.clear();
  request.headers.erase("content-type");
}

// What one request/response exchange produced.
struct Exchange {
  Failure failure;
  std::string location;               // a redirect status with a Location header
  std::chrono::milliseconds retry_after{-1};  // the server's Retry-After, when it sent one
  bool reusable = false;              // the connection can carry another request
  bool nothing_received = false;      // failed before any response byte (stale keep-alive)
};

// Retry-After as delta-seconds; an HTTP-date is not worth a date parser here and is ignored.
std::chrono::milliseconds parse_retry_after(std::string_view value) {
  unsigned seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc{} || end != value.data() + value.size()) return std::chrono::milliseconds(-1);
  return std::chrono::seconds(std::min(seconds, 3600u));
}

}  // namespace

struct Client::Impl {
  FetchOptions options;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  detail::TlsSessionCache tls_sessions;  // after `tls`: it unhooks itself from the context first
  detail::HostResolver resolver;
  detail::HostLimiter host_limiter;
  detail::HostPacer host_pacer;
  // Fetched once: EVP_sha256() in a digest init makes OpenSSL 3 look the algorithm up, under a
  // global lock, on every call.
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256{EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free};
  // Pooled connections are tagged with their client: one with other TLS settings never reuses them.
  const std::string pool_tag;
  std::once_flag system_trust_once;
  std::string system_trust_error;  // written once, under system_trust_once
  // The proxy settings, parsed (validate); nullopt: none.
  std::optional<FetchOptions::Endpoint> http_proxy;
  std::optional<FetchOptions::Endpoint> https_proxy;
  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> tls_handshakes{0};
  std::atomic<std::uint64_t> tls_resumed{0};

  static std::string next_pool_tag() {
    static std::atomic<std::uint64_t> clients{0};
    return "client" + std::to_string(++clients) + "|";
  }

  explicit Impl(FetchOptions o) : options(std::move(o)), host_limiter(options.max_per_host), host_pacer(options.min_host_interval), pool_tag(next_pool_tag()) {
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    if (options.resume_tls_sessions) tls_sessions.attach(tls.native_handle());
    if (!options.verify_peer) {
      tls.set_verify_mode(asio::ssl::verify_none);
      return;
    }
    tls.set_verify_mode(asio::ssl::verify_peer);
    error_code ec;
    // The system trust store is loaded by the first https connection (system_trust_ready): it
    // parses a few hundred certificates, tens of milliseconds a plain-HTTP run never needs.
    if (!options.ca_file.empty()) {
      tls.load_verify_file(options.ca_file, ec);
      if (ec) throw std::runtime_error(options.ca_file + ": cannot load CA file: " + ec.message());
    }
  }

  // Loads the system trust store once, on first use; false with `error` when it cannot.
  bool system_trust_ready(std::string& error) {
    if (!options.verify_peer || !options.ca_file.empty()) return true;
    std::call_once(system_trust_once, [this] {
      error_code ec;
      tls.set_default_verify_paths(ec);
      if (ec) system_trust_error = "cannot load the system trust store: " + ec.message();
    });
    error = system_trust_error;
    return error.empty();
  }

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

  // `what` names the step in the message ("TLS handshake"); `cause`: the timer's code.
  Failure timeout_failure(FetchStage stage, const char* what, std::chrono::milliseconds limit, bool total_limited,
                          std::error_code cause) const {
    if (total_limited) {
      return {ErrorKind::timeout,
              std::string(what) + ": total timeout of " + format_duration(options.total_timeout) + " exceeded", stage,
              cause};
    }
    return {ErrorKind::timeout, std::string(what) + ": timed out after " + format_duration(limit), stage, cause};
  }

  // Resolves (unless the route is an address literal) and connects, trying each address in
  // turn, all within the connect deadline. `routed_from`: the URL's host when a connect-to rule
  // sent it elsewhere, so a message names it ("connect a.test via 127.0.0.1:8080: ...").
  asio::awaitable<Failure> connect(beast::tcp_stream& stream, const FetchOptions::Endpoint& route,
                                   clock_type::time_point total_deadline, const std::string& routed_from = {}) {
    const auto deadline = stage_deadline(options.connect_timeout, total_deadline);
    const auto where = (routed_from.empty() ? "" : routed_from + " via ") + route.host + ":" + std::to_string(route.port);
    error_code ec;
    std::vector<tcp::endpoint> endpoints;
    if (auto address = asio::ip::make_address(route.host, ec); !ec) {
      endpoints.emplace_back(address, route.port);
    } else {
      auto answer = co_await resolver.resolve(route.host, route.port, deadline.at);
      if (answer.timed_out) {
        co_return timeout_failure(FetchStage::resolve, "resolve", options.connect_timeout, deadline.total_limited,
                                  make_error_code(std::errc::timed_out));
      }
      if (!answer.error.empty()) {
        co_return Failure{ErrorKind::dns, "resolve " + route.host + ": " + answer.error, FetchStage::resolve,
                          answer.cause};
      }
      endpoints = std::move(answer.endpoints);
    }
    stream.expires_at(deadline.at);
    for (const auto& endpoint : endpoints) {
      // The socket is opened here, not by async_connect, so that running out of descriptors is
      // reported as such rather than as a cancelled connect.
      error_code ignored;
      stream.socket().close(ignored);
      stream.socket().open(endpoint.protocol(), ec);
      if (ec == asio::error::no_descriptors || ec == std::errc::too_many_files_open_in_system ||
          ec == asio::error::no_buffer_space || ec == asio::error::no_memory) {
        co_return Failure{ErrorKind::resource, "connect " + where + ": cannot open a socket: " + ec.message(),
                          FetchStage::connect, ec};
      }
      if (ec) continue;
      // Non-blocking for our own sends too (send_now, plain connections; TLS never writes
      // synchronously), set before async_connect would set it for Asio alone: one ioctl per
      // connection instead of two.
      stream.socket().non_blocking(true, ec);
      if (ec) continue;
      co_await stream.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec || ec == beast::error::timeout) break;
    }
    if (ec == beast::error::timeout) {
      co_return timeout_failure(FetchStage::connect, "connect", options.connect_timeout, deadline.total_limited, ec);
    }
    if (ec) co_return Failure{ErrorKind::connect, "connect " + where + ": " + ec.message(), FetchStage::connect, ec};
    ++connections_opened;
    co_return Failure{};
  }

  static std::string tls_failure_message(SSL* ssl, const error_code& ec) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) return std::string("certificate rejected: ") + X509_verify_cert_error_string(verify);
    return ec.message();
  }

  // Asks an HTTP proxy for a tunnel to the origin; TLS then runs through it end to end.
  asio::awaitable<Failure> open_tunnel(beast::tcp_stream& stream, const UrlParts& url,
                                       clock_type::time_point total_deadline) {
    const auto authority = (url.host_is_address && url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) +
                           ":" + std::to_string(url.port);
    http::request<http::empty_body> request{http::verb::connect, authority, 11};
    request.set(http::field::host, authority);
    request.set(http::field::user_agent, options.user_agent);
    const auto deadline = stage_deadline(options.connect_timeout, total_deadline);
    stream.expires_at(deadline.at);
    error_code ec;
    co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a CONNECT answer has no body; what follows belongs to the tunnel
    if (!ec) co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout) {
      co_return timeout_failure(FetchStage::connect, "proxy CONNECT", options.connect_timeout, deadline.total_limited,
                                ec);
    }
    if (ec) co_return Failure{ErrorKind::connect, "proxy CONNECT " + authority + ": " + ec.message(), FetchStage::connect, ec};
    if (parser.get().result_int() / 100 != 2) {
      co_return Failure{ErrorKind::connect,
                        "proxy refused CONNECT " + authority + ": HTTP " + std::to_string(parser.get().result_int()),
                        FetchStage::connect, {}};
    }
    if (buffer.size() != 0) {
      co_return Failure{ErrorKind::protocol, "proxy sent data before the tunnel opened", FetchStage::connect, {}};
    }
    co_return Failure{};
  }

  // A new connection: connect (to the route, or to the proxy and through a tunnel for https),
  // then for https the TLS handshake with SNI and name checks.
  // `route`: where the socket goes, the proxy itself when `via_proxy`.
  asio::awaitable<Failure> open(Connection& connection, const UrlParts& url, const FetchOptions::Endpoint& route,
                                bool via_proxy, clock_type::time_point hop_start,
                                clock_type::time_point total_deadline, FetchResult& result) {
    auto stream = std::make_unique<beast::tcp_stream>(co_await asio::this_coro::executor);
    const auto routed_from = !via_proxy && route.host != url.host ? url.host : std::string();
    if (auto failure = co_await connect(*stream, route, total_deadline, routed_from); failure.kind != ErrorKind::none) {
      co_return failure;
    }
    if (via_proxy && url.tls) {
      if (auto failure = co_await open_tunnel(*stream, url, total_deadline); failure.kind != ErrorKind::none) {
        co_return failure;
      }
    }
    connection.absolute_form = via_proxy && !url.tls;
    result.timings.connect = clock_type::now() - hop_start;
    if (!url.tls) {
      connection.plain = std::move(stream);
      co_return Failure{};
    }
    if (std::string problem; !system_trust_ready(problem)) co_return Failure{ErrorKind::tls, "TLS: " + problem, FetchStage::tls, {}};
    connection.secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*stream), tls);
    auto& tls_stream = *connection.secure;
    SSL* ssl = tls_stream.native_handle();
    if (!url.host_is_address && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                         const_cast<char*>(url.host.c_str())) != 1) {
      co_return Failure{ErrorKind::tls, "TLS: cannot set SNI for " + url.host, FetchStage::tls, {}};
    }
    // OpenSSL checks the name itself, so a mismatch is reported as one ("hostname mismatch").
    if (options.verify_peer) {
      const int named = url.host_is_address
                            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str())
                            : SSL_set1_host(ssl, url.host.c_str());
      if (named != 1) {
        co_return Failure{ErrorKind::tls, "TLS: cannot set the name to verify: " + url.host, FetchStage::tls, {}};
      }
    }
    // Resumed, the handshake skips the certificate's parse and checks: the session was made by
    // a handshake that passed them, with this same host name.
    if (options.resume_tls_sessions) tls_sessions.prepare(ssl, url.host + ":" + std::to_string(url.port));
    error_code ec;
    const auto deadline = stage_deadline(options.tls_timeout, total_deadline);
    beast::get_lowest_layer(tls_stream).expires_at(deadline.at);
    co_await tls_stream.async_handshake(asio::ssl::stream_base::client,
                                        asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout) {
      co_return timeout_failure(FetchStage::tls, "TLS handshake", options.tls_timeout, deadline.total_limited, ec);
    }
    if (ec) {
      co_return Failure{ErrorKind::tls, "TLS handshake with " + url.host + ": " + tls_failure_message(ssl, ec),
                        FetchStage::tls, ec};
    }
    ++tls_handshakes;
    if (SSL_session_reused(ssl) == 1) ++tls_resumed;
    result.timings.tls = clock_type::now() - hop_start;
    co_return Failure{};
  }

  // Response bytes already here but not part of the response just parsed: in the read buffer,
  // decrypted inside OpenSSL, or (plain TCP) waiting in the socket.
  static std::size_t unread_bytes(beast::tcp_stream& stream, const ReadBuffer& buffer) {
    // A read that did not fill the room it had took all the socket held: FIONREAD would find
    // nothing there but bytes that came later, which no check at this moment can promise to see.
    if (!buffer.last_read_filled()) return buffer.size();
    error_code ignored;
    return buffer.size() + stream.socket().available(ignored);
  }
  static std::size_t unread_bytes(beast::ssl_stream<beast::tcp_stream>& stream, const ReadBuffer& buffer) {
    // Not the socket: a close_notify or session ticket waiting there is TLS, not response bytes.
    return buffer.size() + static_cast<std::size_t>(std::max(0, SSL_pending(stream.native_handle())));
  }

  // Writes as much of `bytes` as a plain socket takes right now, without waiting; 0 when it
  // takes nothing or fails (the asynchronous write that follows then meets the error itself).
  // A request usually fits the socket's send buffer whole: written here, it skips the
  // asynchronous write's machinery (a timer armed and cancelled, a reactor operation, a
  // suspension and resumption of the coroutine), about a microsecond of a 20 us request.
  static std::size_t send_now(beast::tcp_stream& stream, std::string_view bytes) {
    if (!stream.socket().non_blocking()) return 0;
    error_code ec;
    const auto sent = stream.socket().send(asio::buffer(bytes), 0, ec);
    return ec ? 0 : sent;
  }
  static std::size_t send_now(beast::ssl_stream<beast::tcp_stream>&, std::string_view) { return 0; }

  // A read's error as a failure of `stage`; `what` names the step in the message.
  Failure classify_read_error(const error_code& ec, FetchStage stage, const char* what, const StageDeadline& deadline,
                              std::uint64_t body_limit) const {
    if (ec == beast::error::timeout) {
      return timeout_failure(stage, what, options.first_byte_timeout, deadline.total_limited, ec);
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

  // Parses what the header's read brought of the body (all of it, for most pages) without
  // reading: an asynchronous read that finds everything it needs in the buffer still completes
  // through the loop (a post and a pass of the scheduler per response, and in a blocking loop an
  // epoll_wait as well). Stops at the end of the buffer, or at an incomplete piece (a chunk
  // header cut in two) that the read after this completes; `ec` as the read would give it.
  static void parse_buffered_body(ResponseParser& parser, ReadBuffer& reads, error_code& ec) {
    while (!parser.is_done() && reads.size() > 0) {
      const auto used = parser.put(reads.data(), ec);
      reads.consume(used);
      if (ec == http::error::need_more) ec = {};
      if (ec || used == 0) return;
    }
  }

  // The request's head, and its body after it, as one string: the bytes Beast's serializer would
  // write for these fields, without a fields container that allocates a node per field. Through
  // a plain-HTTP proxy the request line names the whole URL (RFC 9112 3.2.2).
  std::string request_bytes(const UrlParts& url, bool absolute_form, const FetchRequest& request) const {
    const auto& extra = request.headers;
    std::size_t extra_size = request.body.size();
    for (std::size_t i = 0; i < extra.size(); ++i) extra_size += extra[i].name.size() + extra[i].value.size() + 4;
    std::string bytes;
    // Room for every line below at once (the fixed text is under 160 bytes), so it grows no more.
    bytes.reserve(160 + url.host_header.size() * 2 + url.target.size() + options.user_agent.size() + extra_size);
    (bytes += to_string(request.method)) += ' ';
    if (absolute_form) (bytes += "http://") += url.host_header;
    bytes += url.target;
    bytes += " HTTP/1.1\r\nHost: ";
    bytes += url.host_header;
    bytes += "\r\n";
    // The caller's own User-Agent, Accept or Accept-Encoding replaces the client's.
    if (!extra.contains("user-agent")) ((bytes += "User-Agent: ") += options.user_agent) += "\r\n";
    if (!extra.contains("accept")) bytes += "Accept: */*\r\n";
    if (options.decompress && !extra.contains("accept-encoding")) bytes += "Accept-Encoding: gzip, deflate\r\n";
    for (std::size_t i = 0; i < extra.size(); ++i) (((bytes += extra[i].name) += ": ") += extra[i].value) += "\r\n";
    if (!request.body.empty() || request.method == Method::post || request.method == Method::put) {
      ((bytes += "Content-Length: ") += std::to_string(request.body.size())) += "\r\n";
    }
    // Without keep-alive, saying so lets the server close first (and us skip a TIME_WAIT).
    if (!options.keep_alive) bytes += "Connection: close\r\n";
    bytes += "\r\n";
    bytes += request.body;
    return bytes;
  }

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
    }
    co_return ec;
  }

  // The HTTP exchange on an established (plain or TLS) stream, reading through the
  // connection's own buffer: the request, the header (interim 1xx skipped), then the body.
  template <class Stream>
  asio::awaitable<Exchange> exchange(Stream& stream, const UrlParts& url, bool absolute_form, bool alone_on_loop,
                                     const Outgoing& outgoing, clock_type::time_point hop_start,
                                     clock_type::time_point total_deadline, FetchResult& result,
                                     beast::flat_buffer& buffer) {
    auto& socket = beast::get_lowest_layer(stream);
    Exchange outcome;
    const auto request = request_bytes(url, absolute_form, outgoing.request);
    const auto deadline = stage_deadline(options.first_byte_timeout, total_deadline);
    socket.expires_at(deadline.at);
    auto ec = co_await send_request(stream, request, alone_on_loop);
    if (ec == beast::error::timeout) {
      outcome.failure =
          timeout_failure(FetchStage::write, "send request", options.first_byte_timeout, deadline.total_limited, ec);
      co_return outcome;
    }
    if (ec) {
      outcome.failure = {ErrorKind::protocol, "send request: " + ec.message(), FetchStage::write, ec};
      outcome.nothing_received = true;
      co_return outcome;
    }

    // Beast reads as much as the buffer has room for: grown before the header, a small response
    // (header and body) comes in one read; left at its initial 512 bytes, a 30 KB body costs 60.
    // The buffer is allocated here, once the request is out, not when the connection opens.
    buffer.clear();
    buffer.reserve(read_buffer_initial);
    ReadBuffer reads(buffer);
    std::optional<ResponseParser> reader;
    if (!co_await read_header(stream, reads, reader, outgoing, hop_start, deadline, result, outcome)) co_return outcome;
    if (const auto location = result.headers.find("location"); location && is_redirect(result.status)) {
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
    const DecodedTargets targets{nullptr, outgoing.body_mode == BodyMode::keep && final_response ? &result.body : nullptr,
                                 handler};
    co_await read_body(stream, reads, *reader, outgoing, targets, result, outcome);
    co_return outcome;
  }

  // Reads the response header into `reader` and result (status, header fields, first-byte time),
  // skipping interim 1xx responses (100 Continue, 103 Early Hints); false with outcome.failure
  // set when it cannot.
  template <class Stream>
  asio::awaitable<bool> read_header(Stream& stream, ReadBuffer& reads, std::optional<ResponseParser>& reader,
                                    const Outgoing& outgoing, clock_type::time_point hop_start,
                                    const StageDeadline& deadline, FetchResult& result, Exchange& outcome) {
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
        outcome.nothing_received = !fresh.got_some() && result.timings.first_byte.count() == 0 &&
                                   ec != beast::error::timeout;
        co_return false;
      }
      if (!result.timings.first_byte.count()) result.timings.first_byte = clock_type::now() - hop_start;
      result.status = fresh.status;
    } while (result.status >= 100 && result.status < 200 && result.status != 101);
    if (result.status < 100 || result.status > 599) {
      // Beast takes any three digits; RFC 9110 section 15 allows 100 to 599 only.
      outcome.failure = {ErrorKind::protocol, "invalid status code " + std::to_string(result.status),
                         FetchStage::read_header, {}};
      result.status = 0;
      co_return false;
    }
    co_return true;
  }

  // Bytes past the end of the message (RFC 9112 6.3): the message is what its framing says,
  // the rest is not the body; the connection is not reused. A stray CRLF, as some old servers
  // send, is dropped without a warning.
  static std::string excess_warning(const ResponseParser& parser, const beast::flat_buffer& buffer, std::size_t excess) {
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

  // Reads the body after the header: through the decoder into SHA-256 and the targets (the kept
  // body, the caller's handler); then checks what follows it.
  template <class Stream>
  asio::awaitable<void> read_body(Stream& stream, ReadBuffer& reads, ResponseParser& parser, const Outgoing& outgoing,
                                  DecodedTargets targets, FetchResult& result, Exchange& outcome) {
    const StageDeadline deadline{clock_type::time_point(), true};  // the total deadline, for messages
    const auto content_encoding = result.headers.find("content-encoding").value_or(std::string_view());
    const auto encoding = options.decompress ? content_encoding : std::string_view();
    detail::PassThrough pass_through(outgoing.body_limit);
    std::unique_ptr<detail::ContentDecoder> inflater;
    if (!detail::ContentDecoder::is_pass_through(encoding)) {
      inflater = detail::ContentDecoder::make(encoding, outgoing.body_limit);
      if (!inflater) {
        outcome.failure = {ErrorKind::protocol,
                           "unsupported Content-Encoding '" + detail::printable(content_encoding) + "'",
                           FetchStage::read_body, {}};
        co_return;
      }
    }
    detail::ContentDecoder& decoder = inflater ? *inflater : pass_through;
    std::optional<Sha256> digest;
    if (options.body_digest) digest.emplace(sha256.get());
    targets.digest = digest ? &*digest : nullptr;
    const detail::ContentDecoder::Sink decoded = [to = &targets](const char* data, std::size_t size) {
      if (to->digest) to->digest->update(data, size);
      if (to->keep) to->keep->append(data, size);
      if (to->handler && size != 0) to->handler->on_body_chunk(std::string_view(data, size));
    };
    BodySink sink{&decoder, &decoded};
    parser.sink = &sink;
    const auto ec = co_await read_rest(stream, reads, parser);
    result.wire_bytes = sink.wire_bytes;
    result.body_bytes = decoder.decoded_bytes();
    if (sink.verdict == detail::ContentDecoder::Result::too_large) {
      outcome.failure = {ErrorKind::too_large,
                         "read body: decoded body larger than the limit of " + std::to_string(outgoing.body_limit) +
                             " bytes",
                         FetchStage::read_body, {}};
      co_return;
    }
    if (sink.verdict == detail::ContentDecoder::Result::corrupt) {
      outcome.failure = {ErrorKind::protocol, "read body: corrupt " + detail::printable(content_encoding) + " data",
                         FetchStage::read_body, {}};
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
    outcome.reusable = options.keep_alive && parser.keep_alive() && excess == 0;
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

  Failure read_body_failure(const error_code& ec, const ResponseParser& parser, const StageDeadline& deadline,
                            std::uint64_t body_limit) const {
    auto failure = classify_read_error(ec, FetchStage::read_body, "read body", deadline, body_limit);
    const auto declared = parser.content_length();
    const auto missing = parser.content_length_remaining();
    if (declared && missing &&
        (ec == http::error::partial_message || ec == http::error::end_of_stream ||
         ec == asio::ssl::error::stream_truncated)) {
      failure.message = "read body: server closed the connection after " + std::to_string(*declared - *missing) +
                        " of " + std::to_string(*declared) + " body bytes";
    }
    return failure;
  }

  // One request to one URL over a pooled or a new connection; a pooled connection that turns
  // out dead before any response byte is replaced once by a new one (the stale-connection rule).
  asio::awaitable<Exchange> attempt(const UrlParts& url, const Outgoing& outgoing, clock_type::time_point total_deadline,
                                    FetchResult& result) {
    auto executor = co_await asio::this_coro::executor;
    auto& pool = asio::use_service<detail::ConnectionPool>(asio::query(executor, asio::execution::context));
    const auto& configured_proxy = url.tls ? https_proxy : http_proxy;
    const auto proxy = configured_proxy && !options.bypasses_proxy(url.host) ? configured_proxy : std::nullopt;
    const auto route = proxy ? *proxy : options.route(url.host, url.port);
    // Built in one allocation: a chain of + would allocate once per step it outgrows.
    std::string key;
    key.reserve(pool_tag.size() + url.host.size() + route.host.size() + 40);
    ((key += pool_tag) += url.tls ? "https://" : "http://") += url.host;
    ((key += ':') += std::to_string(url.port)) += proxy ? "|proxy " : "|";
    ((key += route.host) += ':') += std::to_string(route.port);
    for (bool allow_pooled = options.keep_alive;;) {
      const auto hop_start = clock_type::now();
      result.status = 0;
      result.body_bytes = 0;
      result.wire_bytes = 0;
      result.body_sha256.clear();
      result.body.clear();
      result.headers.clear();
      result.warning.clear();
      result.body_skipped = false;
      result.timings = {};
      auto connection = allow_pooled ? pool.take(key, options.idle_timeout) : nullptr;
      result.reused_connection = connection != nullptr;
      if (!connection) {
        connection = std::make_unique<Connection>();
        if (auto failure = co_await open(*connection, url, route, proxy.has_value(), hop_start, total_deadline, result);
            failure.kind != ErrorKind::none) {
          co_return Exchange{std::move(failure), {}, std::chrono::milliseconds(-1), false, false};
        }
      }
      // Two statements, not a conditional expression: GCC 12 destroys the temporaries of a
      // co_await inside ?: twice.
      Exchange outcome;
      if (connection->secure) {
        outcome = co_await exchange(*connection->secure, url, false, pool.one_fetch_at_a_time(), outgoing, hop_start,
                                    total_deadline, result, connection->buffer);
      } else {
        outcome = co_await exchange(*connection->plain, url, connection->absolute_form, pool.one_fetch_at_a_time(),
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
        if (connection->buffer.capacity() > read_buffer_large) connection->buffer.shrink_to_fit();
        pool.give_back(key, std::move(connection), options.max_idle_per_host, options.idle_timeout);
      }
      co_return outcome;
    }
  }

  // A load run fetches one URL again and again: the last URL's parts are kept per thread, so it
  // is parsed once, not per request. A list, where each URL comes once, pays a comparison.
  static bool split_url_again(const std::string& text, UrlParts& parts, std::string& error) {
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

  // Retry policy: which failures are worth another attempt.
  static bool worth_retrying(const Failure& failure, unsigned status) {
    return failure.kind == ErrorKind::connect || failure.kind == ErrorKind::timeout ||
           (failure.kind == ErrorKind::none && is_retryable_status(status));
  }

  std::chrono::milliseconds backoff(unsigned retry, std::chrono::milliseconds retry_after) const {
    thread_local std::minstd_rand random{std::random_device{}()};
    const auto ceiling = std::min<long long>(options.retry_cap.count(),
                                             options.retry_base.count() << std::min(retry, 20u));
    std::uniform_int_distribution<long long> pick(0, std::max(0LL, ceiling));
    return std::max(std::chrono::milliseconds(pick(random)), retry_after);
  }

  // Whether the caller cancelled this fetch (its cancellation slot was emitted).
  static asio::awaitable<bool> cancelled() {
    co_return (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
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
                       "waiting " + format_duration(options.min_host_interval) + " between requests to " + url.host +
                           ": total timeout of " + format_duration(options.total_timeout) + " exceeded",
                       FetchStage::policy, {}};
        co_return hop;
      }
      ++result.attempts;
      const bool may_retry = retry < options.retries && is_idempotent(request.method);
      const Outgoing outgoing{request, body_mode, body_limit, may_retry};
      hop = co_await attempt(url, outgoing, total_deadline, result);
      if (!may_retry || !worth_retrying(hop.failure, result.status)) co_return hop;
      // A cancelled fetch neither waits its backoff out nor tries again.
      if (co_await cancelled()) break;
      const auto delay = backoff(retry, hop.retry_after);
      if (clock_type::now() + delay >= total_deadline) co_return hop;
      asio::steady_timer pause(co_await asio::this_coro::executor, delay);
      error_code ignored;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (co_await cancelled()) break;
    }
    // In the stage the last attempt failed in; after a retryable status, in the backoff's wait.
    hop.failure = cancelled_failure(hop.failure.stage == FetchStage::none ? FetchStage::policy : hop.failure.stage);
    co_return hop;
  }

  // Moves result.final_url on to `location`, unless the redirect is one not to follow: to a bad
  // URL, from https down to http, back to a URL already visited, or one too many.
  Failure follow_redirect(const UrlParts& url, const std::string& location, std::vector<std::string>& visited,
                          FetchResult& result) const {
    auto next = resolve_url(result.final_url, location);
    if (!next.error.empty()) return {ErrorKind::bad_url, std::move(next.error), FetchStage::redirect, {}};
    // resolve_url normalises the scheme to lower case.
    if (url.tls && next.url.rfind("http:", 0) == 0 && !options.allow_https_downgrade) {
      return {ErrorKind::protocol,
              "refusing to follow a redirect from https to plain http (" + next.url +
                  "); set allow_https_downgrade to follow it",
              FetchStage::policy, {}};
    }
    visited.push_back(result.final_url);
    if (std::find(visited.begin(), visited.end(), next.url) != visited.end()) {
      return {ErrorKind::redirect_loop, "redirect loop: " + result.final_url + " -> " + next.url,
              FetchStage::redirect, {}};
    }
    if (result.redirects >= options.max_redirects) {
      return {ErrorKind::too_many_redirects,
              "more than " + std::to_string(options.max_redirects) + " redirects, last to " + next.url,
              FetchStage::redirect, {}};
    }
    ++result.redirects;
    result.final_url = std::move(next.url);
    return {};
  }

  asio::awaitable<FetchResult> fetch(FetchRequest request, std::size_t index) {
    const auto start = clock_type::now();
    const auto total_deadline = start + options.total_timeout;
    FetchResult result;
    result.index = index;
    result.url = std::move(request.url);
    result.source = std::move(request.source);
    result.final_url = result.url;
    const auto fail = [&](Failure failure) {
      result.error = failure.kind;
      result.stage = failure.stage;
      result.cause = failure.cause;
      result.message = result.source.empty() ? std::move(failure.message) : result.source + ": " + failure.message;
    };
    if (!request.error.empty()) {
      fail({ErrorKind::bad_url, std::move(request.error), FetchStage::request, {}});
      co_return result;
    }
    if (auto problem = check_request(request); !problem.empty()) {
      fail({ErrorKind::bad_request, std::move(problem), FetchStage::request, {}});
      co_return result;
    }
    const auto body_mode = request.body_mode != BodyMode::client_default ? request.body_mode
                           : options.keep_body                            ? BodyMode::keep
                                                                          : BodyMode::discard;
    const auto body_limit = body_mode == BodyMode::keep && request.keep_limit != 0
                                ? std::min(request.keep_limit, options.body_limit)
                                : options.body_limit;

    std::vector<std::string> visited;
    for (;;) {
      UrlParts url;
      std::string problem;
      if (!split_url_again(result.final_url, url, problem)) {
        // The first URL is the request's; a later one is where a redirect pointed.
        fail({ErrorKind::bad_url, std::move(problem), visited.empty() ? FetchStage::request : FetchStage::redirect, {}});
        break;
      }
      // Without a per-host limit or interval, no coroutine is started to say "go ahead".
      std::optional<detail::HostLimiter::Slot> slot(std::in_place);  // empty: releases nothing
      if (options.max_per_host != 0) {
        auto acquired = co_await host_limiter.acquire(url.host, total_deadline);
        if (!acquired) {
          fail({ErrorKind::timeout,
                "waiting for a connection slot to " + url.host + ": total timeout of " +
                    format_duration(options.total_timeout) + " exceeded",
                FetchStage::policy, {}});
          break;
        }
        slot.reset();
        slot.emplace(std::move(*acquired));
      }
      auto hop = co_await attempts(url, request, body_mode, body_limit, total_deadline, result);
      if (hop.failure.kind != ErrorKind::none) {
        fail(std::move(hop.failure));
        break;
      }
      if (hop.location.empty()) {
        if (result.status >= 400) {
          // A delivered response: no stage failed.
          fail({ErrorKind::http_status, "HTTP " + std::to_string(result.status) + " from " + result.final_url,
                FetchStage::none, {}});
        }
        break;
      }
      if (co_await cancelled()) {
        fail(cancelled_failure(FetchStage::redirect));
        break;
      }
      if (auto refused = follow_redirect(url, hop.location, visited, result); refused.kind != ErrorKind::none) {
        fail(std::move(refused));
        break;
      }
      rewrite_for_redirect(request, result.status);
    }
    result.timings.total = clock_type::now() - start;
    co_return result;
  }
};

Client::Client(FetchOptions options) : impl_(std::make_shared<Impl>(std::move(options))) { impl_->validate(); }
Client::~Client() = default;

const FetchOptions& Client::options() const { return impl_->options; }

Client::Counters Client::counters() const {
  return {impl_->connections_opened.load(), impl_->tls_handshakes.load(), impl_->tls_resumed.load()};
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
    const auto cancelled = cancelled_failure(result.stage);
    result.error = cancelled.kind;
    result.cause = cancelled.cause;
    result.message = (result.source.empty() ? "" : result.source + ": ") + cancelled.message;
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
                 asio::bind_cancellation_slot(slot, [executor, handler = std::move(handler), url = std::move(url),
                                                     source = std::move(source)](
                     std::exception_ptr error, FetchResult result) mutable {
                   if (error) result = internal_failure_result(error, url, source);
                   const auto handler_executor = asio::get_associated_executor(handler, executor);
                   asio::dispatch(handler_executor, [handler = std::move(handler), result = std::move(result)]() mutable {
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
    if (error) failure = error;
    else result = std::move(value);
  });
  loop.restart();
  // Run until this fetch is done, not until the loop is idle: work left by an earlier fetch
  // (a DNS answer nobody waits for any more) must not hold this one up.
  while (!result && !failure) loop.run_one();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace fetcher
