// shared_crawler_hosts.cpp: the run() thread's hosts in a shared crawl's worker
// (shared_crawler_impl.hpp): the entries each host holds, its robots.txt (fetched by one worker
// for all, under a lock in Redis), the leases that start its fetches, the record of what
// finished, and the claims that keep what it holds its own.
#include "shared_crawler_impl.hpp"

#include <fetcher/crawl/url_hash.hpp>

#include <algorithm>

namespace fetcher::crawl {

namespace {

// How often a worker asks whether another one has stored an origin's robots.txt.
constexpr auto robots_poll_interval = std::chrono::milliseconds(50);

}  // namespace

SharedCrawler::Impl::HostState& SharedCrawler::Impl::host_of(const std::string& url) {
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

void SharedCrawler::Impl::hold(std::vector<StreamEntry> entries) {
  const auto now = Clock::now();
  for (auto& entry : entries) {
    auto& host = host_of(entry.url);
    host.waiting.push_back(Held{std::move(entry), now});
    ++held_count;
  }
}

void SharedCrawler::Impl::apply_robots(HostState& host, const std::string& record) {
  host.rules = rules_of_record(record, product_token);
  host.robots = RobotsState::known;
  if (const auto delay = host.rules.crawl_delay(); delay && *delay > host.delay) {
    host.delay = *delay;
    scheduler->set_host_policy(host.host, HostPolicy{options.per_host, host.delay});
  }
}

// Records the finished fetches: one script per URL, pipelined.
void SharedCrawler::Impl::record_completions(std::vector<Completion>& batch) {
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
void SharedCrawler::Impl::dispatch(Clock::time_point now) {
  std::vector<SharedFrontier::LeaseRequest> requests;
  std::vector<HostState*> asking;
  for (auto& [origin, host] : hosts) {
    if (host.waiting.empty() || host.retry_at > now) continue;
    if (!robots_ready(host, now)) continue;
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

// Whether the host may ask for a lease: its robots.txt is known (and its first waiting entry is
// allowed), or this worker holds the lock to fetch it. Looks robots.txt up in Redis, or takes
// its lock, the first time.
bool SharedCrawler::Impl::robots_ready(HostState& host, Clock::time_point now) {
  if (host.robots == RobotsState::unknown) {
    if (auto record = frontier->robots(host.origin)) {
      apply_robots(host, *record);
    } else if (frontier->lock_robots(host.origin, shared.claim_idle)) {
      host.robots = RobotsState::locked;
    } else {
      host.retry_at = now + robots_poll_interval;
      return false;
    }
  }
  if (host.robots == RobotsState::fetching) return false;
  if (host.robots == RobotsState::known) {
    drop_disallowed(host);
    if (host.waiting.empty()) return false;
  }
  return true;
}

// Takes the disallowed entries off the front of the host's queue, to be recorded as no page.
void SharedCrawler::Impl::drop_disallowed(HostState& host) {
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
}

void SharedCrawler::Impl::start_robots(HostState& host, const std::string& token) {
  host.robots = RobotsState::fetching;
  auto robots = std::make_shared<RobotsBody>();
  std::lock_guard lock(mutex);
  if (const auto index = scheduler->push(robots_request(host.origin, robots))) {
    in_flight.emplace(*index, InFlight{Held{}, host.origin, token, nullptr, std::move(robots)});
  }
}

void SharedCrawler::Impl::start_page(HostState& host, const std::string& token) {
  auto held = std::move(host.waiting.front());
  host.waiting.pop_front();
  --held_count;
  auto page = std::make_shared<PageBody>(options.html_limit, options.keep_bodies);
  auto request = page_request(held.entry.url, held.entry.referrer, page_headers, page);
  std::lock_guard lock(mutex);
  if (const auto index = scheduler->push(std::move(request))) {
    in_flight.emplace(*index, InFlight{std::move(held), host.origin, token, std::move(page), nullptr});
  }
}

// Keeps this worker's claim on what it holds, so no other worker reclaims it, and the leases
// of its fetches still running, so no other worker takes their slots.
void SharedCrawler::Impl::refresh_claims(Clock::time_point now) {
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

}  // namespace fetcher::crawl
