// bench_list.cpp: the sites model's view of a list and what its runs say together (bench_list.hpp).
#include "bench/bench_list.hpp"

#include <fetcher/bench/ideal.hpp>

#include <algorithm>
#include <chrono>
#include <map>

namespace fetcher::cli {
namespace {

// The host of a URL as the list spells it ("" when it has none).
std::string host_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {};
  auto host = url.substr(scheme_end + 3);
  return host.substr(0, host.find_first_of(":/?#"));
}

// Compares each URL's outcome across strategies; returns the differences (empty: agreed).
std::vector<std::string> find_disagreements(const std::vector<RunReport>& runs) {
  std::vector<std::string> differences;
  if (runs.empty()) return differences;
  const auto& first = runs.front();
  for (std::size_t r = 1; r < runs.size(); ++r) {
    const auto& other = runs[r];
    for (std::size_t i = 0; i < first.results.size() && i < other.results.size(); ++i) {
      const auto& a = first.results[i];
      const auto& b = other.results[i];
      if (a.status != b.status || a.body_bytes != b.body_bytes || a.body_sha256 != b.body_sha256) {
        if (differences.size() < 5) {
          differences.push_back(a.url + ": " + first.strategy + " got " + std::to_string(a.status) + "/" +
                                std::to_string(a.body_bytes) + " B, " + other.strategy + " got " +
                                std::to_string(b.status) + "/" + std::to_string(b.body_bytes) + " B");
        } else if (differences.size() == 5) {
          differences.emplace_back("...");
        }
      }
    }
  }
  return differences;
}

// Every distinct failure message of a list's runs, in order of first appearance, with its count.
std::vector<FailureCount> failures_of(const std::vector<RunReport>& runs) {
  std::vector<FailureCount> failures;
  std::map<std::string, std::size_t> index;
  for (const auto& run : runs) {
    for (const auto& result : run.results) {
      if (result.ok()) continue;
      const auto [at, added] = index.try_emplace(result.message, failures.size());
      if (added) failures.push_back({result.message, 0});
      ++failures[at->second].count;
    }
  }
  return failures;
}

// How many URLs some strategy got a response for: what agreement is checked over.
std::size_t fetched_by_any(const std::vector<RunReport>& runs) {
  std::size_t fetched = 0;
  for (std::size_t i = 0; !runs.empty() && i < runs.front().results.size(); ++i) {
    fetched += std::any_of(runs.begin(), runs.end(),
                           [&](const RunReport& run) { return i < run.results.size() && run.results[i].status != 0; });
  }
  return fetched;
}

}  // namespace

std::string describe_sites(const origin::SiteSet& sites, const std::vector<FetchRequest>& requests) {
  std::vector<std::string> seen;
  std::string note = "emulated origin (";
  for (const auto& request : requests) {
    const auto* site = sites.find(host_of(request.url));
    if (!site || std::find(seen.begin(), seen.end(), site->host) != seen.end()) continue;
    seen.push_back(site->host);
  }
  if (seen.size() == 1) {
    const auto* site = sites.find(seen.front());
    note += site->host + ": " + std::to_string(site->latency.count()) + " ms, capacity " +
            (site->capacity ? std::to_string(site->capacity) : std::string("unlimited"));
  } else {
    note += std::to_string(seen.size()) + " hosts";
  }
  return note + ")";
}

std::pair<ListModel, std::size_t> model_of(const origin::SiteSet& sites, const std::vector<std::string>& urls) {
  ListModel model;
  std::size_t slowest_index = 0;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (const auto* site = sites.find(host_of(urls[i]))) {
      auto found = std::find_if(model.hosts.begin(), model.hosts.end(),
                                [&](const HostModel& host) { return host.host == site->host; });
      if (found == model.hosts.end()) {
        found = model.hosts.insert(
            model.hosts.end(),
            HostModel{site->host, 0, static_cast<double>(site->latency.count()) / 1e3, site->capacity});
      }
      ++found->urls;
    }
    const double alone = bench::ideal_seconds(sites, {urls[i]}, 1);
    if (alone > model.slowest_url_s) {
      model.slowest_url_s = alone;
      model.slowest_url = urls[i];
      slowest_index = i;
    }
  }
  model.all_at_once_s = bench::ideal_seconds(sites, urls, 0);
  return {model, slowest_index};
}

std::vector<double> latencies_of(const RunReport& report) {
  std::vector<double> seconds;
  for (const auto& result : report.results) {
    if (result.status != 0) seconds.push_back(std::chrono::duration<double>(result.timings.total).count());
  }
  return seconds;
}

void compare_runs(ListReport& list, const std::vector<RunReport>& runs, std::size_t slowest_index) {
  if (!runs.empty() && slowest_index < runs.front().results.size()) {
    list.model.slowest_url_requests = static_cast<unsigned>(runs.front().results[slowest_index].redirects) + 1;
  }
  list.disagreements = find_disagreements(runs);
  list.agree = list.disagreements.empty();
  list.fetched_urls = fetched_by_any(runs);
  list.failures = failures_of(runs);
}

}  // namespace fetcher::cli
