// listeners.cpp: the listening ports (the shared pair, and each faulty site's own), the accept
// loop with its batch, and the hand-over of each accepted connection to its serve loop.
#include "certificates.hpp"
#include "server_impl.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <sys/socket.h>
#include <unistd.h>  // close

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace fetcher::origin {
namespace {

// Connections taken from the listen queue at once, after each asynchronous accept (accept_loop).
constexpr int accept_batch = 64;

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

// Without `accepting` the port is only bound: it stays ours, and connections to it are refused.
void open_port(tcp::acceptor& acceptor, const asio::ip::address& address, const std::string& address_text,
               std::uint16_t port, bool accepting = true) {
  const tcp::endpoint endpoint(address, port);
  error_code listen_error;
  acceptor.open(endpoint.protocol(), listen_error);
  if (!listen_error) acceptor.set_option(asio::socket_base::reuse_address(true), listen_error);
  if (!listen_error) acceptor.bind(endpoint, listen_error);
  if (!listen_error && accepting) acceptor.listen(asio::socket_base::max_listen_connections, listen_error);
  if (listen_error) {
    throw std::runtime_error("cannot listen on " + address_text + " port " + std::to_string(port) + ": " +
                             listen_error.message());
  }
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

}  // namespace

void Server::Impl::open_listeners(const Certificates& certificates) {
  use_identity(tls_context, certificates.leaf_certificate_pem, certificates.leaf_private_key_pem);
  error_code error;
  const auto address = asio::ip::make_address(options.address, error);
  if (error) throw std::runtime_error("bad listen address '" + options.address + "': " + error.message());
  open_port(http_acceptor, address, options.address, options.http_port);
  open_port(https_acceptor, address, options.address, options.https_port);
  enable_receive_timestamps(http_acceptor);
  http_port = http_acceptor.local_endpoint().port();
  https_port = https_acceptor.local_endpoint().port();

  for (std::size_t index = 0; index < sites.sites.size(); ++index) {
    const Site& site = sites.sites[index];
    if (site.fault == Fault::none) continue;
    auto listener = std::make_unique<SiteListener>(io, index);
    const bool accepting = site.fault != Fault::refuse;
    open_port(listener->http, address, options.address, 0, accepting);
    open_port(listener->https, address, options.address, 0, accepting);
    enable_receive_timestamps(listener->http);
    listener->ports = {site.host, listener->http.local_endpoint().port(), listener->https.local_endpoint().port()};
    if (const auto* certificate = fault_certificate(site.fault, certificates)) {
      listener->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      use_identity(*listener->tls, *certificate, certificates.leaf_private_key_pem);
    }
    site_listeners.push_back(std::move(listener));
  }
}

// `own`: the acceptor is one of a faulty site's own ports.
asio::awaitable<void> Server::Impl::accept_loop(tcp::acceptor& acceptor, bool secure, const SiteListener* own) {
  // With several threads each connection gets its own strand, so its coroutine and the slot
  // wake-ups aimed at it never run at once. One thread needs none (nor its cost per connection).
  const auto executor_for_connection = [this] {
    return options.threads > 1 ? asio::any_io_executor(asio::make_strand(io))
                               : asio::any_io_executor(io.get_executor());
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

}  // namespace fetcher::origin
