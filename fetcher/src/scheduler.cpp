// scheduler.cpp: the Scheduler's shared state (host queue, in-flight count, close and stop),
// result delivery with per-thread tallies, and the report. The strategies that drive it are in
// scheduler_async.cpp (event loops) and scheduler_blocking.cpp (worker threads).
#include "scheduler_state.hpp"

#include <fetcher/url.hpp>

#include <algorithm>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace fetcher {

namespace detail {

void Tally::add(FetchResult result, bool keep) {
  ++requests;
  if (result.ok()) ++ok;
  bytes += result.body_bytes;
  if (result.status != 0) histogram.add(result.timings.total);
  if (keep) results.push_back(std::move(result));
}

void Tally::merge(Tally&& other) {
  requests += other.requests;
  ok += other.ok;
  bytes += other.bytes;
  histogram.merge(other.histogram);
  std::move(other.results.begin(), other.results.end(), std::back_inserter(results));
  other = Tally{};
}

SchedulerState::SchedulerState(Client& client, SchedulerOptions options, ResultHandler on_result, bool arrival_order)
    : client_(client), options_(std::move(options)), on_result_(std::move(on_result)),
      queue_(options_.host_defaults, arrival_order) {
  const auto budget = open_files_budget();
  max_in_flight_ = options_.max_in_flight != 0 ? options_.max_in_flight
                                               : (budget != 0 ? budget : std::numeric_limits<std::size_t>::max());
}

std::optional<std::size_t> SchedulerState::push(FetchRequest request) {
  QueuedRequest item;
  if (!request.error.empty()) {
    item.error = request.error;
  } else {
    UrlParts parts;
    if (split_url(request.url, parts, item.error)) item.host = parts.host;
    if (item.host.empty() && item.error.empty()) item.error = "no host";
  }
  item.request = std::move(request);
  {
    std::lock_guard lock(mutex_);
    if (finished_) return std::nullopt;
    item.index = next_index_++;
    const auto index = item.index;
    queue_.push(std::move(item), clock_type::now());
    wake_locked();
    return index;
  }
}

void SchedulerState::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  // Closing a run that has nothing left ends it: the loops wait for nothing else.
  if (async_loops_ && drained_locked()) finished_ = true;
  wake_locked();
}

void SchedulerState::set_host_policy(const std::string& host, HostPolicy policy) {
  std::lock_guard lock(mutex_);
  queue_.set_policy(host, policy, clock_type::now());
  wake_locked();
}

void SchedulerState::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    wake_locked();
  }
  stopper_.stop();  // fetches in flight on registered loops end at once
}

std::optional<QueuedRequest> SchedulerState::take_locked() {
  if (stopped_ || finished_ || in_flight_ >= max_in_flight_) return std::nullopt;
  auto item = queue_.take(clock_type::now());
  if (!item) return std::nullopt;
  ++in_flight_;
  in_flight_requests_.emplace(item->index, item->request);
  return item;
}

bool SchedulerState::drained_locked() const { return closed_ && in_flight_ == 0 && queue_.queued() == 0; }

void SchedulerState::finish(const QueuedRequest& item, bool post_pump) {
  std::lock_guard lock(mutex_);
  in_flight_requests_.erase(item.index);
  --in_flight_;
  if (!item.host.empty()) queue_.finish(item.host, clock_type::now());
  if (drained_locked()) finished_ = true;
  wake_locked(post_pump);
}

FetchResult SchedulerState::result_without_fetch(const QueuedRequest& item) const {
  auto result = failed_result(item.request, item.index, ErrorKind::bad_url, item.error);
  result.stage = FetchStage::request;  // as the client says of a URL it cannot split
  return result;
}

void SchedulerState::deliver(FetchResult result, Tally& tally) {
  if (on_result_) {
    // A throwing handler is the caller's bug; the run still completes every request and run()
    // rethrows the first exception at the end.
    try {
      on_result_(result);
    } catch (...) {
      std::lock_guard lock(failure_mutex_);
      if (!handler_failure_) handler_failure_ = std::current_exception();
    }
  }
  tally.add(std::move(result), options_.keep_results);
}

void SchedulerState::merge_tally(Tally&& tally) {
  std::lock_guard lock(failure_mutex_);
  total_.merge(std::move(tally));
}

void SchedulerState::fail_remaining(ErrorKind kind, const std::string& message) {
  Tally tally;
  while (true) {
    std::vector<FetchResult> results;
    {
      std::lock_guard lock(mutex_);
      for (auto& item : queue_.drain()) {
        // A bad URL is a bad URL, stopped or not.
        results.push_back(item.host.empty()              ? result_without_fetch(item)
                          : kind == ErrorKind::cancelled ? cancelled_result(item.request, item.index)
                                                         : failed_result(item.request, item.index, kind, message));
      }
      for (auto& [index, request] : in_flight_requests_) {
        results.push_back(kind == ErrorKind::cancelled ? cancelled_result(request, index)
                                                       : failed_result(request, index, kind, message));
      }
      in_flight_requests_.clear();
      in_flight_ = 0;
      // A handler below may push again; those are settled in the next round.
      if (results.empty()) {
        finished_ = true;
        break;
      }
    }
    for (auto& result : results) deliver(std::move(result), tally);
  }
  merge_tally(std::move(tally));
}

RunReport SchedulerState::run(std::stop_token stop) {
  RunReport report;
  report.strategy = options_.strategy.name();
  const auto counters_before = client_.counters();
  const auto start = clock_type::now();
  std::string setup_failure;
  {
    std::stop_callback on_stop(stop, [this] { request_stop(); });
    try {
      drive();
    } catch (const std::system_error& error) {
      // Not even one event loop could be made: every request says why.
      setup_failure = std::string("cannot set up the run: ") + error.what();
    }
  }
  if (setup_failure.empty()) {
    fail_remaining(ErrorKind::cancelled, {});
  } else {
    fail_remaining(ErrorKind::resource, setup_failure);
  }
  report.wall = clock_type::now() - start;
  const auto counters_after = client_.counters();
  report.connections_opened = counters_after.connections_opened - counters_before.connections_opened;
  report.tls_handshakes = counters_after.tls_handshakes - counters_before.tls_handshakes;
  report.tls_resumed = counters_after.tls_resumed - counters_before.tls_resumed;
  report.peak_threads = threads_.peak();
  report.requests = total_.requests;
  report.ok = total_.ok;
  report.failed = total_.requests - total_.ok;
  report.bytes = total_.bytes;
  report.latency_histogram = total_.histogram;
  report.latency = total_.histogram.summary();
  report.results = std::move(total_.results);
  std::sort(report.results.begin(), report.results.end(),
            [](const FetchResult& a, const FetchResult& b) { return a.index < b.index; });
  if (handler_failure_) std::rethrow_exception(handler_failure_);
  return report;
}

void SchedulerState::drive() {
  switch (options_.strategy.kind) {
    case Strategy::Kind::async: drive_async(); break;
    case Strategy::Kind::pool: drive_pool(options_.strategy.workers); break;
    case Strategy::Kind::sequential: drive_pool(1); break;
    case Strategy::Kind::threads: drive_thread_per_request(); break;
    case Strategy::Kind::processes: break;  // refused by the constructor
  }
}

}  // namespace detail

struct Scheduler::Impl {
  Impl(Client& client, SchedulerOptions options, ResultHandler on_result)
      : state(client, std::move(options), std::move(on_result)) {}
  detail::SchedulerState state;
  std::atomic<bool> ran{false};
};

Scheduler::Scheduler(Client& client, SchedulerOptions options, ResultHandler on_result) {
  if (options.strategy.kind == Strategy::Kind::processes) {
    throw std::invalid_argument(options.strategy.name() + ": the scheduler does not run processes (run() does)");
  }
  impl_ = std::make_unique<Impl>(client, std::move(options), std::move(on_result));
}

Scheduler::~Scheduler() = default;

std::optional<std::size_t> Scheduler::push(FetchRequest request) { return impl_->state.push(std::move(request)); }

void Scheduler::close() { impl_->state.close(); }

void Scheduler::set_host_policy(const std::string& host, HostPolicy policy) {
  impl_->state.set_host_policy(host, policy);
}

RunReport Scheduler::run(std::stop_token stop) {
  if (impl_->ran.exchange(true)) throw std::logic_error("Scheduler::run: a scheduler runs once");
  return impl_->state.run(std::move(stop));
}

}  // namespace fetcher
