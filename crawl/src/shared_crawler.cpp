// shared_crawler.cpp: see shared_crawler.hpp; the worker's state and threads are described in
// shared_crawler_impl.hpp. Here: start-up, and run() with the loop of the thread that called it.
#include <fetcher/crawl/shared_crawler.hpp>

#include "shared_crawler_impl.hpp"
#include "shared_settings.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include <unistd.h>

namespace fetcher::crawl {

namespace {

using Clock = std::chrono::steady_clock;

// How often an idle worker looks for new entries.
constexpr auto poll_interval = std::chrono::milliseconds(20);
// The longest the run() thread sleeps between looks at its hosts and the stream.
constexpr auto longest_wait = std::chrono::milliseconds(50);

std::string default_worker_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "worker") + "-" + std::to_string(::getpid());
}

}  // namespace

SharedCrawler::Impl::Impl(FetchOptions fetch_options, CrawlOptions options_in, SharedCrawlOptions shared_in,
                          PageRecorder recorder_in)
    : options(std::move(options_in)), shared(std::move(shared_in)), recorder(std::move(recorder_in)) {
  if (shared.crawl_id.empty()) throw std::invalid_argument("a shared crawl needs a crawl id");
  if (shared.crawl_id.find_first_of("{}\r\n ") != std::string::npos) {
    throw std::invalid_argument("crawl id '" + shared.crawl_id + "': no spaces, braces or line breaks");
  }
  if (shared.worker.empty()) shared.worker = default_worker_name();
  if (options.per_host == 0) throw std::invalid_argument("per_host must be at least 1");
  if (shared.claim_idle < std::chrono::milliseconds(100))
    throw std::invalid_argument("claim_idle must be at least 100 ms");
  const auto address = parse_redis_url(shared.redis_url);
  redis = std::make_unique<RedisConnection>(address, shared.redis_timeout);
  frontier = std::make_unique<SharedFrontier>(*redis, shared.crawl_id, shared.worker);
  user_agent = fetch_options.user_agent;
  started = join_shared_crawl(*frontier, shared, options, user_agent);
  fetch_options.user_agent = user_agent;
  product_token = crawl::product_token(user_agent);
  scope = std::make_unique<ScopeFilter>(options.scope, hosts_of(options.seeds));
  if (options.record_exchange) page_headers.add("Accept-Encoding", "identity");
  if (options.max_in_flight > 0) window = std::max<std::size_t>(8, options.max_in_flight * 2);
  client = std::make_unique<Client>(fetch_options);
  SchedulerOptions scheduler_options;
  scheduler_options.strategy = options.strategy;
  scheduler_options.max_in_flight = options.max_in_flight;
  // The leases in Redis keep per_host and delay over all workers. The same policy kept locally
  // as well stops one worker whose loop stalled from sending two granted requests at once.
  scheduler_options.host_defaults = HostPolicy{options.per_host, options.delay};
  scheduler =
      std::make_unique<Scheduler>(*client, scheduler_options, [this](const FetchResult& result) { on_result(result); });
}

SharedCrawlStats SharedCrawler::Impl::run(std::stop_token stop) {
  if (ran) throw std::logic_error("SharedCrawler::run called twice");
  ran = true;
  const auto started_at = Clock::now();
  std::stop_source stop_fetching;
  RunReport report;
  std::jthread fetching([&] { report = scheduler->run(stop_fetching.get_token()); });
  std::stop_callback forward(stop, [this] { wake.notify_all(); });
  std::exception_ptr failure;
  bool finished = false;
  try {
    finished = crawl_loop(stop);
  } catch (...) {
    failure = std::current_exception();
  }
  if (!finished) stop_fetching.request_stop();
  scheduler->close();
  fetching.join();
  if (!failure && !finished) {
    // Stopped: release the leases of the cancelled fetches; their entries stay for others.
    try {
      std::vector<Completion> batch;
      {
        std::lock_guard lock(mutex);
        batch.swap(completions);
      }
      record_completions(batch);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  {
    std::lock_guard lock(mutex);
    if (handler_failure) std::rethrow_exception(handler_failure);
  }
  return summary(started_at, finished);
}

SharedCrawlStats SharedCrawler::Impl::summary(Clock::time_point started_at, bool finished) {
  SharedCrawlStats result;
  {
    std::lock_guard lock(mutex);
    result = totals;
    result.worker = snapshot();
  }
  result.worker.wall = Clock::now() - started_at;
  result.finished = finished;
  result.crawl_pages = frontier->pages_recorded();
  result.worker.seen = frontier->seen_urls();
  result.redis_commands = redis->commands_sent();
  return result;
}

CrawlStats SharedCrawler::Impl::snapshot() const {
  auto copy = stats;
  copy.in_flight = in_flight.size();
  return copy;
}

bool SharedCrawler::Impl::crawl_loop(const std::stop_token& stop) {
  const auto start = Clock::now();
  Timers timers{start, start, start + shared.claim_idle / 3};
  while (!stop.stop_requested()) {
    std::vector<Completion> batch;
    std::size_t flying = 0;
    {
      std::lock_guard lock(mutex);
      if (handler_failure) return false;
      batch.swap(completions);
      flying = in_flight.size();
    }
    if (!batch.empty() || !no_pages.empty()) record_completions(batch);
    const auto now = Clock::now();
    const bool took_nothing = take_and_reclaim(timers, now, flying);
    if (now >= timers.next_refresh) {
      refresh_claims(now);
      timers.next_refresh = now + shared.claim_idle / 3;
    }
    dispatch(now);
    {
      std::lock_guard lock(mutex);
      flying = in_flight.size() + completions.size();
      stats.queued = held_count;
    }
    if (took_nothing && held_count == 0 && flying == 0 && no_pages.empty() && frontier->open_urls() == 0) return true;
    const auto until = wake_time(timers, now, flying);
    std::unique_lock lock(mutex);
    wake.wait_until(lock, until, [&] { return !completions.empty() || handler_failure || stop.stop_requested(); });
  }
  return false;
}

// Takes new entries up to the window when their time has come, and reclaims the entries of
// workers gone silent when that time has come. True when it asked for new entries and got none,
// and reclaimed none.
bool SharedCrawler::Impl::take_and_reclaim(Timers& timers, Clock::time_point now, std::size_t flying) {
  const auto reclaim_every = std::max(shared.claim_idle / 4, std::chrono::milliseconds(50));
  bool took_nothing = false;
  const auto holding = held_count + flying;
  if (holding < window && now >= timers.next_take) {
    auto entries = frontier->take(window - holding);
    took_nothing = entries.empty();
    timers.next_take = took_nothing ? now + poll_interval : now;
    hold(std::move(entries));
  }
  if (now >= timers.next_reclaim) {
    auto entries = frontier->reclaim(shared.claim_idle, std::max<std::size_t>(window / 2, 1));
    {
      std::lock_guard lock(mutex);
      totals.reclaimed += entries.size();
    }
    if (!entries.empty()) took_nothing = false;
    hold(std::move(entries));
    timers.next_reclaim = now + reclaim_every;
  }
  return took_nothing;
}

// When the loop next wakes if no fetch ends first: a host's retry, or the next look at the
// stream. A full window takes nothing: next_take does not count then (it would wake the loop at
// once, over and over, until a fetch ends).
SharedCrawler::Impl::Clock::time_point SharedCrawler::Impl::wake_time(const Timers& timers, Clock::time_point now,
                                                                      std::size_t flying) const {
  auto until = std::min({timers.next_reclaim, timers.next_refresh, now + longest_wait});
  if (held_count + flying < window) until = std::min(until, timers.next_take);
  for (const auto& [origin, host] : hosts) {
    if (!host.waiting.empty() && host.robots != RobotsState::fetching && host.leased < options.per_host) {
      until = std::min(until, host.retry_at);
    }
  }
  if (!no_pages.empty()) until = now;
  return until;
}

SharedCrawler::SharedCrawler(FetchOptions fetch_options, CrawlOptions options, SharedCrawlOptions shared,
                             PageRecorder record)
    : impl_(
          std::make_unique<Impl>(std::move(fetch_options), std::move(options), std::move(shared), std::move(record))) {}

SharedCrawler::~SharedCrawler() = default;

const CrawlOptions& SharedCrawler::options() const { return impl_->options; }
const std::string& SharedCrawler::user_agent() const { return impl_->user_agent; }
bool SharedCrawler::started_the_crawl() const { return impl_->started; }

SharedCrawlStats SharedCrawler::run(std::stop_token stop) { return impl_->run(std::move(stop)); }

CrawlStats SharedCrawler::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->snapshot();
}

std::uint64_t SharedCrawler::export_results(std::ostream& out) { return impl_->frontier->export_results(out); }

}  // namespace fetcher::crawl
