// crawler.cpp: see crawler.hpp. One mutex guards the crawl's state (seen-set, frontier, hosts,
// counters); pages are parsed outside it, on the thread that ran their fetch.
#include <fetcher/crawl/crawler.hpp>

#include "frontier.hpp"
#include "page.hpp"
#include "scope.hpp"
#include "seen_set.hpp"

#include <fetcher/crawl/robots.hpp>
#include <fetcher/scheduler.hpp>

#include <algorithm>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace fetcher::crawl {

struct Crawler::Impl {
  struct HostState {
    std::string origin;
    std::string host;
    bool robots_known = false;
    RobotsRules rules = RobotsRules::allow_all();
    unsigned handed = 0;  // pushed to the scheduler, result not yet in
  };
  struct InFlight {
    FrontierEntry entry;
    std::size_t host = 0;
    std::shared_ptr<PageBody> page;      // null for robots.txt
    std::shared_ptr<RobotsBody> robots;  // null for a page
  };

  Client& client;
  CrawlOptions options;
  PageHandler on_page;
  ScopeFilter scope;
  std::string product_token;
  HeaderFields page_headers;
  unsigned window = 2;  // URLs per host handed to the scheduler at once
  std::unique_ptr<Scheduler> scheduler;

  mutable std::mutex mutex;
  SeenSet seen;
  Frontier frontier;
  std::vector<HostState> hosts;
  std::unordered_map<std::string, std::size_t> host_ids;  // by origin
  std::unordered_map<std::size_t, InFlight> in_flight;    // by the scheduler's index
  CrawlStats stats;
  std::uint64_t pages_handed = 0;
  std::stop_source stop_crawl;
  std::exception_ptr handler_failure;
  bool ran = false;

  Impl(Client& client_in, CrawlOptions options_in, PageHandler handler, std::vector<std::string> seed_hosts)
      : client(client_in), options(std::move(options_in)), on_page(std::move(handler)),
        scope(options.scope, seed_hosts), product_token(crawl::product_token(client.options().user_agent)) {
    window = std::max(2u, options.per_host * 2);
    // An archive stores the entity as the server sent it: no compression to undo.
    if (options.record_exchange) page_headers.add("Accept-Encoding", "identity");
  }

  // The host of a canonical URL, made on first sight: its robots.txt is queued then.
  std::size_t host_for(const UrlKeys& keys) {
    if (const auto found = host_ids.find(std::string(keys.origin)); found != host_ids.end()) return found->second;
    const auto id = hosts.size();
    hosts.push_back(HostState{std::string(keys.origin), std::string(keys.host)});
    host_ids.emplace(std::string(keys.origin), id);
    ++stats.hosts;
    if (!options.robots) {
      hosts[id].robots_known = true;
    } else {
      auto robots = std::make_shared<RobotsBody>();
      if (const auto index = scheduler->push(robots_request(hosts[id].origin, robots))) {
        in_flight.emplace(*index, InFlight{{}, id, nullptr, std::move(robots)});
        ++stats.robots_fetches;
      }
    }
    return id;
  }

  // Queues a canonical in-scope URL not seen before.
  void enqueue(std::string url, unsigned depth, const std::shared_ptr<const std::string>& referrer,
               std::vector<std::size_t>& touched) {
    const auto keys = keys_of(url);
    const auto id = host_for(keys);
    auto& host = hosts[id];
    if (host.robots_known && !host.rules.allowed(keys.target)) {
      ++stats.robots_disallowed;
      return;
    }
    // Past max_pages nothing more is handed out: the frontier keeps only what can still be.
    if (pages_handed + frontier.size() >= options.max_pages) {
      ++stats.beyond_max_pages;
      return;
    }
    frontier.push(id, FrontierEntry{std::move(url), depth, referrer});
    touched.push_back(id);
  }

  // Hands the host's next URLs to the scheduler, up to its window; nothing once the crawl stops
  // (each would only come back cancelled).
  void feed(std::size_t id) {
    if (stop_crawl.stop_requested()) return;
    auto& host = hosts[id];
    while (host.robots_known && host.handed < window && pages_handed < options.max_pages && !frontier.empty(id)) {
      auto entry = *frontier.pop(id);
      if (!host.rules.allowed(keys_of(entry.url).target)) {
        ++stats.robots_disallowed;
        continue;
      }
      auto page = std::make_shared<PageBody>(options.html_limit, options.keep_bodies);
      const auto index = scheduler->push(
          page_request(entry.url, entry.referrer ? *entry.referrer : std::string(), page_headers, page));
      if (!index) return;  // the run is over
      in_flight.emplace(*index, InFlight{std::move(entry), id, std::move(page), nullptr});
      ++host.handed;
      ++pages_handed;
    }
  }

  void feed_all(std::vector<std::size_t>& touched) {
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (const auto id : touched) feed(id);
  }

  void on_result(const FetchResult& result) {
    try {
      handle(result);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!handler_failure) handler_failure = std::current_exception();
      stop_crawl.request_stop();
    }
  }

  void handle(const FetchResult& result) {
    InFlight job;
    {
      std::lock_guard lock(mutex);
      auto found = in_flight.find(result.index);
      if (found == in_flight.end()) return;
      job = std::move(found->second);
      in_flight.erase(found);
    }
    if (job.robots) {
      handle_robots(job, result);
      return;
    }
    handle_page(job, result);
  }

  void handle_robots(InFlight& job, const FetchResult& result) {
    auto rules = rules_for_response(result.delivered(), result.status, job.robots->body(), product_token);
    std::lock_guard lock(mutex);
    auto& host = hosts[job.host];
    if (const auto delay = rules.crawl_delay(); delay && *delay > options.delay) {
      scheduler->set_host_policy(host.host, HostPolicy{options.per_host, *delay});
    }
    host.rules = std::move(rules);
    host.robots_known = true;
    if (host.rules.source() == RobotsRules::Source::disallow_all) stats.robots_disallowed += frontier.drop(job.host);
    feed(job.host);
  }

  void handle_page(InFlight& job, const FetchResult& result) {
    // A fetch the stop cancelled (queued or in flight) delivered nothing: it is no page.
    const bool fetched = result.error != ErrorKind::cancelled;
    const auto referrer = std::make_shared<const std::string>(job.entry.url);
    const auto links_started = thread_cpu_now();
    auto found = fetched ? links_of_page(job.entry.url, result, *job.page, scope) : FoundLinks{};
    auto& links = found.in_scope;
    const auto parse_cpu = found.parse_cpu;

    std::lock_guard lock(mutex);
    stats.parse_cpu += parse_cpu;
    auto& host = hosts[job.host];
    --host.handed;
    std::vector<std::size_t> touched{job.host};
    stats.bad_links += found.bad_links;
    for (const auto& link : found.out_of_scope) {
      if (seen.insert(link.hash)) ++stats.out_of_scope;
    }
    if (found.nofollow) {
      stats.nofollow_skipped += links.size();
    } else {
      for (auto& link : links) {
        if (job.entry.depth + 1 > options.max_depth) {
          if (!seen.contains(link.hash)) ++stats.beyond_max_depth;
          continue;
        }
        if (seen.insert(link.hash)) enqueue(std::move(link.url), job.entry.depth + 1, referrer, touched);
      }
    }
    if (!found.location.empty()) {
      const auto hash = url_hash(found.location);
      if (!scope.in_scope(keys_of(found.location).host)) {
        if (seen.insert(hash)) ++stats.out_of_scope;
      } else if (seen.insert(hash)) {
        enqueue(std::move(found.location), job.entry.depth, referrer, touched);
      }
    }
    stats.links_cpu += thread_cpu_now() - links_started - parse_cpu;
    if (fetched) {
      count_page(stats, result);
      if (on_page) {
        auto page = crawl_page(job.entry.url, job.entry.referrer ? *job.entry.referrer : std::string(), job.entry.depth,
                               links.size(), result, job.page->body());
        if (options.record_exchange) page.request_head = page_request_head(client, job.entry.url, page_headers);
        on_page(page);
      }
    }
    feed_all(touched);
  }

  // The counters with the gauges filled in; the mutex held.
  CrawlStats snapshot() const {
    auto copy = stats;
    copy.queued = frontier.size();
    copy.in_flight = in_flight.size();
    copy.seen = seen.size();
    return copy;
  }
};

Crawler::Crawler(Client& client, CrawlOptions options, PageHandler on_page) {
  if (options.per_host == 0) throw std::invalid_argument("per_host must be at least 1");
  canonicalise_seeds(options.seeds);
  auto seed_hosts = hosts_of(options.seeds);
  impl_ = std::make_unique<Impl>(client, std::move(options), std::move(on_page), std::move(seed_hosts));
  SchedulerOptions scheduler_options;
  scheduler_options.strategy = impl_->options.strategy;
  scheduler_options.max_in_flight = impl_->options.max_in_flight;
  scheduler_options.host_defaults = HostPolicy{impl_->options.per_host, impl_->options.delay};
  auto* impl = impl_.get();
  impl_->scheduler = std::make_unique<Scheduler>(client, scheduler_options,
                                                 [impl](const FetchResult& result) { impl->on_result(result); });
}

Crawler::~Crawler() = default;

CrawlStats Crawler::run(std::stop_token stop) {
  auto& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex);
    if (impl.ran) throw std::logic_error("Crawler::run called twice");
    impl.ran = true;
    std::vector<std::size_t> touched;
    for (const auto& seed : impl.options.seeds) {
      if (impl.seen.insert(url_hash(seed))) impl.enqueue(seed, 0, nullptr, touched);
    }
    impl.feed_all(touched);
  }
  // Every later URL is pushed from a result handler, which keeps the run going.
  impl.scheduler->close();
  std::stop_callback forward(stop, [&impl] { impl.stop_crawl.request_stop(); });
  const auto report = impl.scheduler->run(impl.stop_crawl.get_token());
  std::lock_guard lock(impl.mutex);
  if (impl.handler_failure) std::rethrow_exception(impl.handler_failure);
  impl.stats.wall = report.wall;
  return impl.snapshot();
}

CrawlStats Crawler::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->snapshot();
}

}  // namespace fetcher::crawl
