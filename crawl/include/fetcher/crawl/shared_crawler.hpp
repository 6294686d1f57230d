// shared_crawler.hpp: one worker of a crawl shared by many processes, on many machines, through
// Redis (Debian's redis-server 7): the frontier, seen-set, results, robots.txt and politeness
// live there, so workers can join, leave or die and the crawl goes on.
//
// The flow of a worker:
//   1. join: the first worker stores the crawl's settings (seeds, scope, limits, robots, user
//      agent, per-host, delay) and queues the seeds; a later one checks the settings it was given
//      against the stored ones (a conflict throws) and adopts the rest.
//   2. take: URLs come from a Redis stream through a consumer group (XREADGROUP), a few more than
//      the worker has fetches in flight; an entry another worker took and left unacknowledged
//      for claim_idle (it died) is reclaimed (XAUTOCLAIM).
//   3. robots.txt is fetched once per origin for the whole crawl (a lock in Redis says who) and
//      stored there for every worker; a disallowed URL is recorded as no page.
//   4. lease: before each request the worker takes one of its host's per_host slots in Redis,
//      and the host's next start must be `delay` (or Crawl-delay) after the last one, by the
//      Redis server's clock: politeness holds over all workers. A lease expires by itself after
//      claim_idle, so a dead worker's slots come back.
//   5. fetch and parse as the single-process Crawler does (crawler.hpp, steps 4-5).
//   6. record: one Lua script stores the URL's result once (the first worker to record it wins),
//      queues its new links (seen-set in Redis), releases the lease and acknowledges the entry.
//      A worker killed at any moment loses nothing: what it took and did not record is
//      reclaimed by another and fetched again.
//   7. run() returns when no URL is queued or held by any worker (or on a stop: entries held are
//      then left for others to reclaim).
#pragma once

#include <fetcher/crawl/crawler.hpp>
#include <fetcher/fetch_options.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <stop_token>
#include <string>

namespace fetcher::crawl {

struct SharedCrawlOptions {
  std::string redis_url = "redis://127.0.0.1:6379";  // redis://[[user]:password@]host[:port][/db]
  std::string crawl_id;                              // names the crawl's keys; required
  std::string worker;                                // this worker's name; empty: host name and pid
  std::chrono::milliseconds claim_idle{30000};       // a URL held this long unacknowledged is reclaimed
  std::chrono::milliseconds redis_timeout{10000};    // Redis lost this long: run() throws
  // The settings the caller gave explicitly, by flag name: "max-pages", "max-depth", "scope",
  // "per-host", "delay", "robots", "user-agent" ("seeds" whenever CrawlOptions::seeds is not
  // empty). Those must match a crawl that exists; the others are adopted from it.
  std::set<std::string> given;
};

// What one worker did, and the crawl's totals when it ended.
struct SharedCrawlStats {
  CrawlStats worker;                     // this worker's pages and counters (seen: the crawl's)
  std::uint64_t recorded_elsewhere = 0;  // fetched here, but another worker had recorded it first
  std::uint64_t reclaimed = 0;           // URLs taken over from workers that went silent
  std::uint64_t lease_waits = 0;         // lease requests refused (slots full or too early)
  std::uint64_t redis_commands = 0;      // sent by this worker
  std::uint64_t crawl_pages = 0;         // recorded over the whole crawl
  bool finished = false;                 // nothing queued or held anywhere
};

// Makes the result stored for a page (the export's line); called on the thread that ran the
// fetch, one page at a time.
using PageRecorder = std::function<std::string(const CrawlPage&)>;

class SharedCrawler {
 public:
  // Connects and joins (step 1). Throws std::runtime_error naming the problem when Redis cannot
  // be reached or refuses; std::invalid_argument for bad options, settings that conflict with
  // the crawl's, or a crawl with no settings yet and no seeds given.
  SharedCrawler(FetchOptions fetch_options, CrawlOptions options, SharedCrawlOptions shared, PageRecorder record);
  ~SharedCrawler();
  SharedCrawler(const SharedCrawler&) = delete;
  SharedCrawler& operator=(const SharedCrawler&) = delete;

  // The crawl's settings as this worker runs them (adopted ones included).
  const CrawlOptions& options() const;
  const std::string& user_agent() const;
  bool started_the_crawl() const;  // this worker stored the settings

  // Crawls until the whole crawl is done, or stopped. Once per worker. Throws std::runtime_error
  // when Redis is lost for longer than redis_timeout (nothing unrecorded is acknowledged).
  SharedCrawlStats run(std::stop_token stop = {});
  CrawlStats stats() const;  // this worker's, from any thread while run() runs

  // Writes every result recorded over the crawl, one per line; returns how many.
  std::uint64_t export_results(std::ostream& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fetcher::crawl
