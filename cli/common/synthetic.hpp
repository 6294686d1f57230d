// synthetic.hpp: generated workloads for the bench: N URLs over H emulated hosts with one
// latency, jitter, body size and capacity, so "what happens at 10,000 URLs over 50 hosts?"
// needs no files. The bench writes the sites and the list into a temporary directory that it
// removes afterwards (the origin and each measured child read them by path).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fetcher::cli {

struct SyntheticSpec {
  std::size_t urls = 0;
  unsigned hosts = 10;
  std::chrono::milliseconds latency{100};
  std::chrono::milliseconds jitter{0};
  std::uint64_t body_bytes = 2048;
  unsigned capacity = 0;  // requests each host serves at once; 0 = unlimited
  std::string scheme = "http";
};

// The bench's --synthetic flags as typed. Throws std::invalid_argument naming the option
// ("--latency: bad duration 'x' (use ms, s or m)", "--hosts: 0 hosts: need 1 to 10000").
struct SyntheticFlags {
  std::string urls;  // --synthetic
  std::string hosts = "10";
  std::string latency = "100ms";
  std::string jitter = "0ms";
  std::string body = "2KiB";
  std::string capacity = "0";
  std::string scheme = "http";
};
SyntheticSpec parse_synthetic(const SyntheticFlags& flags);

// Host i (0-based) of a synthetic set: "h1.synthetic.test", "h2.synthetic.test", ...
std::string synthetic_host(unsigned index);
// The sites file (TOML) of the spec's hosts; the seed is fixed so every run sees the same jitter.
std::string synthetic_sites_toml(const SyntheticSpec& spec);
// URL i goes to host i % hosts, path /page/i: every URL distinct, hosts dealt round-robin.
std::vector<std::string> synthetic_urls(const SyntheticSpec& spec);
// A website for crawl benchmarks: spec.urls pages spread evenly over spec.hosts hosts
// (ceil(urls / hosts) each, /page/0 .. /page/{n-1}), latency, jitter, body size, capacity and
// scheme as the spec says. Every page is reachable from the seeds: /page/K links /page/K+1 first,
// then `links_per_page` seeded pages of its host, one page of another host (with two hosts or
// more), all in varied spellings (site_graph.hpp's link_forms). Each page also links a broken,
// a moved, a binary, a disallowed (/private/) and an external URL, and a nofollow trap; those
// are drawn from a few numbers per host (ceil(pages / 100)), so a correct crawl fetches every
// page plus at most 5 x ceil(pages / 100) URLs per host (query variants, /moved/, /missing/,
// /file/, /nofollow/): 5% more than spec.urls at most, and one robots.txt per host.
std::string synthetic_crawl_sites_toml(const SyntheticSpec& spec, unsigned links_per_page);
// "SCHEME://hI.synthetic.test/page/0" for every host, in host order.
std::vector<std::string> synthetic_crawl_seeds(const SyntheticSpec& spec);
// "10 hosts, 100 ms ± 10 ms, 2.0 KiB, capacity unlimited, http"
std::string describe(const SyntheticSpec& spec);

// A fresh directory under the system's temporary directory, removed with everything in it on
// destruction. Throws std::runtime_error when it cannot be made.
class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(const std::string& prefix);
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes `text` to `path`; throws std::runtime_error on failure.
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace fetcher::cli
