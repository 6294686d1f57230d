// canned_server.hpp: a loopback TCP server that answers every connection with the same bytes,
// for responses the emulated origin would never send (interim 1xx, bodies ended by close,
// broken status lines). It reads the request head first, so the client's write succeeds.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace fetcher::testing {

class CannedServer {
 public:
  explicit CannedServer(std::string response);
  ~CannedServer();  // stops accepting and joins
  CannedServer(const CannedServer&) = delete;
  CannedServer& operator=(const CannedServer&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  void serve();

  std::string response_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace fetcher::testing
