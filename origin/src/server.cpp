// server.cpp: the emulated origin's HTTP/1.1 and HTTPS server (Beast over Asio, C++20
// coroutines). Each request queues for one of its host's capacity slots, holds it for the
// modelled latency, then gets its redirect or body; the server counts what each host saw.
#include <fetcher/origin/server.hpp>

#include "certificates.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <stdlib.h>  // mkdtemp
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>  // close

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

namespace fetcher::origin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::string_view server_name = "fetcher-origin";
constexpr std::size_t request_body_limit = 1 << 20;
constexpr std::size_t body_cache_limit_bytes = std::size_t{64} << 20;
// Generous: these only reclaim connections from clients that vanished without closing.
constexpr auto idle_timeout = std::chrono::seconds(120);
// Connections taken from the listen queue at once, after each asynchronous accept (accept_loop).
constexpr int accept_batch = 64;
constexpr auto handshake_timeout = std::chrono::seconds(30);
constexpr auto write_timeout = std::chrono::seconds(60);
constexpr auto tls_shutdown_timeout = std::chrono::seconds(1);
// Faults that stall or stream forever stop after this long, or once the client has gone.
constexpr auto fault_time_limit = std::chrono::seconds(60);
constexpr std::uint64_t endless_byte_limit = std::uint64_t{1} << 30;

// Completion handler for co_spawn: a coroutine that throws only ends its own connection.
auto log_failure(const char* what) {
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

std::string_view host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  return host.substr(0, host.find(':'));
}

// The path and query the model keys on; an absolute-form target (as proxies send) is reduced
// to its path so it meets the same site, counters and body.
std::string request_path(std::string_view target) {
  if (!target.empty() && target.front() != '/') {
    if (const auto url = boost::urls::parse_absolute_uri(target)) target = url->encoded_target();
  }
  return target.empty() ? std::string("/") : std::string(target);
}

std::string make_temporary_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "fetcher-origin-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a certificate directory " + pattern + ": " + std::strerror(errno));
  }
  return pattern;
}

void write_file(const std::string& path, const std::string& contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << contents;
  file.close();
  if (!file) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

void use_identity(asio::ssl::context& context, const std::string& certificate_pem, const std::string& key_pem) {
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  context.use_certificate_chain(asio::buffer(certificate_pem));
  context.use_private_key(asio::buffer(key_pem), asio::ssl::context::pem);
}

// The certificate a tls-* fault presents, or empty for the site's good one.
const std::string* fault_certificate(Fault fault, const Certificates& certificates) {
  switch (fault) {
    case Fault::tls_wrong_name: return &certificates.wrong_name_certificate_pem;
    case Fault::tls_expired: return &certificates.expired_certificate_pem;
    case Fault::tls_self_signed: return &certificates.self_signed_certificate_pem;
    default: return nullptr;
  }
}

// Faults of the connection itself, which act only on the site's own ports.
bool is_connection_fault(Fault fault) {
  return fault == Fault::refuse || fault == Fault::tls_wrong_name || fault == Fault::tls_expired ||
         fault == Fault::tls_self_signed || fault == Fault::tls_stall;
}

std::vector<std::string> host_names(const SiteSet& sites) {
  std::vector<std::string> hosts;
  for (const auto& site : sites.sites) hosts.push_back(site.host);
  return hosts;
}

using ServiceClock = std::chrono::steady_clock;

// A request waiting for one of its host's capacity slots. The releaser hands the slot over
// directly (`granted`) and then cancels `wake` on the waiter's own strand, so the wake-up
// can never overtake the waiter's async_wait.
struct SlotWaiter {
  SlotWaiter(const asio::any_io_executor& executor, ServiceClock::time_point arrival)
      : wake(executor, asio::steady_timer::time_point::max()), arrived(arrival) {}
  asio::steady_timer wake;
  bool granted = false;
  ServiceClock::time_point arrived;
  ServiceClock::time_point service_start;  // set with granted
};

struct HostState {
  unsigned capacity = 0;  // 0 = unlimited
  unsigned busy = 0;      // requests holding a slot (being served)
  std::deque<std::shared_ptr<SlotWaiter>> waiting;
  HostStats stats;
};

// True when an Accept-Encoding header lists gzip (without q=0; good enough for a test origin).
bool accepts_gzip(std::string_view accept_encoding) {
  std::string lower;
  for (char c : accept_encoding) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find("gzip");
  return at != std::string::npos && lower.find("q=0", at) != at + 5 && lower.find("q=0", at) != at + 6;
}

}  // namespace

struct Server::Impl {
  Impl(SiteSet site_set, ServerOptions server_options);
  ~Impl();

  void start();
  void stop();
  std::vector<HostStats> stats() const;
  void reset();

  // --- per-request model ---
  std::uint64_t record_arrival(std::size_t site_index, const std::string& path, bool first_on_connection);
  // Returns when the request's service starts, by the model's clock (see release_slot).
  asio::awaitable<ServiceClock::time_point> acquire_slot(std::size_t site_index, ServiceClock::time_point arrived);
  void release_slot(std::size_t site_index, std::optional<ServiceClock::time_point> service_end);
  std::shared_ptr<const std::string> body_for(std::size_t site_index, const std::string& path);
  std::shared_ptr<const std::string> gzip_body_for(std::size_t site_index, const std::string& path);

  // The own ports of a site with a fault.
  struct SiteListener {
    SiteListener(asio::io_context& context, std::size_t index) : site_index(index), http(context), https(context) {}
    std::size_t site_index;
    tcp::acceptor http;  // refuse: bound, never listening
    tcp::acceptor https;
    std::unique_ptr<asio::ssl::context> tls;  // a certificate fault's own; null: the shared one
    SitePorts ports;
  };

  // --- connections ---
  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, bool secure, const SiteListener* own);
  // Starts serving one accepted connection on its own coroutine, posted to begin in its turn.
  void start_connection(tcp::socket socket, bool secure, const SiteListener* own);
  asio::awaitable<void> serve_plain(tcp::socket socket);
  asio::awaitable<void> serve_secure(tcp::socket socket, asio::ssl::context& context);
  asio::awaitable<void> serve_tls_stall(tcp::socket socket);
  template <typename Stream>
  asio::awaitable<bool> serve_requests(Stream& stream, std::string_view scheme);
  // `answer_sent`: set to when a site's answer had been written (left empty for faults and
  // errors).
  template <typename Stream>
  asio::awaitable<bool> answer(Stream& stream, const http::request<http::string_body>& request,
                               std::string_view scheme, bool first_on_connection, ServiceClock::time_point arrived,
                               std::optional<ServiceClock::time_point>& answer_sent);
  template <typename Stream>
  asio::awaitable<bool> answer_fault(Stream& stream, const http::request<http::string_body>& request,
                                     std::size_t site_index, const std::string& path);
  template <typename Stream>
  asio::awaitable<bool> answer_site(Stream& stream, const http::request<http::string_body>& request,
                                    std::size_t site_index, std::string_view scheme, bool first_on_connection,
                                    ServiceClock::time_point arrived,
                                    std::optional<ServiceClock::time_point>& answer_sent);

  std::uint64_t register_connection(tcp::socket& socket);
  void unregister_connection(std::uint64_t id);
  void close_connections();

  // Holds one capacity slot for the lifetime of a request, whatever way the request ends.
  class SlotHold {
   public:
    SlotHold(Impl& server, std::size_t site_index) : server_(server), site_index_(site_index) {}
    ~SlotHold() { server_.release_slot(site_index_, service_end_); }
    SlotHold(const SlotHold&) = delete;
    SlotHold& operator=(const SlotHold&) = delete;
    void served_until(ServiceClock::time_point end) { service_end_ = end; }

   private:
    Impl& server_;
    std::size_t site_index_;
    std::optional<ServiceClock::time_point> service_end_;  // unset: the request ended early
  };

  // Keeps a live connection known to stop(), which closes it.
  class ConnectionRegistration {
   public:
    ConnectionRegistration(Impl& server, tcp::socket& socket)
        : server_(server), id_(server.register_connection(socket)) {}
    ~ConnectionRegistration() { server_.unregister_connection(id_); }
    ConnectionRegistration(const ConnectionRegistration&) = delete;
    ConnectionRegistration& operator=(const ConnectionRegistration&) = delete;

   private:
    Impl& server_;
    std::uint64_t id_;
  };

  // Declared first so they outlive the io_context: coroutine frames destroyed with it still
  // release slots and unregister connections.
  const SiteSet sites;
  const ServerOptions options;
  std::string cert_dir;
  bool created_cert_dir = false;
  std::string ca_file;

  mutable std::mutex state_mutex;
  std::vector<HostState> hosts;
  TlsStats tls_counts;  // handshakes completed, and how many resumed
  std::unordered_map<std::string, std::uint64_t> repeats;  // key: site index, '\n', path
  bool stopping = false;
  std::unordered_map<std::uint64_t, tcp::socket*> connections;
  std::uint64_t next_connection_id = 0;

  std::mutex body_mutex;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> bodies;
  std::size_t cached_body_bytes = 0;

  std::mutex lifecycle_mutex;
  bool started = false;
  bool stopped = false;
  std::vector<std::thread> threads;

  asio::ssl::context tls_context{asio::ssl::context::tls_server};
  asio::io_context io{static_cast<int>(std::max(1u, options.threads))};
  tcp::acceptor http_acceptor{io};
  tcp::acceptor https_acceptor{io};
  std::uint16_t http_port = 0;  // kept: the acceptors' endpoints are gone once stopped
  std::uint16_t https_port = 0;
  std::vector<std::unique_ptr<SiteListener>> site_listeners;
};

namespace {

std::string path_key(std::size_t site_index, const std::string& path) {
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

template <typename Stream>
asio::awaitable<bool> write_text(Stream& stream, const http::request<http::string_body>& request,
                                 http::status status, std::string text) {
  http::response<http::string_body> response{status, request.version()};
  response.set(http::field::server, server_name);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(text);
  response.prepare_payload();
  const bool written = co_await write_response(stream, response);
  co_return written && request.keep_alive();
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

// Plain HTTP listeners stamp what they receive, and accepted sockets inherit it. Set on the
// listener, not per connection, so the kernel keeps stamping on from the first request on (it
// turns stamping on machine-wide, with a delay, while some socket asks for it).
void enable_receive_timestamps(tcp::acceptor& acceptor) {
  const int on = 1;
  if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
    spdlog::debug("origin: no receive timestamps: {}", std::strerror(errno));
  }
}

// What a look at a connection's next unread byte found.
struct Arrival {
  bool ready = false;  // a byte, an end or an error is there: a read will not wait
  bool ended = false;  // the client closed its side with nothing left to read
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
    const auto stamped = std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec)));
    const auto now = ServiceClock::now();
    const auto age = std::chrono::system_clock::now() - stamped;
    // A wall clock stepped between the two readings gives nonsense: then the parse counts.
    if (age < std::chrono::seconds(0) || age > std::chrono::seconds(1)) return {true, false, std::nullopt};
    return {true, false, now - std::chrono::duration_cast<ServiceClock::duration>(age)};
  }
  return {true, false, std::nullopt};
}

}  // namespace

// --- construction and lifecycle -------------------------------------------------------------

Server::Impl::Impl(SiteSet site_set, ServerOptions server_options)
    : sites(std::move(site_set)), options(std::move(server_options)) {
  for (const auto& site : sites.sites) {
    HostState host;
    host.capacity = site.capacity;
    host.stats.host = site.host;
    hosts.push_back(std::move(host));
  }

  const Certificates certificates = make_certificates(host_names(sites));
  use_identity(tls_context, certificates.leaf_certificate_pem, certificates.leaf_private_key_pem);

  cert_dir = options.cert_dir;
  if (cert_dir.empty()) {
    cert_dir = make_temporary_directory();
    created_cert_dir = true;
  }
  ca_file = (std::filesystem::path(cert_dir) / "ca.pem").string();
  try {
    write_file(ca_file, certificates.ca_certificate_pem);

    error_code error;
    const auto address = asio::ip::make_address(options.address, error);
    if (error) throw std::runtime_error("bad listen address '" + options.address + "': " + error.message());
    // Without `accepting` the port is only bound: it stays ours, and connections to it are refused.
    auto listen = [&](tcp::acceptor& acceptor, std::uint16_t port, bool accepting = true) {
      const tcp::endpoint endpoint(address, port);
      error_code listen_error;
      acceptor.open(endpoint.protocol(), listen_error);
      if (!listen_error) acceptor.set_option(asio::socket_base::reuse_address(true), listen_error);
      if (!listen_error) acceptor.bind(endpoint, listen_error);
      if (!listen_error && accepting) acceptor.listen(asio::socket_base::max_listen_connections, listen_error);
      if (listen_error) {
        throw std::runtime_error("cannot listen on " + options.address + " port " + std::to_string(port) + ": " +
                                 listen_error.message());
      }
    };
    listen(http_acceptor, options.http_port);
    listen(https_acceptor, options.https_port);
    enable_receive_timestamps(http_acceptor);
    http_port = http_acceptor.local_endpoint().port();
    https_port = https_acceptor.local_endpoint().port();

    for (std::size_t index = 0; index < sites.sites.size(); ++index) {
      const Site& site = sites.sites[index];
      if (site.fault == Fault::none) continue;
      auto listener = std::make_unique<SiteListener>(io, index);
      const bool accepting = site.fault != Fault::refuse;
      listen(listener->http, 0, accepting);
      listen(listener->https, 0, accepting);
      enable_receive_timestamps(listener->http);
      listener->ports = {site.host, listener->http.local_endpoint().port(), listener->https.local_endpoint().port()};
      if (const auto* certificate = fault_certificate(site.fault, certificates)) {
        listener->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        use_identity(*listener->tls, *certificate, certificates.leaf_private_key_pem);
      }
      site_listeners.push_back(std::move(listener));
    }
  } catch (...) {
    if (created_cert_dir) {
      std::error_code ignored;
      std::filesystem::remove_all(cert_dir, ignored);
    }
    throw;
  }
}

Server::Impl::~Impl() {
  stop();
  // Waiters still queued own timers of the io_context; let them go while it still exists.
  std::deque<std::shared_ptr<SlotWaiter>> abandoned;
  {
    std::lock_guard lock(state_mutex);
    for (auto& host : hosts) {
      for (auto& waiter : host.waiting) abandoned.push_back(std::move(waiter));
      host.waiting.clear();
    }
  }
  abandoned.clear();
  if (created_cert_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(cert_dir, ignored);
  }
}

void Server::Impl::start() {
  std::lock_guard lock(lifecycle_mutex);
  if (started || stopped) return;
  started = true;
  asio::co_spawn(io, accept_loop(http_acceptor, false, nullptr), log_failure("HTTP listener"));
  asio::co_spawn(io, accept_loop(https_acceptor, true, nullptr), log_failure("HTTPS listener"));
  for (const auto& listener : site_listeners) {
    if (sites.sites[listener->site_index].fault == Fault::refuse) continue;
    asio::co_spawn(io, accept_loop(listener->http, false, listener.get()), log_failure("site HTTP listener"));
    asio::co_spawn(io, accept_loop(listener->https, true, listener.get()), log_failure("site HTTPS listener"));
  }
  const unsigned count = std::max(1u, options.threads);
  for (unsigned i = 0; i < count; ++i) {
    threads.emplace_back([this] {
      try {
        io.run();
      } catch (const std::exception& exception) {
        spdlog::error("origin: server thread stopped: {}", exception.what());
      }
    });
  }
}

// Stops the loop first, then closes sockets from this thread: with no thread running the
// io_context, nothing else touches them. Suspended coroutines die with the io_context.
void Server::Impl::stop() {
  std::lock_guard lock(lifecycle_mutex);
  if (stopped) return;
  stopped = true;
  {
    std::lock_guard state_lock(state_mutex);
    stopping = true;
  }
  io.stop();
  for (auto& thread : threads) thread.join();
  threads.clear();
  error_code ignored;
  http_acceptor.close(ignored);
  https_acceptor.close(ignored);
  for (auto& listener : site_listeners) {
    listener->http.close(ignored);
    listener->https.close(ignored);
  }
  close_connections();
}

std::vector<HostStats> Server::Impl::stats() const {
  std::lock_guard lock(state_mutex);
  std::vector<HostStats> result;
  for (const auto& host : hosts) result.push_back(host.stats);
  return result;
}

void Server::Impl::reset() {
  std::lock_guard lock(state_mutex);
  for (auto& host : hosts) {
    host.stats.requests = 0;
    host.stats.connections = 0;
    host.stats.peak_concurrent = 0;
  }
  tls_counts = {};
  repeats.clear();
}

// --- the per-request model ------------------------------------------------------------------

std::uint64_t Server::Impl::record_arrival(std::size_t site_index, const std::string& path,
                                           bool first_on_connection) {
  std::lock_guard lock(state_mutex);
  auto& stats = hosts[site_index].stats;
  ++stats.requests;
  if (first_on_connection) ++stats.connections;
  return repeats[path_key(site_index, path)]++;
}

asio::awaitable<ServiceClock::time_point> Server::Impl::acquire_slot(std::size_t site_index,
                                                                     ServiceClock::time_point arrived) {
  const auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<SlotWaiter> waiter;
  {
    std::lock_guard lock(state_mutex);
    auto& host = hosts[site_index];
    if (host.capacity == 0 || host.busy < host.capacity) {
      ++host.busy;
      host.stats.peak_concurrent = std::max(host.stats.peak_concurrent, host.busy);
      co_return arrived;
    }
    waiter = std::make_shared<SlotWaiter>(executor, arrived);
    host.waiting.push_back(waiter);
  }
  for (;;) {
    error_code cancelled;  // the wake-up is a cancellation; nothing else cancels this timer
    co_await waiter->wake.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
    std::lock_guard lock(state_mutex);
    if (waiter->granted) co_return waiter->service_start;
  }
}

// A queued request's service starts when the previous one's ended by the model (its deadline),
// not when this thread got round to handing the slot over after writing that response: the
// model's server at capacity 1 serves back to back, and the emulator's own hand-over time
// would otherwise add up along a queue and be billed to the client under test as overhead
// over the ideal. See docs/performance.md, "Origin: what it does not bill to the client".
void Server::Impl::release_slot(std::size_t site_index, std::optional<ServiceClock::time_point> service_end) {
  std::lock_guard lock(state_mutex);
  auto& host = hosts[site_index];
  if (host.waiting.empty() || stopping) {
    --host.busy;
    return;
  }
  // The slot passes straight to the head of the queue: busy and the peak stay as they are.
  auto waiter = std::move(host.waiting.front());
  host.waiting.pop_front();
  waiter->granted = true;
  waiter->service_start = std::max(waiter->arrived, service_end.value_or(ServiceClock::now()));
  auto waiter_executor = waiter->wake.get_executor();
  asio::post(waiter_executor, [waiter = std::move(waiter)] { waiter->wake.cancel(); });
}

std::shared_ptr<const std::string> Server::Impl::gzip_body_for(std::size_t site_index, const std::string& path) {
  const std::string key = "gzip|" + path_key(site_index, path);
  {
    std::lock_guard lock(body_mutex);
    if (const auto found = bodies.find(key); found != bodies.end()) return found->second;
  }
  auto body = std::make_shared<const std::string>(gzip_compress(*body_for(site_index, path)));
  std::lock_guard lock(body_mutex);
  if (cached_body_bytes + body->size() <= body_cache_limit_bytes) {
    if (bodies.emplace(key, body).second) cached_body_bytes += body->size();
  }
  return body;
}

std::shared_ptr<const std::string> Server::Impl::body_for(std::size_t site_index, const std::string& path) {
  const std::string key = path_key(site_index, path);
  {
    std::lock_guard lock(body_mutex);
    if (const auto found = bodies.find(key); found != bodies.end()) return found->second;
  }
  auto body = std::make_shared<const std::string>(make_body(sites.sites[site_index], path));
  std::lock_guard lock(body_mutex);
  if (cached_body_bytes + body->size() <= body_cache_limit_bytes) {
    if (bodies.emplace(key, body).second) cached_body_bytes += body->size();
  }
  return body;
}

// --- connections ----------------------------------------------------------------------------

std::uint64_t Server::Impl::register_connection(tcp::socket& socket) {
  std::lock_guard lock(state_mutex);
  const auto id = next_connection_id++;
  connections.emplace(id, &socket);
  return id;
}

void Server::Impl::unregister_connection(std::uint64_t id) {
  std::lock_guard lock(state_mutex);
  connections.erase(id);
}

void Server::Impl::close_connections() {
  std::lock_guard lock(state_mutex);
  for (auto& [id, socket] : connections) {
    error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
  }
}

// `own`: the acceptor is one of a faulty site's own ports.
asio::awaitable<void> Server::Impl::accept_loop(tcp::acceptor& acceptor, bool secure, const SiteListener* own) {
  // With several threads each connection gets its own strand, so its coroutine and the slot
  // wake-ups aimed at it never run at once. One thread needs none (nor its cost per connection).
  const auto executor_for_connection = [this] {
    return options.threads > 1 ? asio::any_io_executor(asio::make_strand(io)) : asio::any_io_executor(io.get_executor());
  };
  // Non-blocking, so that the queue can be drained below without waiting once it is empty.
  error_code error;
  acceptor.non_blocking(true, error);
  const bool can_drain = !error;
  const auto protocol = acceptor.local_endpoint(error).protocol();
  for (;;) {
    tcp::socket socket =
        co_await acceptor.async_accept(executor_for_connection(), asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (error) {
      // Typically out of file descriptors: back off instead of spinning.
      spdlog::debug("origin: accept failed: {}", error.message());
      asio::steady_timer pause(io, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    start_connection(std::move(socket), secure, own);
    // A client that opens thousands of connections at once queues them faster than one accept
    // per turn of the loop takes them (a turn waits behind every connection's work), and the
    // kernel drops the connects that overflow the queue (the client retries a second later).
    // So take what is queued now, in a bounded batch that keeps the turn short: here each
    // connection is only accepted and its serving posted to start in its own turn, so a
    // response falling due never waits behind a batch of connections' first steps. accept4
    // itself, not Asio's synchronous accept: that one waits, unbounded, after a connection
    // aborted while queued (ECONNABORTED), unless every accept is set to report those.
    // See docs/performance.md, "Origin: the accept batch".
    for (int taken = 0; can_drain && taken < accept_batch;) {
      const int accepted = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
      if (accepted < 0) {
        if (errno == ECONNABORTED || errno == EPROTO || errno == EINTR) continue;
        break;  // EAGAIN: the queue is empty; anything else, the next async_accept meets it
      }
      tcp::socket more(executor_for_connection());
      more.assign(protocol, accepted, error);
      if (error) {
        ::close(accepted);
        break;
      }
      start_connection(std::move(more), secure, own);
      ++taken;
    }
  }
}

void Server::Impl::start_connection(tcp::socket socket, bool secure, const SiteListener* own) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const auto executor = socket.get_executor();
  // Posted, so that a batch of accepts does not also run each connection's first steps.
  asio::post(executor, [this, socket = std::move(socket), secure, own]() mutable {
    const auto on = socket.get_executor();
    if (secure && own != nullptr && sites.sites[own->site_index].fault == Fault::tls_stall) {
      asio::co_spawn(on, serve_tls_stall(std::move(socket)), log_failure("stalled TLS connection"));
    } else if (secure) {
      auto& context = own != nullptr && own->tls ? *own->tls : tls_context;
      asio::co_spawn(on, serve_secure(std::move(socket), context), log_failure("HTTPS connection"));
    } else {
      asio::co_spawn(on, serve_plain(std::move(socket)), log_failure("HTTP connection"));
    }
  });
}

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
asio::awaitable<bool> Server::Impl::answer(Stream& stream, const http::request<http::string_body>& request,
                                           std::string_view scheme, bool first_on_connection,
                                           ServiceClock::time_point arrived,
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

namespace {

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

// --- faults ---

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
  return "HTTP/1.1 200 OK\r\nServer: " + std::string(server_name) +
         "\r\nContent-Type: text/html; charset=utf-8\r\n" + std::string(fields) + "\r\n";
}

std::string content_length(std::uint64_t bytes) { return "Content-Length: " + std::to_string(bytes) + "\r\n"; }

}  // namespace

// Answers with the site's fault; true when the connection stays open for the next request.
template <typename Stream>
asio::awaitable<bool> Server::Impl::answer_fault(Stream& stream, const http::request<http::string_body>& request,
                                                 std::size_t site_index, const std::string& path) {
  const Site& site = sites.sites[site_index];
  // Faults that cut a body short need one to cut: at least 256 bytes.
  const auto site_body = body_for(site_index, path);
  const std::string body = site_body->size() >= 256 ? *site_body : std::string(256, '.');
  const std::string_view first_half(body.data(), body.size() / 2);

  switch (site.fault) {
    case Fault::no_answer:
      co_await hold_until_client_leaves(stream);
      co_return false;
    case Fault::stall_body:
      if (co_await write_raw(stream, head_200(content_length(body.size())) + std::string(first_half))) {
        co_await hold_until_client_leaves(stream);
      }
      co_return false;
    case Fault::drip: {
      if (!co_await write_raw(stream, head_200(content_length(body.size())))) co_return false;
      const auto give_up = std::chrono::steady_clock::now() + fault_time_limit;
      for (std::size_t i = 0; i < body.size() && std::chrono::steady_clock::now() < give_up; ++i) {
        if (i > 0) co_await pause_for(std::chrono::seconds(1));
        if (!co_await write_raw(stream, std::string_view(body.data() + i, 1))) break;
      }
      co_return false;
    }
    case Fault::reset_body:
      if (co_await write_raw(stream, head_200(content_length(body.size())) + std::string(first_half))) {
        // Long enough for the client to be reading the body when the reset comes.
        co_await pause_for(std::chrono::milliseconds(50));
      }
      reset_connection(stream);
      co_return false;
    case Fault::close_before_status:
      co_return false;
    case Fault::bad_status_line:
      co_await write_raw(stream, "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n");
      co_return false;
    case Fault::bad_header:
      co_await write_raw(stream, head_200("Content-Type text/html\r\n" + content_length(body.size())) + body);
      co_return false;
    case Fault::endless_headers: {
      if (!co_await write_raw(stream, "HTTP/1.1 200 OK\r\n")) co_return false;
      beast::get_lowest_layer(stream).expires_after(fault_time_limit);
      std::uint64_t sent = 0;
      for (std::uint64_t line = 0; sent < endless_byte_limit;) {
        std::string batch;
        for (int i = 0; i < 64; ++i, ++line) {
          batch += "X-Endless-" + std::to_string(line) + ": " + std::string(48, 'h') + "\r\n";
        }
        error_code error;
        co_await asio::async_write(stream, asio::buffer(batch), asio::redirect_error(asio::use_awaitable, error));
        if (error) break;
        sent += batch.size();
      }
      co_return false;
    }
    case Fault::huge_headers: {
      std::string fields;
      for (int i = 0; fields.size() < 128 * 1024; ++i) {
        fields += "Set-Cookie: c" + std::to_string(i) + "=" + std::string(90, 'c') + "\r\n";
      }
      co_await write_raw(stream, head_200(fields + content_length(body.size())) + body);
      co_return false;
    }
    case Fault::bad_chunked:
      co_await write_raw(stream, head_200("Transfer-Encoding: chunked\r\n") + "10\r\n0123456789abcdef\r\n" +
                                     "zz\r\nbroken\r\n0\r\n\r\n");
      co_return false;
    case Fault::short_length:
      // One write, so the bytes past the declared length arrive with the body.
      co_await write_raw(stream, head_200(content_length(body.size() / 2)) + body);
      co_return false;
    case Fault::long_length:
      co_await write_raw(stream, head_200(content_length(body.size() + 100)) + body);
      co_return false;
    case Fault::endless_body: {
      // No length and not chunked: the body ends when the connection does, which it never does.
      if (!co_await write_raw(stream, head_200("Connection: close\r\n"))) co_return false;
      beast::get_lowest_layer(stream).expires_after(fault_time_limit);
      const std::string block(16 * 1024, 'e');
      for (std::uint64_t sent = 0; sent < endless_byte_limit; sent += block.size()) {
        error_code error;
        co_await asio::async_write(stream, asio::buffer(block), asio::redirect_error(asio::use_awaitable, error));
        if (error) break;
      }
      co_return false;
    }
    case Fault::redirect_loop:
    case Fault::redirect_ftp: {
      const std::string location = site.fault == Fault::redirect_ftp ? "ftp://" + site.host + "/file.txt"
                                   : path == "/loop-a"                ? "/loop-b"
                                                                      : "/loop-a";
      http::response<http::empty_body> response{http::status::found, request.version()};
      response.set(http::field::server, server_name);
      response.set(http::field::location, location);
      response.content_length(0);
      response.keep_alive(request.keep_alive());
      co_return co_await write_response(stream, response) && request.keep_alive();
    }
    case Fault::none:
    case Fault::refuse:
    case Fault::tls_wrong_name:
    case Fault::tls_expired:
    case Fault::tls_self_signed:
    case Fault::tls_stall:
      break;  // not faults of a request
  }
  co_return false;
}

template <typename Stream>
asio::awaitable<bool> Server::Impl::answer_site(Stream& stream, const http::request<http::string_body>& request,
                                                std::size_t site_index, std::string_view scheme,
                                                bool first_on_connection, ServiceClock::time_point arrived,
                                                std::optional<ServiceClock::time_point>& answer_sent) {
  const Site& site = sites.sites[site_index];
  const std::string path = request_path(request.target());
  const std::uint64_t repeat = record_arrival(site_index, path, first_on_connection);

  // What the answer is, and a page's body, are settled before the latency runs out, not after:
  // the model's server has its page ready when its latency ends, and a body made (or compressed)
  // on a path's first request would otherwise be billed to the client as time past the deadline.
  const bool fault = site.fault != Fault::none && !is_connection_fault(site.fault);
  const bool failing = !fault && repeat < site.fail_first;
  const bool redirected = !fault && !failing && is_redirected(site, scheme, path);
  const bool compressed = site.gzip && accepts_gzip(request[http::field::accept_encoding]);

  const auto service_start = co_await acquire_slot(site_index, arrived);
  SlotHold slot(*this, site_index);
  const auto service_end = service_start + request_latency(sites, site, path, repeat);
  const auto body = fault || failing || redirected ? nullptr
                    : compressed                   ? gzip_body_for(site_index, path)
                                                   : body_for(site_index, path);
  co_await wait_until(service_end);
  slot.served_until(service_end);

  if (fault) co_return co_await answer_fault(stream, request, site_index, path);
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
  if (redirected) {
    http::response<http::empty_body> response{static_cast<http::status>(site.redirect_status), request.version()};
    response.set(http::field::server, server_name);
    response.set(http::field::location, site.redirect);
    response.content_length(0);
    response.keep_alive(keep_alive);
    co_return co_await write_answer(stream, response, answer_sent) && keep_alive;
  }

  http::response<http::span_body<const char>> response{http::status::ok, request.version()};
  response.set(http::field::server, server_name);
  response.set(http::field::content_type, "text/html; charset=utf-8");
  if (site.gzip) response.set(http::field::vary, "Accept-Encoding");
  if (compressed) response.set(http::field::content_encoding, "gzip");
  response.content_length(body->size());
  if (request.method() != http::verb::head) response.body() = {body->data(), body->size()};
  response.keep_alive(keep_alive);
  co_return co_await write_answer(stream, response, answer_sent) && keep_alive;
}

// --- Server ---------------------------------------------------------------------------------

Server::Server(SiteSet sites, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(sites), std::move(options))) {}

Server::~Server() = default;

void Server::start() { impl_->start(); }
void Server::stop() { impl_->stop(); }
std::uint16_t Server::http_port() const { return impl_->http_port; }
std::uint16_t Server::https_port() const { return impl_->https_port; }
const std::string& Server::ca_file() const { return impl_->ca_file; }
const SiteSet& Server::sites() const { return impl_->sites; }
std::vector<SitePorts> Server::site_ports() const {
  std::vector<SitePorts> ports;
  for (const auto& listener : impl_->site_listeners) ports.push_back(listener->ports);
  return ports;
}
std::vector<HostStats> Server::stats() const { return impl_->stats(); }
TlsStats Server::tls_stats() const {
  std::lock_guard lock(impl_->state_mutex);
  return impl_->tls_counts;
}
void Server::reset() { impl_->reset(); }

}  // namespace fetcher::origin
