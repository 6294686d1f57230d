// event_count.hpp: a count of things that happened on other threads (results delivered, say),
// which a test waits on instead of sleeping: the wait ends when the count is reached, and its
// limit is only there so that a broken run fails instead of hanging.
#pragma once

#include "sanitizer_scale.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace fetcher::testing {

class EventCount {
 public:
  // Counts one event; callable from any thread.
  void add() {
    {
      std::lock_guard lock(mutex_);
      ++count_;
    }
    changed_.notify_all();
  }

  // True once at least `count` events have been counted; false if `limit` (stretched by
  // sanitizer_scale()) passes first.
  bool wait_for(std::size_t count, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, scaled(limit), [&] { return count_ >= count; });
  }

  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t count_ = 0;
};

}  // namespace fetcher::testing
