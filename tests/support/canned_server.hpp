// canned_server.hpp: a loopback TCP server that answers every connection with the same bytes,
// for responses the emulated origin would never send (interim 1xx, bodies ended by close,
// broken status lines). It reads the request head first, so the client's write succeeds.
// With `late` bytes, it sends them `late_after` the response and keeps the connection open until
// the client closes it (at most two seconds), as a server lying about its Content-Length would.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace fetcher::testing {

class CannedServer {
 public:
  explicit CannedServer(std::string response, std::string late = {},
                        std::chrono::milliseconds late_after = std::chrono::milliseconds(0));
  ~CannedServer();  // stops accepting and joins
  CannedServer(const CannedServer&) = delete;
  CannedServer& operator=(const CannedServer&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  void serve();

  std::string response_;
  std::string late_;
  std::chrono::milliseconds late_after_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace fetcher::testing
