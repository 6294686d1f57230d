// blocking_strategies.cpp: sequential, threads and pool:N. Each thread of a run drives a
// blocking event loop of its own (so its kept-alive connections are its own), registered with
// the RunStopper so that a stop from any thread reaches every loop.
#include "strategies.hpp"

#include <atomic>
#include <string>
#include <system_error>
#include <thread>

namespace fetcher::detail {

void run_sequential(const std::vector<FetchRequest>& requests, Client& client, ResultSink& sink, RunStopper* stopper) {
  BlockingLoop loop(stopper);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto result = loop.fetch(client, requests[i], i);
    if (!result) return;
    sink.deliver(std::move(*result));
  }
}

void run_thread_per_url(const std::vector<FetchRequest>& requests, Client& client, ResultSink& sink,
                        ThreadCount& threads, RunStopper* stopper) {
  std::vector<std::thread> workers;
  workers.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (stopper && stopper->stopped()) break;
    try {
      threads.started();
      workers.emplace_back([&, i] {
        try {
          BlockingLoop loop(stopper);
          if (auto result = loop.fetch(client, requests[i], i)) sink.deliver(std::move(*result));
        } catch (const std::system_error& error) {
          // The thread started but its event loop could not be made (out of file descriptors).
          sink.deliver(failed_result(requests[i], i, ErrorKind::resource,
                                     std::string("cannot set up this thread's event loop: ") + error.what()));
        }
        threads.stopped();
      });
    } catch (const std::system_error& error) {
      // The thread limit (RLIMIT_NPROC, kernel.threads-max, or memory for stacks) is reached.
      threads.stopped();
      const unsigned alive = threads.alive() - 1;  // the caller's thread is not one of them
      sink.deliver(failed_result(requests[i], i, ErrorKind::resource,
                                 "cannot start a thread for this URL (thread limit reached with " +
                                     std::to_string(alive) + " of this run's threads alive): " + error.what()));
    }
  }
  for (auto& worker : workers) worker.join();
}

void run_pool(const std::vector<FetchRequest>& requests, unsigned worker_count, Client& client, ResultSink& sink,
              ThreadCount& threads, RunStopper* stopper) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    try {
      BlockingLoop loop(stopper);
      for (std::size_t i = next++; i < requests.size(); i = next++) {
        auto result = loop.fetch(client, requests[i], i);
        if (!result) return;
        sink.deliver(std::move(*result));
      }
    } catch (const std::system_error&) {
      // This worker's event loop could not be made; the other workers take the queue, and
      // run() fails whatever none of them could fetch.
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(worker_count);
  for (unsigned w = 0; w < worker_count; ++w) {
    try {
      threads.started();
      workers.emplace_back([&] {
        work();
        threads.stopped();
      });
    } catch (const std::system_error&) {
      // Fewer workers than asked for still finish the queue; with none, the caller's thread does.
      threads.stopped();
      break;
    }
  }
  if (workers.empty()) work();
  for (auto& worker : workers) worker.join();
}

}  // namespace fetcher::detail
