// origin_waits.hpp: waits on what an in-process origin has seen, for tests that must act once a
// request has reached the server (it is queued, or waiting out its latency) rather than after a
// guessed time. The origin's per-host counters are the observable: a request is counted when
// its header has been read, before it waits for a capacity slot or its latency.
#pragma once

#include "sanitizer_scale.hpp"

#include <fetcher/origin/server.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>
#include <thread>

namespace fetcher::testing {

// The requests the origin has counted for `host` since its start or last reset (0 for a host it
// does not serve).
inline std::uint64_t requests_seen(const origin::Server& server, std::string_view host) {
  for (const auto& stats : server.stats()) {
    if (stats.host == host) return stats.requests;
  }
  return 0;
}

// True once the origin has counted at least `requests` for `host`; false if `limit` (stretched
// by sanitizer_scale()) passes first. Polls the counters every millisecond: a bounded poll of
// the server's own count, never a guess at how long the request takes to arrive.
inline bool wait_for_requests(const origin::Server& server, std::string_view host, std::uint64_t requests,
                              std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + scaled(limit);
  while (requests_seen(server, host) < requests) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace fetcher::testing
