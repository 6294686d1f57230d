// redis_server.hpp: Debian's redis-server started by a test on a free loopback port, in a
// directory of its own, with persistence off; stopped by its PID. For the shared-crawl tests.
#pragma once

#include "child_process.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fetcher::testing {

class RedisServer {
 public:
  // Starts it and waits until it answers PING. Throws std::runtime_error if it does not.
  // `extra`: more redis-server arguments (e.g. {"--requirepass", "secret"}).
  explicit RedisServer(std::vector<std::string> extra = {});
  ~RedisServer();  // stops it (SIGTERM, then SIGKILL) and removes its directory
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  void stop();     // idempotent
  void restart();  // stops it and starts it again on the same port, empty (nothing is saved)

  static bool available();  // redis-server is installed

 private:
  bool start(const std::vector<std::string>& extra);  // on port_; false when it does not answer
  std::uint16_t port_ = 0;
  std::filesystem::path directory_;
  std::vector<std::string> extra_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace fetcher::testing
