// canned_server.cpp: see canned_server.hpp. Plain POSIX sockets, one connection at a time.
#include "canned_server.hpp"

#include "sanitizer_scale.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
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
    : responses_{std::move(response)}, late_(std::move(late)), late_after_(late_after) {
  listen();
}

CannedServer::CannedServer(std::vector<std::string> responses, bool hold_open)
    : responses_(std::move(responses)), hold_open_(hold_open) {
  if (responses_.empty()) throw std::invalid_argument("canned server: no response to give");
  listen();
}

void CannedServer::listen() {
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

std::vector<std::string> CannedServer::received() const {
  std::lock_guard lock(received_mutex_);
  return received_;
}

bool CannedServer::send_late(std::chrono::milliseconds limit) {
  std::unique_lock lock(late_mutex_);
  late_asked_ = true;
  late_sent_ = false;
  late_changed_.notify_all();
  return late_changed_.wait_for(lock, scaled(limit), [this] { return late_sent_; });
}

CannedServer::~CannedServer() {
  {
    std::lock_guard lock(late_mutex_);
    stopping_ = true;
  }
  late_changed_.notify_all();
  thread_.join();
  ::close(listener_);
}

// Reads the request head, then as many body bytes as its Content-Length says (giving up after a
// second without data).
std::string CannedServer::read_request(int connection) {
  std::string request;
  char chunk[4096];
  auto complete = [&request] {
    const auto head_end = request.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    std::string head = request.substr(0, head_end);
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto field = head.find("\r\ncontent-length:");
    const auto length = field == std::string::npos ? 0 : std::strtoull(head.c_str() + field + 17, nullptr, 10);
    return request.size() >= head_end + 4 + length;
  };
  while (!complete()) {
    pollfd readable{connection, POLLIN, 0};
    if (::poll(&readable, 1, 1000) <= 0) break;
    const auto got = ::recv(connection, chunk, sizeof chunk, 0);
    if (got <= 0) break;
    request.append(chunk, static_cast<std::size_t>(got));
  }
  return request;
}

// Sends the late bytes when their time comes: after the pause, or when the test asks. Asked for,
// it reports them sent once the peer's kernel has acknowledged every byte (nothing left unsent or
// unacknowledged in this socket's queue), so the test knows they wait in the client's socket.
void CannedServer::send_late_bytes(int connection) {
  if (late_after_ != when_asked) {
    std::this_thread::sleep_for(late_after_);  // the pause is the behaviour: bytes after the response
    send_all(connection, late_);
    return;
  }
  {
    std::unique_lock lock(late_mutex_);
    late_changed_.wait(lock, [this] { return late_asked_ || stopping_; });
    if (stopping_) return;
    late_asked_ = false;  // each connection's late bytes wait for an ask of their own
  }
  send_all(connection, late_);
  // Loopback acknowledges at once; the poll is bounded (two seconds) for a client that is gone.
  bool acknowledged = false;
  for (int polls = 0; polls < 2000 && !acknowledged; ++polls) {
    int unacknowledged = 0;
    if (::ioctl(connection, SIOCOUTQ, &unacknowledged) != 0) return;
    acknowledged = unacknowledged == 0;
    if (!acknowledged) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::lock_guard lock(late_mutex_);
  late_sent_ = acknowledged;
  late_changed_.notify_all();
}

void CannedServer::serve() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 20) <= 0) continue;
    const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    auto request = read_request(connection);
    std::size_t served = 0;
    {
      std::lock_guard lock(received_mutex_);
      served = received_.size();
      received_.push_back(std::move(request));
    }
    send_all(connection, responses_[std::min(served, responses_.size() - 1)]);
    if (!late_.empty() || hold_open_) {
      char chunk[4096];
      if (!late_.empty()) send_late_bytes(connection);
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
