// shared_crawler.cpp: see shared_crawler.hpp. Two kinds of thread: the one that called run()
// owns the Redis connection and every decision (take, robots, leases, record); the scheduler's
// loops fetch, parse each page on the thread that fetched it, and hand a completion back through
// one mutex-guarded queue.
#include <fetcher/crawl/shared_crawler.hpp>

#include "page.hpp"
#include "redis_connection.hpp"
#include "scope.hpp"
#include "shared_frontier.hpp"

#include <fetcher/crawl/robots.hpp>
#include <fetcher/crawl/url_hash.hpp>
#include <fetcher/scheduler.hpp>
#include <fetcher/url.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <unistd.h>

namespace fetcher::crawl {

namespace {

using Clock = std::chrono::steady_clock;
using Settings = SharedFrontier::Settings;

// Entries a worker holds at once (waiting for robots.txt or a lease, or in flight) when
// max_in_flight does not say.
constexpr std::size_t default_window = 64;
// How often an idle worker looks for new entries.
constexpr auto poll_interval = std::chrono::milliseconds(20);
// How often a worker asks whether another one has stored an origin's robots.txt.
constexpr auto robots_poll_interval = std::chrono::milliseconds(50);

std::string default_worker_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "worker") + "-" + std::to_string(::getpid());
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string joined;
  for (const auto& line : lines) joined += line + "\n";
  return joined;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string limit_text(std::uint64_t value) {
  return value == std::numeric_limits<std::uint64_t>::max() ? "none" : std::to_string(value);
}

std::uint64_t limit_value(const std::string& text) {
  return text == "none" ? std::numeric_limits<std::uint64_t>::max() : std::stoull(text);
}

Settings settings_of(const CrawlOptions& options, const std::string& user_agent) {
  return {
      {"seeds", join_lines(options.seeds)},
      {"max-pages", limit_text(options.max_pages)},
      {"max-depth",
       options.max_depth == std::numeric_limits<unsigned>::max() ? "none" : std::to_string(options.max_depth)},
      {"scope", std::string(to_string(options.scope))},
      {"per-host", std::to_string(options.per_host)},
      {"delay", std::to_string(options.delay.count()) + "ms"},
      {"robots", options.robots ? "on" : "off"},
      {"user-agent", user_agent},
  };
}

void adopt(const Settings& stored, CrawlOptions& options, std::string& user_agent) {
  const auto value = [&stored](const char* name) -> const std::string& {
    const auto found = stored.find(name);
    if (found == stored.end()) throw std::runtime_error(std::string("the crawl's stored settings lack ") + name);
    return found->second;
  };
  options.seeds = split_lines(value("seeds"));
  options.max_pages = limit_value(value("max-pages"));
  const auto& depth = value("max-depth");
  options.max_depth = depth == "none" ? std::numeric_limits<unsigned>::max() : static_cast<unsigned>(std::stoul(depth));
  if (!parse_crawl_scope(value("scope"), options.scope)) throw std::runtime_error("the crawl's stored scope is bad");
  options.per_host = static_cast<unsigned>(std::stoul(value("per-host")));
  options.delay = std::chrono::milliseconds(std::stoll(value("delay")));
  options.robots = value("robots") == "on";
  user_agent = value("user-agent");
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// robots.txt as stored for every worker: "<delivered 0|1> <status>\n<body>".
std::string robots_record(const FetchResult& result, const std::string& body) {
  return std::string(result.delivered() ? "1" : "0") + " " + std::to_string(result.status) + "\n" + body;
}

RobotsRules rules_of_record(const std::string& record, std::string_view token) {
  const auto newline = record.find('\n');
  const bool delivered = record.starts_with('1');
  const auto status = static_cast<unsigned>(std::strtoul(record.c_str() + 2, nullptr, 10));
  const auto body = newline == std::string::npos ? std::string_view() : std::string_view(record).substr(newline + 1);
  return rules_for_response(delivered, status, body, token);
}

}  // namespace

struct SharedCrawler::Impl {
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

  Impl(FetchOptions fetch_options, CrawlOptions options_in, SharedCrawlOptions shared_in, PageRecorder recorder_in)
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
    join();
    fetch_options.user_agent = user_agent;
    product_token = crawl::product_token(user_agent);
    std::vector<std::string> seed_hosts;
    for (const auto& seed : options.seeds) seed_hosts.emplace_back(keys_of(seed).host);
    scope = std::make_unique<ScopeFilter>(options.scope, seed_hosts);
    if (options.record_exchange) page_headers.add("Accept-Encoding", "identity");
    if (options.max_in_flight > 0) window = std::max<std::size_t>(8, options.max_in_flight * 2);
    client = std::make_unique<Client>(fetch_options);
    SchedulerOptions scheduler_options;
    scheduler_options.strategy = options.strategy;
    scheduler_options.max_in_flight = options.max_in_flight;
    // The leases in Redis keep per_host and delay over all workers. The same policy kept locally
    // as well stops one worker whose loop stalled from sending two granted requests at once.
    scheduler_options.host_defaults = HostPolicy{options.per_host, options.delay};
    scheduler = std::make_unique<Scheduler>(*client, scheduler_options,
                                            [this](const FetchResult& result) { on_result(result); });
  }

  void join() {
    if (!options.seeds.empty()) shared.given.insert("seeds");
    const bool seeds_given = shared.given.contains("seeds");
    if (seeds_given) {
      for (auto& seed : options.seeds) {
        auto canonical = canonical_url(seed);
        if (!canonical) throw std::invalid_argument("seed " + seed + ": " + canonical.error);
        seed = std::move(canonical.url);
      }
      if (options.seeds.empty()) throw std::invalid_argument("no seed URL to start from");
    }
    const auto ours = settings_of(options, user_agent);
    Settings stored;
    if (seeds_given) {
      started = frontier->join(ours, options.seeds, options.max_pages, stored);
      if (started) return;
    } else {
      auto existing = frontier->settings();
      if (!existing) {
        throw std::invalid_argument("crawl " + shared.crawl_id + " has not started: the first worker needs seed URLs");
      }
      stored = std::move(*existing);
    }
    for (const auto& name : shared.given) {
      const auto mine = ours.find(name);
      const auto theirs = stored.find(name);
      if (mine == ours.end() || theirs == stored.end() || mine->second == theirs->second) continue;
      const auto what = name == "seeds" ? std::string("seed URLs") : "--" + name;
      throw std::invalid_argument(what + " " + one_line(mine->second) + ": crawl " + shared.crawl_id + " runs with " +
                                  (name == "seeds" ? "seed URLs" : name) + " " + one_line(theirs->second) +
                                  " (set by the worker that started it); give the same or leave it out to adopt it");
    }
    adopt(stored, options, user_agent);
  }

  // ---- the scheduler's threads ----

  void on_result(const FetchResult& result) {
    try {
      handle(result);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!handler_failure) handler_failure = std::current_exception();
      wake.notify_all();
    }
  }

  void handle(const FetchResult& result) {
    Completion done;
    {
      std::lock_guard lock(mutex);
      auto found = in_flight.find(result.index);
      if (found == in_flight.end()) return;
      done.job = std::move(found->second);
      in_flight.erase(found);
    }
    done.cancelled = result.error == ErrorKind::cancelled;
    // The request is written once its connection (and TLS) is ready: the start the host sees.
    const auto connected = std::max(result.timings.connect, result.timings.tls);
    done.sent = Clock::now() - std::chrono::duration_cast<Clock::duration>(result.timings.total - connected);
    if (!done.cancelled) {
      if (done.job.robots) {
        done.robots = robots_record(result, done.job.robots->body());
      } else {
        make_record(done, result);
      }
    }
    std::lock_guard lock(mutex);
    completions.push_back(std::move(done));
    wake.notify_all();
  }

  void make_record(Completion& done, const FetchResult& result) {
    const auto& entry = done.job.held.entry;
    const auto links_started = thread_cpu_now();
    auto found = links_of_page(entry.url, result, *done.job.page, *scope);
    auto& record = done.record;
    record.entry = entry;
    record.hash = url_hash(entry.url);
    record.lease_host = keys_of(entry.url).host;
    record.lease_token = done.job.token;
    std::uint64_t beyond_depth = 0;
    if (!found.nofollow) {
      for (auto& link : found.in_scope) {
        if (entry.depth + 1 > options.max_depth) {
          ++beyond_depth;
          continue;
        }
        record.links.push_back(LinkToQueue{std::move(link.url), link.hash, entry.depth + 1});
      }
    }
    if (!found.location.empty()) {
      if (scope->in_scope(keys_of(found.location).host)) {
        const auto hash = url_hash(found.location);
        record.links.push_back(LinkToQueue{std::move(found.location), hash, entry.depth});
      }
    }
    auto page =
        crawl_page(entry.url, entry.referrer, entry.depth, found.in_scope.size(), result, done.job.page->body());
    if (options.record_exchange) {
      FetchRequest request(entry.url);
      request.headers = page_headers;
      page.request_head = client->request_head(request);
    }
    std::lock_guard lock(mutex);  // the recorder sees one page at a time
    stats.parse_cpu += found.parse_cpu;
    stats.bad_links += found.bad_links;
    stats.out_of_scope += found.out_of_scope.size();
    stats.beyond_max_depth += beyond_depth;
    if (found.nofollow) stats.nofollow_skipped += found.in_scope.size();
    count_page(stats, result);
    record.result = recorder ? recorder(page) : entry.url;
    if (record.result.empty()) record.result = entry.url;  // empty means "no page"
    stats.links_cpu += thread_cpu_now() - links_started - found.parse_cpu;
  }

  // ---- the run() thread ----

  HostState& host_of(const std::string& url) {
    const auto keys = keys_of(url);
    auto [found, inserted] = hosts.try_emplace(std::string(keys.origin));
    if (inserted) {
      found->second.origin = std::string(keys.origin);
      found->second.host = std::string(keys.host);
      found->second.delay = options.delay;
      if (!options.robots) found->second.robots = RobotsState::known;
      std::lock_guard lock(mutex);
      ++stats.hosts;
    }
    return found->second;
  }

  void hold(std::vector<StreamEntry> entries) {
    const auto now = Clock::now();
    for (auto& entry : entries) {
      auto& host = host_of(entry.url);
      host.waiting.push_back(Held{std::move(entry), now});
      ++held_count;
    }
  }

  void apply_robots(HostState& host, const std::string& record) {
    host.rules = rules_of_record(record, product_token);
    host.robots = RobotsState::known;
    if (const auto delay = host.rules.crawl_delay(); delay && *delay > host.delay) {
      host.delay = *delay;
      scheduler->set_host_policy(host.host, HostPolicy{options.per_host, host.delay});
    }
  }

  // Records the finished fetches: one script per URL, pipelined.
  void record_completions(std::vector<Completion>& batch) {
    std::vector<UrlRecord> records = std::move(no_pages);
    no_pages.clear();
    std::vector<LeaseEnd> releases;
    const auto now = Clock::now();
    for (auto& done : batch) {
      auto& host = hosts.at(done.job.origin);
      --host.leased;
      // This lease's slot is free as soon as the record below runs: ask again without waiting.
      host.retry_at = now;
      host.full_backoff = std::chrono::milliseconds(1);
      const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(host.delay);
      // A cancelled fetch may have gone out any time until now: its start counts as now.
      const auto age = done.cancelled ? std::chrono::microseconds(0)
                                      : std::chrono::duration_cast<std::chrono::microseconds>(now - done.sent);
      if (done.job.robots) {
        if (done.cancelled) {
          frontier->unlock_robots(host.origin);
          host.robots = RobotsState::unknown;
        } else {
          frontier->store_robots(host.origin, done.robots);
          apply_robots(host, done.robots);
          std::lock_guard lock(mutex);
          ++stats.robots_fetches;
        }
        releases.push_back(LeaseEnd{host.host, done.job.token, delay, age});
      } else if (done.cancelled) {
        releases.push_back(LeaseEnd{host.host, done.job.token, delay, age});  // the entry stays: reclaimed later
      } else {
        done.record.delay = delay;
        done.record.age = age;
        records.push_back(std::move(done.record));
      }
    }
    frontier->end(releases);
    if (records.empty()) return;
    const auto outcomes = frontier->record(records, options.max_pages);
    std::lock_guard lock(mutex);
    for (const auto& outcome : outcomes) {
      if (!outcome.recorded) ++totals.recorded_elsewhere;
      stats.beyond_max_pages += outcome.beyond_max_pages;
    }
  }

  // Starts what the hosts' waiting entries allow: robots.txt first, then a lease per fetch.
  void dispatch(Clock::time_point now) {
    std::vector<SharedFrontier::LeaseRequest> requests;
    std::vector<HostState*> asking;
    for (auto& [origin, host] : hosts) {
      if (host.waiting.empty() || host.retry_at > now) continue;
      if (host.robots == RobotsState::unknown) {
        if (auto record = frontier->robots(host.origin)) {
          apply_robots(host, *record);
        } else if (frontier->lock_robots(host.origin, shared.claim_idle)) {
          host.robots = RobotsState::locked;
        } else {
          host.retry_at = now + robots_poll_interval;
          continue;
        }
      }
      if (host.robots == RobotsState::fetching) continue;
      if (host.robots == RobotsState::known) {
        while (!host.waiting.empty() && !host.rules.allowed(keys_of(host.waiting.front().entry.url).target)) {
          auto& entry = host.waiting.front().entry;
          UrlRecord record;
          record.hash = url_hash(entry.url);
          record.entry = std::move(entry);
          no_pages.push_back(std::move(record));
          host.waiting.pop_front();
          --held_count;
          std::lock_guard lock(mutex);
          ++stats.robots_disallowed;
        }
        if (host.waiting.empty()) continue;
      }
      if (host.leased >= options.per_host) continue;  // one of ours will come back
      requests.push_back(
          {host.host, shared.worker + ":" + std::to_string(++lease_counter), options.per_host, host.delay});
      asking.push_back(&host);
    }
    if (requests.empty()) return;
    const auto answers = frontier->lease(requests, shared.claim_idle);
    for (std::size_t i = 0; i < answers.size(); ++i) {
      auto& host = *asking[i];
      if (!answers[i].granted) {
        std::lock_guard lock(mutex);
        ++totals.lease_waits;
        if (answers[i].retry_after.count() > 0) {
          host.retry_at = now + answers[i].retry_after;
        } else {
          host.retry_at = now + host.full_backoff;
          host.full_backoff = std::min(host.full_backoff * 2, std::chrono::milliseconds(8));
        }
        continue;
      }
      host.full_backoff = std::chrono::milliseconds(1);
      host.retry_at = now;
      ++host.leased;
      if (host.robots == RobotsState::locked) {
        start_robots(host, requests[i].token);
      } else {
        start_page(host, requests[i].token);
      }
    }
  }

  void start_robots(HostState& host, const std::string& token) {
    host.robots = RobotsState::fetching;
    auto robots = std::make_shared<RobotsBody>();
    FetchRequest request(host.origin + "/robots.txt", "robots.txt");
    request.body_mode = BodyMode::stream;
    request.body_handler = robots;
    std::lock_guard lock(mutex);
    if (const auto index = scheduler->push(std::move(request))) {
      in_flight.emplace(*index, InFlight{Held{}, host.origin, token, nullptr, std::move(robots)});
    }
  }

  void start_page(HostState& host, const std::string& token) {
    auto held = std::move(host.waiting.front());
    host.waiting.pop_front();
    --held_count;
    auto page = std::make_shared<PageBody>(options.html_limit, options.keep_bodies);
    FetchRequest request(held.entry.url, held.entry.referrer.empty() ? std::string("seed") : held.entry.referrer);
    request.headers = page_headers;
    request.follow_redirects = false;
    request.body_mode = BodyMode::stream;
    request.body_handler = page;
    std::lock_guard lock(mutex);
    if (const auto index = scheduler->push(std::move(request))) {
      in_flight.emplace(*index, InFlight{std::move(held), host.origin, token, std::move(page), nullptr});
    }
  }

  // Keeps this worker's claim on what it holds, so no other worker reclaims it, and the leases
  // of its fetches still running, so no other worker takes their slots.
  void refresh_claims(Clock::time_point now) {
    const auto stale = now - shared.claim_idle / 3;
    std::vector<std::string> ids;
    std::vector<LeaseEnd> leases;
    for (auto& [origin, host] : hosts) {
      for (auto& held : host.waiting) {
        if (held.claimed < stale) {
          ids.push_back(held.entry.id);
          held.claimed = now;
        }
      }
    }
    {
      std::lock_guard lock(mutex);
      for (auto& [index, job] : in_flight) {
        if (job.held.claimed >= stale) continue;
        if (!job.held.entry.id.empty()) ids.push_back(job.held.entry.id);
        const auto& host = hosts.at(job.origin);
        leases.push_back(
            LeaseEnd{host.host, job.token, std::chrono::duration_cast<std::chrono::microseconds>(host.delay), {}});
        job.held.claimed = now;
      }
    }
    frontier->refresh(ids);
    frontier->renew(leases, shared.claim_idle);
  }

  CrawlStats snapshot() const {
    auto copy = stats;
    copy.in_flight = in_flight.size();
    return copy;
  }

  SharedCrawlStats run(std::stop_token stop) {
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

  // True when the crawl is over; false on a stop.
  bool crawl_loop(const std::stop_token& stop) {
    auto next_take = Clock::now();
    auto next_reclaim = Clock::now();
    auto next_refresh = Clock::now() + shared.claim_idle / 3;
    const auto reclaim_every = std::max(shared.claim_idle / 4, std::chrono::milliseconds(50));
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
      auto now = Clock::now();
      bool took_nothing = false;
      const auto holding = held_count + flying;
      if (holding < window && now >= next_take) {
        auto entries = frontier->take(window - holding);
        took_nothing = entries.empty();
        next_take = took_nothing ? now + poll_interval : now;
        hold(std::move(entries));
      }
      if (now >= next_reclaim) {
        auto entries = frontier->reclaim(shared.claim_idle, std::max<std::size_t>(window / 2, 1));
        {
          std::lock_guard lock(mutex);
          totals.reclaimed += entries.size();
        }
        if (!entries.empty()) took_nothing = false;
        hold(std::move(entries));
        next_reclaim = now + reclaim_every;
      }
      if (now >= next_refresh) {
        refresh_claims(now);
        next_refresh = now + shared.claim_idle / 3;
      }
      dispatch(now);
      {
        std::lock_guard lock(mutex);
        flying = in_flight.size() + completions.size();
        stats.queued = held_count;
      }
      if (took_nothing && held_count == 0 && flying == 0 && no_pages.empty() && frontier->open_urls() == 0) return true;
      // Sleep until a fetch ends, a host's retry comes, or the next look at the stream.
      // A full window takes nothing: next_take does not count then (it would wake the loop at once,
      // over and over, until a fetch ends).
      auto until = std::min({next_reclaim, next_refresh, now + std::chrono::milliseconds(50)});
      if (held_count + flying < window) until = std::min(until, next_take);
      for (const auto& [origin, host] : hosts) {
        if (!host.waiting.empty() && host.robots != RobotsState::fetching && host.leased < options.per_host) {
          until = std::min(until, host.retry_at);
        }
      }
      if (!no_pages.empty()) until = now;
      std::unique_lock lock(mutex);
      wake.wait_until(lock, until, [&] { return !completions.empty() || handler_failure || stop.stop_requested(); });
    }
    return false;
  }
};

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
