// canned_server.hpp: a loopback TCP server that answers every connection with the same bytes,
// for responses the emulated origin would never send (interim 1xx, bodies ended by close,
// broken status lines). It reads the request head first, so the client's write succeeds.
// With `late` bytes, it sends them `late_after` the response (or, with `when_asked`, when the
// test calls send_late) and keeps the connection open until the client closes it (at most two
// seconds), as a server lying about its Content-Length would.
// It keeps what each connection sent (the request head, and a body of its Content-Length), for
// tests of what the client puts on the wire; given several responses, the n-th connection gets
// the n-th (the last one again after that), for redirects between two requests.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fetcher::testing {

class CannedServer {
 public:
  // For `late_after`: the late bytes wait for send_late(), not for a pause.
  static constexpr std::chrono::milliseconds when_asked{-1};

  explicit CannedServer(std::string response, std::string late = {},
                        std::chrono::milliseconds late_after = std::chrono::milliseconds(0));
  // `hold_open`: each connection stays open after its response until the client closes it (at
  // most two seconds), as a kept-alive connection would.
  explicit CannedServer(std::vector<std::string> responses, bool hold_open = false);
  ~CannedServer();  // stops accepting and joins
  CannedServer(const CannedServer&) = delete;
  CannedServer& operator=(const CannedServer&) = delete;

  std::uint16_t port() const { return port_; }
  // With `late_after` = when_asked: sends the late bytes on the connection being served (each
  // connection's late bytes wait for an ask of their own) and returns once the client's kernel
  // has acknowledged them (they are in its socket, readable); false if that has not happened
  // within `limit` (stretched by sanitizer_scale()).
  bool send_late(std::chrono::milliseconds limit);
  // The bytes each connection sent so far, one string per connection in the order accepted.
  std::vector<std::string> received() const;

 private:
  void listen();
  void serve();
  std::string read_request(int connection);
  void send_late_bytes(int connection);

  std::vector<std::string> responses_;
  std::string late_;
  std::chrono::milliseconds late_after_{0};
  bool hold_open_ = false;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex late_mutex_;  // guards late_asked_ and late_sent_
  std::condition_variable late_changed_;
  bool late_asked_ = false;
  bool late_sent_ = false;
  mutable std::mutex received_mutex_;
  std::vector<std::string> received_;
  std::thread thread_;
};

}  // namespace fetcher::testing
