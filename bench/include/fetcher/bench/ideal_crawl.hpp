// ideal_crawl.hpp: the ideal time of a polite breadth-first crawl under the sites model: a
// client with zero overhead whose fetches only wait for the sites' latency and the crawl's
// politeness limits.
//
// The model, a discrete-event simulation:
//   - The crawl fetches exactly expected_crawl(sites, seeds, in_scope, obey_robots, max_depth)
//     (site_graph.hpp), cut short by max_pages.
//   - The seeds are discovered at time 0; a page's links (and a redirect's Location) are
//     discovered when its response completes, in the order the page lists them, each URL once.
//   - When obey_robots, a host's /robots.txt is its first request, made when its first URL is
//     discovered; the host's other URLs wait for it to complete (its latency counts). A host
//     outside the SiteSet answers nothing and costs nothing: its URLs fail at once.
//   - Each host takes its URLs breadth-first: by depth (fewest links from a seed), then in
//     discovery order. At most min(per_host, capacity) of its requests are in flight (capacity
//     0: per_host); two of its request starts are at least `delay` apart (with robots obeyed,
//     the larger of delay and the site's crawl_delay_ms, from the start of robots.txt on).
//   - At most max_in_flight requests are in flight over all hosts (0: no limit); a free slot
//     goes to the host whose next URL comes first breadth-first.
//   - A request takes request_latency(sites, site, target, repeat) (sites.hpp) and no transfer
//     time. Once max_pages pages (robots.txt not counted) have started, nothing more starts.
#pragma once

#include <fetcher/origin/site_graph.hpp>
#include <fetcher/origin/sites.hpp>

#include <chrono>
#include <climits>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::bench {

struct IdealCrawl {
  double seconds = 0;          // when the last response completes
  std::uint64_t requests = 0;  // requests sent to the origin, robots.txt included
};

IdealCrawl ideal_crawl(const origin::SiteSet& sites, const std::vector<std::string>& seeds,
                       const std::function<bool(std::string_view host)>& in_scope, unsigned per_host,
                       std::chrono::milliseconds delay, bool obey_robots, std::size_t max_in_flight = 0,
                       std::uint64_t max_pages = UINT64_MAX, unsigned max_depth = UINT_MAX);

}  // namespace fetcher::bench
