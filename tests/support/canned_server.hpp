// canned_server.hpp: a loopback TCP server that answers every connection with the same bytes,
// for responses the emulated origin would never send (interim 1xx, bodies ended by close,
// broken status lines). It reads the request head first, so the client's write succeeds.
// With `late` bytes, it sends them `late_after` the response and keeps the connection open until
// the client closes it (at most two seconds), as a server lying about its Content-Length would.
// It keeps what each connection sent (the request head, and a body of its Content-Length), for
// tests of what the client puts on the wire; given several responses, the n-th connection gets
// the n-th (the last one again after that), for redirects between two requests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fetcher::testing {

class CannedServer {
 public:
  explicit CannedServer(std::string response, std::string late = {},
                        std::chrono::milliseconds late_after = std::chrono::milliseconds(0));
  // `hold_open`: each connection stays open after its response until the client closes it (at
  // most two seconds), as a kept-alive connection would.
  explicit CannedServer(std::vector<std::string> responses, bool hold_open = false);
  ~CannedServer();  // stops accepting and joins
  CannedServer(const CannedServer&) = delete;
  CannedServer& operator=(const CannedServer&) = delete;

  std::uint16_t port() const { return port_; }
  // The bytes each connection sent so far, one string per connection in the order accepted.
  std::vector<std::string> received() const;

 private:
  void listen();
  void serve();
  std::string read_request(int connection);

  std::vector<std::string> responses_;
  std::string late_;
  std::chrono::milliseconds late_after_{0};
  bool hold_open_ = false;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex received_mutex_;
  std::vector<std::string> received_;
  std::thread thread_;
};

}  // namespace fetcher::testing
