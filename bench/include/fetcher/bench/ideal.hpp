// ideal.hpp: the ideal time of a strategy under the sites model: a client with zero overhead
// whose fetches only wait for the sites' latency and capacity.
//
// Workers take URLs in list order; each URL is a chain of requests (redirects followed);
// each host serves at most `capacity` requests at once, the rest wait first-come first-served
// (ties broken in list order); the k-th arrival of a host+path gets request_latency(..., k).
#pragma once

#include <fetcher/origin/sites.hpp>
#include <fetcher/strategy.hpp>

#include <string>
#include <vector>

namespace fetcher::bench {

// workers: 1 = sequential; N = pool:N; 0 = every URL at once (threads, async).
// A URL the client rejects (split_url fails), or whose host is not in `sites`, or whose port is
// not the scheme's default (the bench routes only ports 80 and 443 to the origin) fails at once
// in a real run, so it costs nothing: failures never raise the ideal.
double ideal_seconds(const origin::SiteSet& sites, const std::vector<std::string>& urls, unsigned workers);

// The `workers` of a strategy in the model: sequential 1; pool:N and processes:N take URLs in
// list order with N workers, so N; threads 0; async and async:N keep every fetch in flight
// (0) or, capped, run max_in_flight lanes that take URLs in list order (max_in_flight). How
// many loops or processes do the work is overhead, which the model leaves out.
unsigned ideal_workers(const Strategy& strategy, std::size_t max_in_flight);

// ideal_seconds(sites, urls, ideal_workers(strategy, max_in_flight)).
double ideal_seconds(const origin::SiteSet& sites, const std::vector<std::string>& urls, const Strategy& strategy,
                     std::size_t max_in_flight = 0);

}  // namespace fetcher::bench
