// run_loops.cpp: the RunStopper, failed results, the blocking event loop and the open-files
// budget, shared by every strategy and the scheduler.
#include "run_loops.hpp"

#include "one_fetch_loop.hpp"

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <vector>

#include <sys/resource.h>

namespace fetcher {

namespace asio = boost::asio;

struct RunStopper::Loops {
  std::mutex mutex;
  std::atomic<bool> stopped{false};
  std::vector<asio::io_context*> active;
  std::stop_source source;  // for the runs that take a stop token (run() on the scheduler)
};

void RunStopperAccess::enter(RunStopper* stopper, asio::io_context& loop) {
  if (!stopper) return;
  std::lock_guard lock(stopper->loops_->mutex);
  stopper->loops_->active.push_back(&loop);
  if (stopper->loops_->stopped) loop.stop();
}

std::stop_token RunStopperAccess::token(RunStopper* stopper) {
  return stopper ? stopper->loops_->source.get_token() : std::stop_token{};
}

void RunStopperAccess::leave(RunStopper* stopper, asio::io_context& loop) {
  if (!stopper) return;
  std::lock_guard lock(stopper->loops_->mutex);
  std::erase(stopper->loops_->active, &loop);
}

RunStopper::RunStopper() : loops_(std::make_unique<Loops>()) {}
RunStopper::~RunStopper() = default;

void RunStopper::stop() {
  {
    std::lock_guard lock(loops_->mutex);
    loops_->stopped = true;
    for (auto* loop : loops_->active) loop->stop();  // io_context::stop is safe from any thread
  }
  loops_->source.request_stop();  // runs the stop callbacks of runs on the scheduler
}

bool RunStopper::stopped() const { return loops_->stopped; }

namespace detail {

FetchResult failed_result(const FetchRequest& request, std::size_t index, ErrorKind kind, std::string message) {
  FetchResult result;
  result.index = index;
  result.url = request.url;
  result.final_url = request.url;
  result.source = request.source;
  result.error = kind;
  result.message = request.source.empty() ? std::move(message) : request.source + ": " + message;
  return result;
}

FetchResult cancelled_result(const FetchRequest& request, std::size_t index) {
  return failed_result(request, index, ErrorKind::cancelled, "cancelled: the run was stopped");
}

FetchResult internal_failure(const FetchRequest& request, std::size_t index, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::system_error& e) {
    const auto code = e.code();
    if (code == std::errc::too_many_files_open || code == std::errc::too_many_files_open_in_system ||
        code == std::errc::not_enough_memory || code == std::errc::resource_unavailable_try_again ||
        code == std::errc::no_buffer_space) {
      // The machine refused something the fetch needed (a descriptor, a thread, memory).
      return failed_result(request, index, ErrorKind::resource, std::string("out of a resource: ") + e.what());
    }
    return failed_result(request, index, ErrorKind::internal, std::string("internal error: ") + e.what());
  } catch (const std::bad_alloc& e) {
    return failed_result(request, index, ErrorKind::resource, std::string("out of memory: ") + e.what());
  } catch (const std::exception& e) {
    return failed_result(request, index, ErrorKind::internal, std::string("internal error: ") + e.what());
  } catch (...) {
    return failed_result(request, index, ErrorKind::internal, "internal error");
  }
}

std::optional<FetchResult> BlockingLoop::fetch(Client& client, const FetchRequest& request, std::size_t index) {
  // A loop also counts as stopped once it ran out of work; only the stopper's word counts
  // here, checked again after the restart so that a stop in between is not lost.
  if (stop_requested()) return std::nullopt;
  loop_.restart();
  if (stop_requested()) return std::nullopt;
  std::optional<FetchResult> result;
  asio::co_spawn(loop_, client.async_fetch(request, index), [&](std::exception_ptr error, FetchResult value) {
    result = error ? internal_failure(request, index, error) : std::move(value);
  });
  // Until this fetch is done, not until the loop is idle: work left by an earlier fetch (a DNS
  // answer nobody waits for any more) must not hold this one up.
  while (!result && loop_.run_one() > 0) {
  }
  return result;  // a stopped loop keeps the suspended fetch; it is destroyed with the loop
}

std::size_t open_files_budget() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  std::size_t open_now = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++open_now;
  }
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  if (soft <= open_now + 64) return 1;
  return std::max<std::size_t>(1, (soft - open_now - 64) * 3 / 4);
}

}  // namespace detail
}  // namespace fetcher
