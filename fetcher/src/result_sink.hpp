// result_sink.hpp: where run()'s strategies hand their results: the caller's callback, then the
// result's slot in the report, one result at a time.
#pragma once

#include "run_loops.hpp"

#include <fetcher/run.hpp>

#include <exception>
#include <mutex>
#include <string>
#include <vector>

namespace fetcher::detail {

// Hands each result to the caller's callback and stores it, one thread at a time.
class ResultSink {
 public:
  ResultSink(std::vector<FetchResult>& results, const ResultCallback& on_result)
      : results_(results), on_result_(on_result), delivered_(results.size(), false) {}

  void deliver(FetchResult result) {
    std::lock_guard lock(mutex_);
    if (on_result_) {
      // A throwing callback is the caller's bug; it must not take the other URLs down with it,
      // so it is kept and rethrown once the run is complete.
      try {
        on_result_(result);
      } catch (...) {
        if (!callback_failure_) callback_failure_ = std::current_exception();
      }
    }
    delivered_[result.index] = true;
    auto& slot = results_[result.index];
    slot = std::move(result);
  }

  // After a stop: every request without a result gets a cancelled one.
  void cancel_undelivered(const std::vector<FetchRequest>& requests) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (!delivered(i)) deliver(cancelled_result(requests[i], i));
    }
  }

  // After the workers are done: a request left without a result (its worker could not run or
  // died) fails with `kind` and `message`, so that every request still gets exactly one.
  void fail_undelivered(const std::vector<FetchRequest>& requests, ErrorKind kind, const std::string& message) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (!delivered(i)) deliver(failed_result(requests[i], i, kind, message));
    }
  }

  std::exception_ptr callback_failure() const { return callback_failure_; }

 private:
  bool delivered(std::size_t index) {
    std::lock_guard lock(mutex_);
    return delivered_[index];
  }

  std::mutex mutex_;
  std::vector<FetchResult>& results_;
  const ResultCallback& on_result_;
  std::vector<bool> delivered_;
  std::exception_ptr callback_failure_;
};

}  // namespace fetcher::detail
