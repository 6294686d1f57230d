// async_strategy.cpp: async and async:N: event loops on as many threads (the caller's among
// them), each fetch a coroutine on one of them, under a cap on fetches in flight.
#include "strategies.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <system_error>
#include <thread>

namespace fetcher::detail {

namespace asio = boost::asio;

namespace {

// Most fetches an async run keeps in flight: the caller's cap, and never more than the
// open-files limit allows (the rest queue instead of failing with "too many open files").
std::size_t async_in_flight(std::size_t requested, std::size_t urls) {
  std::size_t cap = requested == 0 ? urls : std::min(requested, urls);
  if (const auto budget = open_files_budget(); budget > 0) cap = std::min(cap, budget);
  return std::max<std::size_t>(cap, 1);
}

}  // namespace

// `loop_count` event loops, the caller's thread running the first. Uncapped, URL i goes to
// loop i % loop_count and every fetch starts at once; capped, a fixed number of lanes (lane k
// on loop k % loop_count) each start the next URL in list order when their last one finished:
// the cap on fetches in flight is the number of lanes.
void run_async(const std::vector<FetchRequest>& requests, Client& client, unsigned loop_count,
               std::size_t max_in_flight, ResultSink& sink, ThreadCount& threads, RunStopper* stopper) {
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (unsigned l = 0; l < std::max(1u, loop_count); ++l) {
    try {
      loops.push_back(std::make_unique<asio::io_context>(1));
    } catch (const std::system_error&) {
      if (loops.empty()) throw;  // not even one loop: run() reports every URL as a resource failure
      break;                     // fewer loops than asked for still fetch every URL
    }
  }
  const auto spawn_fetch = [&](asio::io_context& loop, std::size_t i, auto&& then) {
    asio::co_spawn(loop, client.async_fetch(requests[i], i),
                   [&, i, then](std::exception_ptr error, FetchResult result) {
                     sink.deliver(error ? internal_failure(requests[i], i, error) : std::move(result));
                     then();
                   });
  };
  const std::size_t lanes = async_in_flight(max_in_flight, requests.size());
  // These live until every loop has returned, because completion handlers call them.
  std::atomic<std::size_t> next{0};
  std::vector<std::function<void()>> start_next(loops.size());
  for (std::size_t l = 0; l < loops.size(); ++l) {
    start_next[l] = [&, l] {
      if (const std::size_t i = next++; i < requests.size()) spawn_fetch(*loops[l], i, start_next[l]);
    };
  }
  if (lanes >= requests.size()) {
    for (std::size_t i = 0; i < requests.size(); ++i) spawn_fetch(*loops[i % loops.size()], i, [] {});
  } else {
    for (std::size_t lane = 0; lane < lanes; ++lane) start_next[lane % loops.size()]();
  }

  const auto drive = [&](asio::io_context& loop) {
    RunStopperAccess::enter(stopper, loop);
    loop.run();  // returns when the loop's fetches are done, or at once after a stop
    RunStopperAccess::leave(stopper, loop);
  };
  std::vector<std::thread> workers;
  std::vector<asio::io_context*> unstarted;  // loops whose thread the machine refused
  for (std::size_t l = 1; l < loops.size(); ++l) {
    try {
      threads.started();
      workers.emplace_back([&, l] {
        drive(*loops[l]);
        threads.stopped();
      });
    } catch (const std::system_error&) {
      threads.stopped();
      unstarted.push_back(loops[l].get());
    }
  }
  drive(*loops[0]);
  for (auto* loop : unstarted) drive(*loop);  // late, on this thread, but every URL is fetched
  for (auto& worker : workers) worker.join();
  // Destroying the loops destroys any fetch still suspended after a stop: its sockets close.
  // That happens here, while the lanes and the counter their handlers refer to still exist.
  loops.clear();
}

}  // namespace fetcher::detail
