// ideal_crawl.cpp: the ideal time of a crawl (ideal_crawl.hpp), by a discrete-event simulation
// over the graph the origin serves; which URLs it fetches comes from expected_crawl, so the
// simulation only decides when.
#include <fetcher/bench/ideal_crawl.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace fetcher::bench {
namespace {

using origin::Site;
using origin::SiteSet;

// Where a request stands breadth-first: depth, then discovery order; a host's robots.txt sorts
// just before the URL that made it due.
using Order = std::tuple<unsigned, std::uint64_t, bool /* not robots.txt */>;

struct Request {
  std::size_t host = 0;
  std::string url;     // canonical; empty for robots.txt
  std::string target;  // path and query
  std::string scheme;
  unsigned depth = 0;
  bool robots = false;
};

struct HostState {
  std::string name;
  const Site* site = nullptr;
  unsigned limit = 1;
  std::int64_t delay_us = 0;
  bool robots_due = false;                        // robots.txt queued or fetched
  bool robots_known = true;                       // other URLs may start
  std::set<std::pair<Order, std::size_t>> queue;  // request ids
  unsigned in_flight = 0;
  std::int64_t next_start_us = 0;
  std::optional<Order> ready_key;  // its entry in the ready set
  std::optional<std::int64_t> wake_at;
};

enum class EventKind { completion = 0, wake = 1 };

struct Event {
  std::int64_t time_us;
  EventKind kind;
  std::size_t id;  // request id (completion) or host index (wake)
  bool operator>(const Event& other) const {
    return std::tie(time_us, kind, id) > std::tie(other.time_us, other.kind, other.id);
  }
};

std::string_view host_of(std::string_view url) {
  const auto start = url.find("://") + 3;
  return url.substr(start, url.find('/', start) - start);
}

class CrawlSimulation {
 public:
  CrawlSimulation(const SiteSet& sites, const origin::ExpectedCrawl& expected, unsigned per_host,
                  std::chrono::milliseconds delay, bool obey_robots, std::size_t max_in_flight, std::uint64_t max_pages,
                  unsigned max_depth)
      : sites_(sites), expected_(expected), per_host_(std::max(1u, per_host)),
        delay_us_(std::chrono::duration_cast<std::chrono::microseconds>(delay).count()), obey_robots_(obey_robots),
        max_in_flight_(max_in_flight), max_pages_(max_pages), max_depth_(max_depth) {}

  IdealCrawl run(const std::vector<std::string>& seeds) {
    for (const auto& seed : seeds) discover(origin::canonical_seed(seed), 0);
    pump(0);
    while (!events_.empty()) {
      const std::int64_t now = events_.top().time_us;
      while (!events_.empty() && events_.top().time_us == now) {
        const Event event = events_.top();
        events_.pop();
        if (event.kind == EventKind::completion) {
          complete(event.id, now);
        } else {
          HostState& host = hosts_[event.id];
          if (host.wake_at == now) host.wake_at.reset();
          refresh(event.id, now);
        }
      }
      pump(now);
    }
    return {static_cast<double>(last_completion_us_) / 1e6, requests_};
  }

 private:
  std::size_t host_index(std::string_view name) {
    const auto found = host_indexes_.find(std::string(name));
    if (found != host_indexes_.end()) return found->second;
    HostState host;
    host.name = std::string(name);
    host.site = sites_.find(name);
    if (host.site != nullptr) {
      host.limit = host.site->capacity == 0 ? per_host_ : std::min(per_host_, host.site->capacity);
      host.delay_us = delay_us_;
    }
    hosts_.push_back(std::move(host));
    host_indexes_.emplace(std::string(name), hosts_.size() - 1);
    return hosts_.size() - 1;
  }

  std::size_t add_request(Request request, const Order& order) {
    requests_list_.push_back(std::move(request));
    const std::size_t id = requests_list_.size() - 1;
    hosts_[requests_list_[id].host].queue.emplace(order, id);
    return id;
  }

  // A URL met on a fetched page (or a seed): queued once if the crawl fetches it; its host's
  // robots.txt made due when robots are obeyed.
  void discover(const std::string& url, std::int64_t now) {
    if (url.empty() || !met_.insert(url).second) return;
    const auto page = expected_.pages.find(url);
    const bool fetched = page != expected_.pages.end();
    if (!fetched && !expected_.disallowed.contains(url)) return;
    const std::size_t index = host_index(host_of(url));
    HostState& host = hosts_[index];
    if (host.site == nullptr) return;  // no answer: fails at once, costs nothing
    const unsigned depth = fetched ? page->second : 0;
    const std::uint64_t order = next_order_++;
    if (obey_robots_ && !host.robots_due) {
      host.robots_due = true;
      host.robots_known = false;
      add_request({index, "", "/robots.txt", "", depth, true}, {depth, order, false});
    }
    if (fetched) {
      const auto scheme_end = url.find("://");
      const auto target_start = url.find('/', scheme_end + 3);
      add_request({index, url, url.substr(target_start), url.substr(0, scheme_end), depth, false},
                  {depth, order, true});
    }
    refresh(index, now);
  }

  // Puts the host in the ready set when its next request may start now, or wakes it when its
  // delay has passed.
  void refresh(std::size_t index, std::int64_t now) {
    HostState& host = hosts_[index];
    if (host.ready_key) {
      ready_.erase({*host.ready_key, index});
      host.ready_key.reset();
    }
    if (host.queue.empty() || host.in_flight >= host.limit) return;
    const auto& [order, id] = *host.queue.begin();
    const Request& head = requests_list_[id];
    if (pages_started_ >= max_pages_ || (!head.robots && !host.robots_known)) return;
    if (now < host.next_start_us) {
      if (!host.wake_at || *host.wake_at > host.next_start_us) {
        host.wake_at = host.next_start_us;
        events_.push({host.next_start_us, EventKind::wake, index});
      }
      return;
    }
    host.ready_key = order;
    ready_.emplace(order, index);
  }

  void pump(std::int64_t now) {
    while (!ready_.empty() && (max_in_flight_ == 0 || in_flight_ < max_in_flight_)) {
      const std::size_t index = ready_.begin()->second;
      HostState& host = hosts_[index];
      const std::size_t id = host.queue.begin()->second;
      host.queue.erase(host.queue.begin());
      start(id, now);
      refresh(index, now);
    }
  }

  void start(std::size_t id, std::int64_t now) {
    const Request& request = requests_list_[id];
    HostState& host = hosts_[request.host];
    ++host.in_flight;
    ++in_flight_;
    ++requests_;
    if (!request.robots) ++pages_started_;
    host.next_start_us = now + host.delay_us;
    const auto repeat = repeats_[{request.host, request.target}]++;
    const auto latency = origin::request_latency(sites_, *host.site, request.target, repeat).count();
    events_.push({now + latency, EventKind::completion, id});
  }

  void complete(std::size_t id, std::int64_t now) {
    const Request request = requests_list_[id];
    HostState& host = hosts_[request.host];
    --host.in_flight;
    --in_flight_;
    last_completion_us_ = std::max(last_completion_us_, now);
    if (request.robots) {
      host.robots_known = true;
      if (host.site->robots == Site::Robots::rules) {
        const auto crawl_delay = std::chrono::duration_cast<std::chrono::microseconds>(host.site->crawl_delay).count();
        // Only robots.txt has started on the host so far: the next start counts from its start.
        const auto robots_start = host.next_start_us - host.delay_us;
        host.delay_us = std::max(host.delay_us, crawl_delay);
        host.next_start_us = robots_start + host.delay_us;
      }
    } else {
      discover_links(request, now);
    }
    refresh(request.host, now);
  }

  void discover_links(const Request& request, std::int64_t now) {
    const Site& site = *hosts_[request.host].site;
    if (origin::is_redirected(site, request.scheme, request.target)) {
      discover(origin::canonical_seed(site.redirect), now);
      return;
    }
    const origin::PathAnswer answer = origin::path_answer(site, request.target);
    if (!answer.location.empty()) {
      discover(request.scheme + "://" + hosts_[request.host].name + answer.location, now);
      return;
    }
    if (!answer.html || answer.status != 200 || request.depth >= max_depth_) return;
    const origin::GraphPage page = origin::graph_page(sites_, site, request.scheme, request.target);
    if (page.meta_nofollow) return;
    for (const auto& link : page.links) {
      if (!link.nofollow) discover(link.url, now);
    }
  }

  const SiteSet& sites_;
  const origin::ExpectedCrawl& expected_;
  const unsigned per_host_;
  const std::int64_t delay_us_;
  const bool obey_robots_;
  const std::size_t max_in_flight_;
  const std::uint64_t max_pages_;
  const unsigned max_depth_;

  std::vector<HostState> hosts_;
  std::unordered_map<std::string, std::size_t> host_indexes_;
  std::vector<Request> requests_list_;
  std::unordered_set<std::string> met_;
  std::set<std::pair<Order, std::size_t>> ready_;  // hosts whose next request may start now
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::map<std::pair<std::size_t, std::string>, std::uint64_t> repeats_;
  std::uint64_t next_order_ = 0;
  std::size_t in_flight_ = 0;
  std::uint64_t pages_started_ = 0;
  std::uint64_t requests_ = 0;
  std::int64_t last_completion_us_ = 0;
};

}  // namespace

IdealCrawl ideal_crawl(const SiteSet& sites, const std::vector<std::string>& seeds,
                       const std::function<bool(std::string_view host)>& in_scope, unsigned per_host,
                       std::chrono::milliseconds delay, bool obey_robots, std::size_t max_in_flight,
                       std::uint64_t max_pages, unsigned max_depth) {
  const origin::ExpectedCrawl expected = origin::expected_crawl(sites, seeds, in_scope, obey_robots, max_depth);
  return CrawlSimulation(sites, expected, per_host, delay, obey_robots, max_in_flight, max_pages, max_depth).run(seeds);
}

}  // namespace fetcher::bench
