// redis_server.cpp: see redis_server.hpp.
#include "redis_server.hpp"

#include "test_origin.hpp"

#include <csignal>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fetcher::testing {

namespace {

constexpr const char* redis_server_path = "/usr/bin/redis-server";

// True when a Redis on 127.0.0.1:port answers PING (with PONG, or NOAUTH when it wants a password).
bool listening(std::uint16_t port) {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (socket_fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool pong = false;
  if (::connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    timeval timeout{1, 0};
    ::setsockopt(socket_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    constexpr char ping[] = "PING\r\n";
    if (::write(socket_fd, ping, sizeof ping - 1) == static_cast<ssize_t>(sizeof ping - 1)) {
      char reply[16] = {};
      pong = ::read(socket_fd, reply, sizeof reply - 1) > 0 &&
             (std::string(reply).starts_with("+PONG") || std::string(reply).starts_with("-NOAUTH"));
    }
  }
  ::close(socket_fd);
  return pong;
}

}  // namespace

bool RedisServer::available() { return ::access(redis_server_path, X_OK) == 0; }

RedisServer::RedisServer(std::vector<std::string> extra) : extra_(std::move(extra)) {
  char pattern[] = "/tmp/fetcher-redis-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  // A port just bound and closed is free unless another process takes it in between; a retry
  // with a new port covers that.
  bool started = false;
  for (int attempt = 0; attempt < 3 && !started; ++attempt) {
    port_ = closed_port();
    started = start(extra_);
  }
  if (!started) {
    std::filesystem::remove_all(directory_);
    throw std::runtime_error("redis-server did not start");
  }
}

bool RedisServer::start(const std::vector<std::string>& extra) {
  std::vector<std::string> arguments = {redis_server_path,
                                        "--port",
                                        std::to_string(port_),
                                        "--bind",
                                        "127.0.0.1",
                                        "--save",
                                        "",
                                        "--appendonly",
                                        "no",
                                        "--dir",
                                        directory_.string(),
                                        "--daemonize",
                                        "no",
                                        "--loglevel",
                                        "warning"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  auto process = std::make_unique<ChildProcess>(arguments);
  for (int waited = 0; waited < 500; ++waited) {
    if (!process->running()) return false;
    if (listening(port_)) {
      process_ = std::move(process);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void RedisServer::restart() {
  stop();
  // The port was just released; the new server may need a moment to bind it.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (start(extra_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_));
}

RedisServer::~RedisServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void RedisServer::stop() {
  if (!process_) return;
  process_->kill(SIGTERM);
  if (!process_->wait_for(std::chrono::seconds(5))) process_->kill(SIGKILL);
  process_->wait_for(std::chrono::seconds(5));
  process_.reset();
}

}  // namespace fetcher::testing
