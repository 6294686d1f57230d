// scheduler_async.cpp: the Scheduler on event loops (async, async:N). A pump, posted to a loop
// whenever something changes, takes every request it may dispatch from the host queue and starts
// each as a coroutine on the next loop, round-robin; a timer on the first loop wakes the pump
// when a host's interval ends. Loops run until the run is drained or stopped.
#include "scheduler_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <system_error>
#include <thread>
#include <vector>

namespace fetcher::detail {

namespace asio = boost::asio;

struct SchedulerState::AsyncLoops {
  using work_guard = asio::executor_work_guard<asio::io_context::executor_type>;

  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<work_guard> keep_running;       // loops wait for pushes while idle
  std::vector<Tally> tallies;                 // one per loop, touched by its thread only
  std::unique_ptr<asio::steady_timer> timer;  // on loops[0]
  std::size_t next_loop = 0;                  // guarded by the state's mutex

  asio::io_context& loop(std::size_t number) { return *loops[number]; }
  void stop_all() {
    for (auto& loop : loops) loop->stop();  // safe from any thread
  }
};

void SchedulerState::wake_locked(bool post_pump) {
  changed_.notify_all();
  if (!async_loops_) return;
  if (finished_ || stopped_) {
    async_loops_->stop_all();
    return;
  }
  // No pump to post: the caller pumps itself, one is posted already, nothing is queued, or no
  // global slot is free (a finishing fetch pumps again).
  if (!post_pump || pump_posted_ || queue_.queued() == 0 || in_flight_ >= max_in_flight_) return;
  pump_posted_ = true;
  const auto number = async_loops_->next_loop++ % async_loops_->loops.size();
  asio::post(async_loops_->loop(number), [this] { pump(); });
}

void SchedulerState::pump(std::optional<std::size_t> here) {
  std::vector<std::pair<QueuedRequest, std::size_t>> dispatched;
  {
    std::lock_guard lock(mutex_);
    if (!here) pump_posted_ = false;
    while (auto item = take_locked()) {
      const auto loop_number =
          dispatched.empty() && here ? *here : async_loops_->next_loop++ % async_loops_->loops.size();
      dispatched.emplace_back(std::move(*item), loop_number);
    }
    const auto wake = queue_.next_wake();
    if (wake && !stopped_ && (!timer_armed_at_ || *wake < *timer_armed_at_)) {
      timer_armed_at_ = *wake;
      asio::post(async_loops_->loop(0), [this, when = *wake] { arm_timer(when); });
    }
  }
  // Started without the lock: a coroutine runs inline up to its first wait.
  for (auto& [item, loop_number] : dispatched) fetch_on_loop(std::move(item), loop_number);
}

void SchedulerState::arm_timer(clock_type::time_point when) {
  auto& timer = *async_loops_->timer;
  timer.expires_at(when);  // cancels a later wait, if any
  timer.async_wait([this](std::error_code error) {
    if (error) return;
    std::lock_guard lock(mutex_);
    timer_armed_at_.reset();
    wake_locked();
  });
}

void SchedulerState::fetch_on_loop(QueuedRequest item, std::size_t loop_number) {
  auto& loop = async_loops_->loop(loop_number);
  auto& tally = async_loops_->tallies[loop_number];
  if (item.host.empty()) {
    asio::post(loop, [this, &tally, loop_number, item = std::move(item)] {
      deliver(result_without_fetch(item), tally);
      finish(item, false);
      pump(loop_number);
    });
    return;
  }
  auto request = item.request;
  const auto index = item.index;
  asio::co_spawn(loop, client_.async_fetch(std::move(request), index),
                 [this, &tally, loop_number, item = std::move(item)](std::exception_ptr error, FetchResult result) {
                   deliver(error ? internal_failure(item.request, item.index, error) : std::move(result), tally);
                   // The next request starts here at once, on the connection this one left idle.
                   finish(item, false);
                   pump(loop_number);
                 });
}

void SchedulerState::drive_async() {
  AsyncLoops loops;
  for (unsigned l = 0; l < std::max(1u, options_.strategy.workers); ++l) {
    try {
      loops.loops.push_back(std::make_unique<asio::io_context>(1));
    } catch (const std::system_error&) {
      if (loops.loops.empty()) throw;  // not even one loop
      break;                           // fewer loops than asked for still fetch everything
    }
    loops.keep_running.push_back(asio::make_work_guard(*loops.loops.back()));
  }
  const auto drive_loop = [this](asio::io_context& loop) {
    RunStopperAccess::enter(&stopper_, loop);
    loop.run();  // until the run is drained (or stopped): wake_locked stops every loop
    RunStopperAccess::leave(&stopper_, loop);
  };
  // Each loop but the first gets its thread before any work is dealt; a loop whose thread the
  // machine refuses is dropped, so that no request is dealt to a loop nobody runs.
  std::vector<std::thread> workers;
  for (std::size_t l = 1; l < loops.loops.size(); ++l) {
    try {
      threads_.started();
      workers.emplace_back([&drive_loop, &loop = loops.loop(l), this] {
        drive_loop(loop);
        threads_.stopped();
      });
    } catch (const std::system_error&) {
      threads_.stopped();
      while (loops.loops.size() > l) {
        loops.keep_running.pop_back();
        loops.loops.pop_back();
      }
      break;
    }
  }
  loops.tallies.resize(loops.loops.size());
  loops.timer = std::make_unique<asio::steady_timer>(loops.loop(0));
  {
    std::lock_guard lock(mutex_);
    async_loops_ = &loops;
    if (drained_locked()) finished_ = true;
    wake_locked();
  }
  drive_loop(loops.loop(0));
  for (auto& worker : workers) worker.join();
  {
    std::lock_guard lock(mutex_);
    async_loops_ = nullptr;
  }
  // Fetches still suspended after a stop are destroyed with their loops (their sockets close);
  // fail_remaining() then reports them.
  loops.timer.reset();
  loops.keep_running.clear();
  loops.loops.clear();
  for (auto& tally : loops.tallies) merge_tally(std::move(tally));
}

}  // namespace fetcher::detail
