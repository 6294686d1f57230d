// client.cpp: the one HTTP/1.1 client. Every strategy's fetches run through fetch_hop below.
#include <fetcher/client.hpp>
#include <fetcher/url.hpp>

#include "host_resolver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <memory>
#include <optional>
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

constexpr std::size_t header_limit = 64 * 1024;
constexpr std::size_t body_chunk = 16 * 1024;

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

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The deadline of one stage: its own timeout, but never past the whole fetch's deadline.
// `which` remembers what a timeout at this point means, for the message.
struct StageDeadline {
  clock_type::time_point at;
  bool total_limited;
};
StageDeadline stage_deadline(std::chrono::milliseconds stage, clock_type::time_point total_deadline) {
  const auto own = clock_type::now() + stage;
  return own < total_deadline ? StageDeadline{own, false} : StageDeadline{total_deadline, true};
}

// What one request/response exchange (one hop) produced.
struct HopOutcome {
  ErrorKind error = ErrorKind::none;
  std::string message;
  std::string location;  // set for a redirect status with a Location header
};

struct Failure {
  ErrorKind kind;
  std::string message;
};

}  // namespace

struct Client::Impl {
  FetchOptions options;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  detail::HostResolver resolver;
  // Fetched once: EVP_sha256() in a digest init makes OpenSSL 3 look the algorithm up, under a
  // global lock, on every call.
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256{EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free};

  explicit Impl(FetchOptions o) : options(std::move(o)) {
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    if (!options.verify_peer) {
      tls.set_verify_mode(asio::ssl::verify_none);
      return;
    }
    tls.set_verify_mode(asio::ssl::verify_peer);
    error_code ec;
    if (options.ca_file.empty()) {
      tls.set_default_verify_paths(ec);
      if (ec) throw std::runtime_error("cannot load the system trust store: " + ec.message());
    } else {
      tls.load_verify_file(options.ca_file, ec);
      if (ec) throw std::runtime_error(options.ca_file + ": cannot load CA file: " + ec.message());
    }
  }

  Failure timeout_failure(const char* stage, std::chrono::milliseconds limit, bool total_limited) const {
    if (total_limited) return {ErrorKind::timeout, std::string(stage) + ": total timeout of " +
                                                       format_duration(options.total_timeout) + " exceeded"};
    return {ErrorKind::timeout, std::string(stage) + ": timed out after " + format_duration(limit)};
  }

  // Resolves (unless the route is an address literal) and connects, trying each address in
  // turn, all within the connect deadline.
  asio::awaitable<std::optional<Failure>> connect(beast::tcp_stream& stream, const UrlParts& url,
                                                 clock_type::time_point total_deadline) {
    const auto route = options.route(url.host, url.port);
    const auto deadline = stage_deadline(options.connect_timeout, total_deadline);
    const auto where = route.host + ":" + std::to_string(route.port);
    error_code ec;
    std::vector<tcp::endpoint> endpoints;
    if (auto address = asio::ip::make_address(route.host, ec); !ec) {
      endpoints.emplace_back(address, route.port);
    } else {
      auto answer = co_await resolver.resolve(route.host, route.port, deadline.at);
      if (answer.timed_out) co_return timeout_failure("resolve", options.connect_timeout, deadline.total_limited);
      if (!answer.error.empty()) co_return Failure{ErrorKind::dns, "resolve " + route.host + ": " + answer.error};
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
        co_return Failure{ErrorKind::resource, "connect " + where + ": cannot open a socket: " + ec.message()};
      }
      if (ec) continue;
      co_await stream.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec || ec == beast::error::timeout) break;
    }
    if (ec == beast::error::timeout) {
      co_return timeout_failure("connect", options.connect_timeout, deadline.total_limited);
    }
    if (ec) co_return Failure{ErrorKind::connect, "connect " + where + ": " + ec.message()};
    co_return std::nullopt;
  }

  static std::string tls_failure_message(SSL* ssl, const error_code& ec) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) return std::string("certificate rejected: ") + X509_verify_cert_error_string(verify);
    return ec.message();
  }

  // The HTTP exchange on an established (plain or TLS) stream: write the GET, read the header,
  // stream the body through SHA-256.
  template <class Stream>
  asio::awaitable<HopOutcome> exchange(Stream& stream, const UrlParts& url, clock_type::time_point hop_start,
                                       clock_type::time_point total_deadline, FetchResult& result) {
    auto& socket = beast::get_lowest_layer(stream);
    error_code ec;
    http::request<http::empty_body> request{http::verb::get, url.target, 11};
    request.set(http::field::host, url.host_header);
    request.set(http::field::user_agent, options.user_agent);
    request.set(http::field::accept, "*/*");
    // One connection per URL until connection reuse lands; saying so lets the server close.
    request.set(http::field::connection, "close");

    auto deadline = stage_deadline(options.first_byte_timeout, total_deadline);
    socket.expires_at(deadline.at);
    co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout) {
      const auto failure = timeout_failure("send request", options.first_byte_timeout, deadline.total_limited);
      co_return HopOutcome{failure.kind, failure.message, {}};
    }
    if (ec) co_return HopOutcome{ErrorKind::protocol, "send request: " + ec.message(), {}};

    beast::flat_buffer buffer;
    // Interim 1xx responses (100 Continue, 103 Early Hints) precede the real one: skip them.
    std::optional<http::response_parser<http::buffer_body>> reader;
    do {
      auto& fresh = reader.emplace();
      fresh.header_limit(header_limit);
      fresh.body_limit(options.body_limit);
      co_await http::async_read_header(stream, buffer, fresh, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return classify_read_error(ec, "read response header", deadline);
      if (!result.timings.first_byte.count()) result.timings.first_byte = clock_type::now() - hop_start;
      result.status = fresh.get().result_int();
    } while (result.status >= 100 && result.status < 200 && result.status != 101);
    auto& parser = *reader;

    if (is_redirect(result.status)) {
      if (auto location = parser.get().find(http::field::location); location != parser.get().end()) {
        co_return HopOutcome{ErrorKind::none, {}, std::string(location->value())};
      }
    }

    socket.expires_at(total_deadline);
    deadline = {total_deadline, true};
    // Beast reads as much as the buffer has room for; left at its initial 512 bytes, a 30 KB
    // body costs 60 reads. Grown only now, so a connection waiting for its header stays small.
    buffer.reserve(body_chunk);
    Sha256 digest(sha256.get());
    char chunk[body_chunk];
    std::uint64_t bytes = 0;
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::need_buffer) ec = {};
      // A body that ends when the connection does (no length, not chunked) over TLS from a
      // server that skips close_notify: OpenSSL says "truncated", HTTP says "complete".
      if (ec == asio::ssl::error::stream_truncated && !parser.content_length() && !parser.chunked()) {
        ec = {};
        parser.put_eof(ec);
      }
      const std::size_t received = sizeof chunk - parser.get().body().size;
      digest.update(chunk, received);
      bytes += received;
      if (options.keep_body) result.body.append(chunk, received);
      if (ec) {
        result.body_bytes = bytes;
        co_return classify_read_error(ec, "read body", deadline);
      }
    }
    result.body_bytes = bytes;
    result.body_sha256 = digest.hex();
    co_return HopOutcome{};
  }

  HopOutcome classify_read_error(const error_code& ec, const char* stage, const StageDeadline& deadline) const {
    if (ec == beast::error::timeout) {
      const auto failure = timeout_failure(stage, options.first_byte_timeout, deadline.total_limited);
      return {failure.kind, failure.message, {}};
    }
    if (ec == http::error::body_limit) {
      return {ErrorKind::too_large, std::string(stage) + ": body larger than the limit of " +
                                        std::to_string(options.body_limit) + " bytes", {}};
    }
    if (ec == http::error::header_limit) {
      return {ErrorKind::too_large, std::string(stage) + ": header section larger than " +
                                        std::to_string(header_limit) + " bytes", {}};
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
        ec == asio::ssl::error::stream_truncated) {
      return {ErrorKind::protocol, std::string(stage) + ": server closed the connection early", {}};
    }
    return {ErrorKind::protocol, std::string(stage) + ": " + ec.message(), {}};
  }

  // One request to one URL: connect, TLS when https, exchange. Fills result's status, body
  // and timings; returns the failure or the Location to follow.
  asio::awaitable<HopOutcome> fetch_hop(const UrlParts& url, clock_type::time_point total_deadline,
                                        FetchResult& result) {
    const auto hop_start = clock_type::now();
    result.status = 0;
    result.body_bytes = 0;
    result.body_sha256.clear();
    result.body.clear();
    result.timings = {};

    beast::tcp_stream stream(co_await asio::this_coro::executor);
    if (auto failure = co_await connect(stream, url, total_deadline)) {
      co_return HopOutcome{failure->kind, std::move(failure->message), {}};
    }
    result.timings.connect = clock_type::now() - hop_start;
    if (!url.tls) co_return co_await exchange(stream, url, hop_start, total_deadline, result);

    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), tls);
    SSL* ssl = tls_stream.native_handle();
    if (!url.host_is_address && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(url.host.c_str())) != 1) {
      co_return HopOutcome{ErrorKind::tls, "TLS: cannot set SNI for " + url.host, {}};
    }
    // OpenSSL checks the name itself, so a mismatch is reported as one ("hostname mismatch").
    if (options.verify_peer) {
      const int named = url.host_is_address
                            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str())
                            : SSL_set1_host(ssl, url.host.c_str());
      if (named != 1) co_return HopOutcome{ErrorKind::tls, "TLS: cannot set the name to verify: " + url.host, {}};
    }
    error_code ec;
    const auto deadline = stage_deadline(options.tls_timeout, total_deadline);
    beast::get_lowest_layer(tls_stream).expires_at(deadline.at);
    co_await tls_stream.async_handshake(asio::ssl::stream_base::client,
                                        asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout) {
      const auto failure = timeout_failure("TLS handshake", options.tls_timeout, deadline.total_limited);
      co_return HopOutcome{failure.kind, failure.message, {}};
    }
    if (ec) co_return HopOutcome{ErrorKind::tls, "TLS handshake with " + url.host + ": " + tls_failure_message(ssl, ec), {}};
    result.timings.tls = clock_type::now() - hop_start;
    co_return co_await exchange(tls_stream, url, hop_start, total_deadline, result);
  }

  asio::awaitable<FetchResult> fetch(FetchRequest request, std::size_t index) {
    const auto start = clock_type::now();
    const auto total_deadline = start + options.total_timeout;
    FetchResult result;
    result.index = index;
    result.url = std::move(request.url);
    result.source = std::move(request.source);
    result.final_url = result.url;
    const auto fail = [&](ErrorKind kind, std::string message) {
      result.error = kind;
      result.message = result.source.empty() ? std::move(message) : result.source + ": " + message;
    };
    if (!request.error.empty()) {
      fail(ErrorKind::bad_url, std::move(request.error));
      co_return result;
    }

    std::vector<std::string> visited;
    for (;;) {
      UrlParts url;
      std::string problem;
      if (!split_url(result.final_url, url, problem)) {
        fail(ErrorKind::bad_url, std::move(problem));
        break;
      }
      auto hop = co_await fetch_hop(url, total_deadline, result);
      if (hop.error != ErrorKind::none) {
        fail(hop.error, std::move(hop.message));
        break;
      }
      if (hop.location.empty()) {
        if (result.status >= 400) {
          fail(ErrorKind::http_status, "HTTP " + std::to_string(result.status) + " from " + result.final_url);
        }
        break;
      }
      auto next = resolve_url(result.final_url, hop.location);
      if (!next.error.empty()) {
        fail(ErrorKind::bad_url, std::move(next.error));
        break;
      }
      visited.push_back(result.final_url);
      if (std::find(visited.begin(), visited.end(), next.url) != visited.end()) {
        fail(ErrorKind::redirect_loop, "redirect loop: " + result.final_url + " -> " + next.url);
        break;
      }
      if (result.redirects >= options.max_redirects) {
        fail(ErrorKind::too_many_redirects,
             "more than " + std::to_string(options.max_redirects) + " redirects, last to " + next.url);
        break;
      }
      ++result.redirects;
      result.final_url = std::move(next.url);
    }
    result.timings.total = clock_type::now() - start;
    co_return result;
  }
};

Client::Client(FetchOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}
Client::~Client() = default;

const FetchOptions& Client::options() const { return impl_->options; }

asio::awaitable<FetchResult> Client::async_fetch(FetchRequest request, std::size_t index) {
  auto impl = impl_;  // the client may be destroyed while this coroutine is suspended
  co_return co_await impl->fetch(std::move(request), index);
}

FetchResult Client::fetch(const FetchRequest& request, std::size_t index) {
  // One private event loop per calling thread, reused by every blocking fetch on it.
  thread_local asio::io_context loop(1);
  std::optional<FetchResult> result;
  std::exception_ptr failure;
  asio::co_spawn(loop, async_fetch(request, index), [&](std::exception_ptr error, FetchResult value) {
    if (error) failure = error;
    else result = std::move(value);
  });
  loop.restart();
  loop.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace fetcher
