// canned_server.cpp: see canned_server.hpp. Plain POSIX sockets, one connection at a time.
#include "canned_server.hpp"

#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fetcher::testing {

CannedServer::CannedServer(std::string response) : response_(std::move(response)) {
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
    std::size_t sent = 0;
    while (sent < response_.size()) {
      const auto wrote = ::send(connection, response_.data() + sent, response_.size() - sent, MSG_NOSIGNAL);
      if (wrote <= 0) break;
      sent += static_cast<std::size_t>(wrote);
    }
    ::shutdown(connection, SHUT_WR);
    ::close(connection);
  }
}

}  // namespace fetcher::testing
