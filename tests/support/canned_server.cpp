// canned_server.cpp: see canned_server.hpp. Plain POSIX sockets, one connection at a time.
#include "canned_server.hpp"

#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fetcher::testing {
namespace {

void send_all(int connection, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto wrote = ::send(connection, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (wrote <= 0) return;
    sent += static_cast<std::size_t>(wrote);
  }
}

}  // namespace

CannedServer::CannedServer(std::string response, std::string late, std::chrono::milliseconds late_after)
    : response_(std::move(response)), late_(std::move(late)), late_after_(late_after) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("canned server: cannot listen on loopback");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

CannedServer::~CannedServer() {
  stopping_ = true;
  thread_.join();
  ::close(listener_);
}

void CannedServer::serve() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 20) <= 0) continue;
    const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    // Read until the end of the request head (or give up after a second).
    std::string request;
    char chunk[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd readable{connection, POLLIN, 0};
      if (::poll(&readable, 1, 1000) <= 0) break;
      const auto got = ::recv(connection, chunk, sizeof chunk, 0);
      if (got <= 0) break;
      request.append(chunk, static_cast<std::size_t>(got));
    }
    send_all(connection, response_);
    if (!late_.empty()) {
      std::this_thread::sleep_for(late_after_);
      send_all(connection, late_);
      // Until the client closes: 100 polls of 20 ms, reading and dropping what it sends.
      for (int polls = 0; polls < 100 && !stopping_; ++polls) {
        pollfd readable{connection, POLLIN, 0};
        if (::poll(&readable, 1, 20) <= 0) continue;
        if (::recv(connection, chunk, sizeof chunk, 0) <= 0) break;
      }
    }
    ::shutdown(connection, SHUT_WR);
    ::close(connection);
  }
}

}  // namespace fetcher::testing
