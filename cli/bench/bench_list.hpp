// bench_list.hpp: what the bench says of one list beside its measurements: where the sites model
// puts its hosts, and what the strategies' runs say together (agreement, failures).
#pragma once

#include "bench/bench_report.hpp"

#include <fetcher/origin/sites.hpp>
#include <fetcher/run_report.hpp>
#include <fetcher/url_list.hpp>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace fetcher::cli {

// A one-line note of where a list's hosts live in the model, e.g.
// "emulated origin (cs.mipt.ru: 66 ms, capacity 1)" or "emulated origin (3 hosts)".
std::string describe_sites(const origin::SiteSet& sites, const std::vector<FetchRequest>& requests);

// What the sites model says about a list: its hosts, its slowest URL, its floor. The index of
// the slowest URL comes back too, so its redirects can be read from the results later.
std::pair<ListModel, std::size_t> model_of(const origin::SiteSet& sites, const std::vector<std::string>& urls);

// Each fetch's latency, for the charts: the fetches that got a response, as the summary counts them.
std::vector<double> latencies_of(const RunReport& report);

// Fills in what a list's runs (one a strategy, with results, in the order of list.strategies)
// say together: the requests of the slowest URL's chain, the disagreements and whether the
// strategies agree, how many URLs some strategy fetched, and every distinct failure.
void compare_runs(ListReport& list, const std::vector<RunReport>& runs, std::size_t slowest_index);

}  // namespace fetcher::cli
