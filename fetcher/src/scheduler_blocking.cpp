// scheduler_blocking.cpp: the Scheduler on blocking worker threads (sequential, pool:N, threads).
// Workers take requests from the same host-aware queue, waiting on a condition variable (until a
// host's interval ends, at most) while no host is ready; each fetches on a blocking event loop of
// its own, registered with the run's stopper so that a stop ends its fetch at once.
#include "scheduler_state.hpp"

#include <list>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace fetcher::detail {

std::optional<QueuedRequest> SchedulerState::wait_for_request(std::unique_lock<std::mutex>& lock) {
  while (true) {
    if (stopped_ || finished_) return std::nullopt;
    if (auto item = take_locked()) return item;
    if (drained_locked()) {
      finished_ = true;
      wake_locked();
      return std::nullopt;
    }
    if (const auto wake = queue_.next_wake()) {
      changed_.wait_until(lock, *wake);
    } else {
      changed_.wait(lock);
    }
  }
}

// One pool worker: takes and fetches until the run is over. False when its event loop could not
// be made (out of file descriptors): it took nothing.
bool SchedulerState::work_in_pool() {
  Tally tally;
  try {
    BlockingLoop loop(&stopper_);
    while (true) {
      std::optional<QueuedRequest> item;
      {
        std::unique_lock lock(mutex_);
        item = wait_for_request(lock);
      }
      if (!item) break;
      std::optional<FetchResult> result =
          item->host.empty() ? result_without_fetch(*item) : loop.fetch(client_, item->request, item->index);
      if (!result) break;  // stopped: fail_remaining() reports this request
      deliver(std::move(*result), tally);
      finish(*item);
    }
  } catch (const std::system_error&) {
    merge_tally(std::move(tally));
    return false;
  }
  merge_tally(std::move(tally));
  return true;
}

// When no worker could make its event loop: every request fails as a resource failure, so that
// the run still ends with one result each.
void SchedulerState::fail_without_workers() {
  Tally tally;
  while (true) {
    std::optional<QueuedRequest> item;
    {
      std::unique_lock lock(mutex_);
      item = wait_for_request(lock);
    }
    if (!item) break;
    deliver(failed_result(item->request, item->index, ErrorKind::resource,
                          "no worker could fetch this request (threads or files exhausted)"),
            tally);
    finish(*item);
  }
  merge_tally(std::move(tally));
}

void SchedulerState::drive_pool(unsigned worker_count) {
  std::vector<std::thread> workers;
  if (options_.strategy.kind != Strategy::Kind::sequential) {
    workers.reserve(worker_count);
    for (unsigned w = 0; w < worker_count; ++w) {
      try {
        threads_.started();
        workers.emplace_back([this] {
          work_in_pool();
          threads_.stopped();
        });
      } catch (const std::system_error&) {
        threads_.stopped();  // fewer workers still finish the queue
        break;
      }
    }
  }
  if (workers.empty() && work_in_pool()) return;
  for (auto& worker : workers) worker.join();
  bool over = false;
  {
    std::lock_guard lock(mutex_);
    over = finished_ || stopped_;
  }
  // Every worker gave up without an event loop: this thread takes over, or fails what is left.
  if (!over && !work_in_pool()) fail_without_workers();
}

void SchedulerState::drive_thread_per_request() {
  std::list<std::thread> running;
  std::vector<std::list<std::thread>::iterator> ended;  // guarded by the mutex
  Tally tally;                                          // failures to start a thread
  const auto fetch_on_own_thread = [this, &ended](QueuedRequest item, std::list<std::thread>::iterator self) {
    Tally own;
    try {
      BlockingLoop loop(&stopper_);
      std::optional<FetchResult> result =
          item.host.empty() ? result_without_fetch(item) : loop.fetch(client_, item.request, item.index);
      if (result) {
        deliver(std::move(*result), own);
        finish(item);
      }
    } catch (const std::system_error& error) {
      deliver(failed_result(item.request, item.index, ErrorKind::resource,
                            std::string("cannot set up this thread's event loop: ") + error.what()),
              own);
      finish(item);
    }
    merge_tally(std::move(own));
    std::lock_guard lock(mutex_);
    ended.push_back(self);
  };
  std::unique_lock lock(mutex_);
  while (auto item = wait_for_request(lock)) {
    lock.unlock();
    auto self = running.emplace(running.end());
    try {
      threads_.started();
      *self = std::thread([&, self, item = *item]() mutable {
        fetch_on_own_thread(std::move(item), self);
        threads_.stopped();
      });
    } catch (const std::system_error& error) {
      threads_.stopped();
      running.erase(self);
      deliver(failed_result(item->request, item->index, ErrorKind::resource,
                            std::string("cannot start a thread for this request: ") + error.what()),
              tally);
      finish(*item);
    }
    lock.lock();
    for (auto done : ended) {
      done->join();
      running.erase(done);
    }
    ended.clear();
  }
  lock.unlock();
  for (auto& thread : running) thread.join();
  merge_tally(std::move(tally));
}

}  // namespace fetcher::detail
