// ideal.cpp: the ideal time of a strategy, by a discrete-event simulation of a zero-overhead
// client against the sites model: the same queueing the server does, without any real waiting.
#include <fetcher/bench/ideal.hpp>

#include <fetcher/url.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <tuple>
#include <utility>

namespace fetcher::bench {
namespace {

using origin::Site;
using origin::SiteSet;

// The real client gives up after this many redirects, so the model does too.
constexpr unsigned max_redirects = 10;

// One request of a URL's chain, on a known site.
struct Hop {
  std::size_t site_index = 0;
  std::string scheme;
  std::string target;  // path and query, as the request line carries it
};

// A URL the model fetches: one the client accepts (split_url, the client's own check) on a host
// the sites model has, at the scheme's default port, which is where the bench routes hosts to the
// origin. Any other URL fails at once in a real run, so it costs nothing here.
std::optional<Hop> hop_for(const SiteSet& sites, std::string_view url_text) {
  UrlParts parts;
  std::string error;
  if (!split_url(url_text, parts, error)) return std::nullopt;
  if (parts.port != (parts.tls ? 443 : 80)) return std::nullopt;
  const Site* site = sites.find(parts.host);
  if (site == nullptr) return std::nullopt;
  return Hop{static_cast<std::size_t>(site - sites.sites.data()), parts.tls ? "https" : "http",
             std::move(parts.target)};
}

// Completions sort before arrivals at the same instant so a freed slot goes to the queue head
// (an earlier arrival) first; arrivals at the same instant then go in list order.
enum class EventKind { completion = 0, arrival = 1 };

struct Event {
  std::int64_t time_us;
  EventKind kind;
  std::size_t url_index;

  bool operator>(const Event& other) const {
    return std::tie(time_us, kind, url_index) > std::tie(other.time_us, other.kind, other.url_index);
  }
};

struct UrlProgress {
  std::optional<Hop> hop;  // nullopt: the chain ends at no cost
  unsigned redirects = 0;
  std::int64_t latency_us = 0;  // of the request in progress
};

struct HostQueue {
  unsigned busy = 0;
  std::deque<std::size_t> waiting;  // URL indexes, first come first served
};

class Simulation {
 public:
  Simulation(const SiteSet& sites, const std::vector<std::string>& urls)
      : sites_(sites), urls_(urls), progress_(urls.size()), hosts_(sites.sites.size()) {}

  std::int64_t run(unsigned workers) {
    const std::size_t first_batch = workers == 0 ? urls_.size() : std::min<std::size_t>(workers, urls_.size());
    for (std::size_t i = 0; i < first_batch; ++i) begin_next_url(0);
    while (!events_.empty()) {
      const Event event = events_.top();
      events_.pop();
      if (event.kind == EventKind::arrival) {
        arrive(event.url_index, event.time_us);
      } else {
        complete(event.url_index, event.time_us);
      }
    }
    return makespan_us_;
  }

 private:
  void begin_next_url(std::int64_t now) {
    if (next_url_ == urls_.size()) return;
    const std::size_t index = next_url_++;
    progress_[index].hop = hop_for(sites_, urls_[index]);
    events_.push({now, EventKind::arrival, index});
  }

  void arrive(std::size_t url_index, std::int64_t now) {
    auto& progress = progress_[url_index];
    if (!progress.hop) {
      finish_url(now);
      return;
    }
    const Hop& hop = *progress.hop;
    const Site& site = sites_.sites[hop.site_index];
    const std::uint64_t repeat = repeats_[{hop.site_index, hop.target}]++;
    progress.latency_us = origin::request_latency(sites_, site, hop.target, repeat).count();
    HostQueue& host = hosts_[hop.site_index];
    if (site.capacity == 0 || host.busy < site.capacity) {
      start(url_index, now);
    } else {
      host.waiting.push_back(url_index);
    }
  }

  void start(std::size_t url_index, std::int64_t now) {
    ++hosts_[progress_[url_index].hop->site_index].busy;
    events_.push({now + progress_[url_index].latency_us, EventKind::completion, url_index});
  }

  void complete(std::size_t url_index, std::int64_t now) {
    auto& progress = progress_[url_index];
    const Hop hop = *progress.hop;
    HostQueue& host = hosts_[hop.site_index];
    --host.busy;
    if (!host.waiting.empty()) {
      const std::size_t next = host.waiting.front();
      host.waiting.pop_front();
      start(next, now);
    }

    const Site& site = sites_.sites[hop.site_index];
    if (origin::is_redirected(site, hop.scheme, hop.target) && progress.redirects < max_redirects) {
      ++progress.redirects;
      progress.hop = hop_for(sites_, site.redirect);
      events_.push({now, EventKind::arrival, url_index});
    } else {
      finish_url(now);
    }
  }

  // The worker that ran this URL takes the next one at once.
  void finish_url(std::int64_t now) {
    makespan_us_ = std::max(makespan_us_, now);
    begin_next_url(now);
  }

  const SiteSet& sites_;
  const std::vector<std::string>& urls_;
  std::vector<UrlProgress> progress_;
  std::vector<HostQueue> hosts_;
  std::map<std::pair<std::size_t, std::string>, std::uint64_t> repeats_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::size_t next_url_ = 0;
  std::int64_t makespan_us_ = 0;
};

}  // namespace

double ideal_seconds(const SiteSet& sites, const std::vector<std::string>& urls, unsigned workers) {
  return static_cast<double>(Simulation(sites, urls).run(workers)) / 1e6;
}

unsigned ideal_workers(const Strategy& strategy, std::size_t max_in_flight) {
  switch (strategy.kind) {
    case Strategy::Kind::sequential: return 1;
    case Strategy::Kind::pool:
    case Strategy::Kind::processes: return strategy.workers;
    case Strategy::Kind::threads: return 0;
    case Strategy::Kind::async:
      return static_cast<unsigned>(std::min<std::size_t>(max_in_flight, std::numeric_limits<unsigned>::max()));
  }
  return 0;
}

double ideal_seconds(const SiteSet& sites, const std::vector<std::string>& urls, const Strategy& strategy,
                     std::size_t max_in_flight) {
  return ideal_seconds(sites, urls, ideal_workers(strategy, max_in_flight));
}

}  // namespace fetcher::bench
