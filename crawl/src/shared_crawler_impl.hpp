// shared_crawler_impl.hpp: the state of one worker of a shared crawl (shared_crawler.hpp) and the
// parts of its work. Two kinds of thread: the one that called run() owns the Redis connection and
// every decision (take, robots, leases, record); the scheduler's loops fetch, parse each page on
// the thread that fetched it, and hand a completion back through one mutex-guarded queue.
//   shared_crawler.cpp        start-up, run() and its loop: take, reclaim, refresh, dispatch, wait
//   shared_crawler_hosts.cpp  the run() thread's hosts: robots.txt, leases, starting fetches,
//                             recording what finished, keeping claims alive
//   shared_crawler_fetches.cpp  the scheduler's threads: a finished fetch becomes a completion
#pragma once

#include "page.hpp"
#include "redis_connection.hpp"
#include "scope.hpp"
#include "shared_frontier.hpp"

#include <fetcher/crawl/robots.hpp>
#include <fetcher/crawl/shared_crawler.hpp>
#include <fetcher/scheduler.hpp>

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fetcher::crawl {

// robots.txt as stored for every worker: "<delivered 0|1> <status>\n<body>".
inline std::string robots_record(const FetchResult& result, const std::string& body) {
  return std::string(result.delivered() ? "1" : "0") + " " + std::to_string(result.status) + "\n" + body;
}

inline RobotsRules rules_of_record(const std::string& record, std::string_view token) {
  const auto newline = record.find('\n');
  const bool delivered = record.starts_with('1');
  const auto status = static_cast<unsigned>(std::strtoul(record.c_str() + 2, nullptr, 10));
  const auto body = newline == std::string::npos ? std::string_view() : std::string_view(record).substr(newline + 1);
  return rules_for_response(delivered, status, body, token);
}

struct SharedCrawler::Impl {
  using Clock = std::chrono::steady_clock;

  struct Held {
    StreamEntry entry;
    Clock::time_point claimed;  // when this worker took it or last refreshed its claim
  };
  enum class RobotsState { unknown, locked, fetching, known };
  struct HostState {
    std::string origin;
    std::string host;
    RobotsState robots = RobotsState::unknown;
    RobotsRules rules = RobotsRules::allow_all();
    std::chrono::milliseconds delay{0};
    std::deque<Held> waiting;
    unsigned leased = 0;           // leases held by this worker
    Clock::time_point retry_at{};  // next lease or robots request
    std::chrono::milliseconds full_backoff{1};
  };
  struct InFlight {
    Held held;
    std::string origin;
    std::string token;                   // the lease
    std::shared_ptr<PageBody> page;      // null for robots.txt
    std::shared_ptr<RobotsBody> robots;  // null for a page
  };
  struct Completion {
    InFlight job;
    bool cancelled = false;
    Clock::time_point sent{};  // when the request went out (its connection ready)
    std::string robots;        // robots.txt's record
    UrlRecord record;
  };
  // When the run() thread next looks at the stream, for new entries and for entries to reclaim,
  // and next refreshes its claims.
  struct Timers {
    Clock::time_point next_take;
    Clock::time_point next_reclaim;
    Clock::time_point next_refresh;
  };

  // Entries a worker holds at once (waiting for robots.txt or a lease, or in flight) when
  // max_in_flight does not say.
  static constexpr std::size_t default_window = 64;

  CrawlOptions options;
  SharedCrawlOptions shared;
  PageRecorder recorder;
  std::string user_agent;
  bool started = false;
  std::string product_token;
  std::unique_ptr<RedisConnection> redis;
  std::unique_ptr<SharedFrontier> frontier;
  std::unique_ptr<Client> client;
  std::unique_ptr<ScopeFilter> scope;
  std::unique_ptr<Scheduler> scheduler;
  HeaderFields page_headers;
  std::size_t window = default_window;
  bool ran = false;

  // The run() thread's own state.
  std::unordered_map<std::string, HostState> hosts;  // by origin
  std::uint64_t held_count = 0;
  std::uint64_t lease_counter = 0;
  std::vector<UrlRecord> no_pages;  // robots-disallowed, to record

  // Shared with the scheduler's threads.
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::unordered_map<std::size_t, InFlight> in_flight;  // by the scheduler's index
  std::vector<Completion> completions;
  CrawlStats stats;
  SharedCrawlStats totals;
  std::exception_ptr handler_failure;

  // shared_crawler.cpp
  Impl(FetchOptions fetch_options, CrawlOptions options_in, SharedCrawlOptions shared_in, PageRecorder recorder_in);
  SharedCrawlStats run(std::stop_token stop);
  bool crawl_loop(const std::stop_token& stop);  // true when the crawl is over; false on a stop
  bool take_and_reclaim(Timers& timers, Clock::time_point now, std::size_t flying);
  Clock::time_point wake_time(const Timers& timers, Clock::time_point now, std::size_t flying) const;
  SharedCrawlStats summary(Clock::time_point started_at, bool finished);
  CrawlStats snapshot() const;  // the mutex held

  // shared_crawler_fetches.cpp: the scheduler's threads
  void on_result(const FetchResult& result);
  void handle(const FetchResult& result);
  void make_record(Completion& done, const FetchResult& result);

  // shared_crawler_hosts.cpp: the run() thread
  HostState& host_of(const std::string& url);
  void hold(std::vector<StreamEntry> entries);
  void apply_robots(HostState& host, const std::string& record);
  void record_completions(std::vector<Completion>& batch);
  void dispatch(Clock::time_point now);
  bool robots_ready(HostState& host, Clock::time_point now);
  void drop_disallowed(HostState& host);
  void start_robots(HostState& host, const std::string& token);
  void start_page(HostState& host, const std::string& token);
  void refresh_claims(Clock::time_point now);
};

}  // namespace fetcher::crawl
