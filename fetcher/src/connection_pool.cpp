// connection_pool.cpp: see connection_pool.hpp.
#include "connection_pool.hpp"

#include <iterator>

namespace fetcher::detail {
namespace {

// An idle plain connection is looked at for bytes that came while it sat idle only after this
// long. The exchange that gave it back found the socket empty at its last read (a read that did
// not fill its room took all there was; after one that did, it asked), so what the look can
// still find came after that. A connection taken again at once (a load run, a crawler's next URL
// on the same host) has had microseconds for it, a small addition to the window no look covers:
// from the look until the response arrives, at least a round trip. Below this idle time the look
// (an ioctl, a sizeable share of a kept-alive request's CPU) rarely finds anything; the price is
// that a server that sends stray bytes within a millisecond of its response can have them read
// as the next URL's answer, which then fails to parse or is taken as that answer.
// See docs/performance.md, "Client: the look for late bytes".
constexpr auto look_for_late_bytes_after = std::chrono::milliseconds(1);

bool idle_too_long(const Connection& connection, std::chrono::steady_clock::time_point now,
                   std::chrono::milliseconds idle_timeout) {
  return now - connection.idle_since > idle_timeout;
}

}  // namespace

std::unique_ptr<Connection> ConnectionPool::take(const std::string& pool_key, std::chrono::milliseconds idle_timeout) {
  std::lock_guard lock(mutex_);
  auto found = idle_.find(pool_key);
  if (found == idle_.end()) return nullptr;
  auto& connections = found->second;
  const auto now = std::chrono::steady_clock::now();
  while (!connections.empty()) {
    auto connection = std::move(connections.back());
    connections.pop_back();
    if (idle_too_long(*connection, now, idle_timeout)) continue;
    // Bytes waiting on an idle plain connection are not the answer to a request not yet sent:
    // a server that sent more than its Content-Length after the last read had finished. Taken
    // as the next response they would be another URL's body, so the connection goes instead.
    // (On TLS they may be a session ticket or close_notify; the exchange handles those.)
    if (connection->plain && now - connection->idle_since >= look_for_late_bytes_after) {
      boost::system::error_code error;
      if (connection->plain->socket().available(error) > 0 || error) continue;
    }
    return connection;
  }
  return nullptr;
}

void ConnectionPool::give_back(const std::string& pool_key, std::unique_ptr<Connection> connection, unsigned max_idle,
                               std::chrono::milliseconds idle_timeout) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sweep_ > idle_timeout) {
    last_sweep_ = now;
    for (auto entry = idle_.begin(); entry != idle_.end();) {
      auto& kept = entry->second;
      std::erase_if(kept, [&](const auto& idle) { return idle_too_long(*idle, now, idle_timeout); });
      entry = kept.empty() ? idle_.erase(entry) : std::next(entry);
    }
  }
  auto& connections = idle_[pool_key];
  if (connections.size() >= max_idle) return;  // closed as it goes out of scope
  connection->idle_since = now;
  connections.push_back(std::move(connection));
}

void ConnectionPool::shutdown() {
  // Before the loop's socket services go away, the sockets that belong to them must.
  std::lock_guard lock(mutex_);
  idle_.clear();
}

}  // namespace fetcher::detail
