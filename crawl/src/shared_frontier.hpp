// shared_frontier.hpp: a crawl's shared state in Redis, for many worker processes: the frontier
// as a stream read through one consumer group, the seen-set, the recorded results, the crawl's
// settings, robots.txt per origin and the per-host leases. Every key of one crawl starts with
// "fetcher:{ID}:" (the braces make it one Redis Cluster hash slot, so the scripts may touch them
// all); two crawls with different ids share nothing.
//
// The steps that must not half-happen are one Lua script each:
//   join     store the settings and queue the seeds, unless the crawl has settings already;
//   record   store a URL's result once (HSETNX), queue its new links (SADD to the seen-set, then
//            XADD), end its host lease, XACK and XDEL its entry;
//   lease    take one of a host's per_host slots (a sorted set of tokens scored by expiry) when
//            the host's next allowed start has come. With a delay, a grant also holds the next
//            start until the lease ends, which sets it to the request's real start plus the
//            delay: a request that reaches the host late (its worker stalled) cannot bring the
//            next one closer than the delay;
//   renew    extend a lease whose fetch is still running (and the hold on the next start);
//   end      free a lease's slot and set the host's next start, for leases without a record.
// The count of URLs queued and not yet recorded ("open") is kept by the same scripts: the crawl
// is over when it is zero.
#pragma once

#include "redis_connection.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace fetcher::crawl {

// One URL taken from the stream.
struct StreamEntry {
  std::string id;   // the stream entry's id
  std::string url;  // canonical
  unsigned depth = 0;
  std::string referrer;  // empty for a seed
};

// A URL to queue with a recorded page.
struct LinkToQueue {
  std::string url;
  std::uint64_t hash = 0;
  unsigned depth = 0;
};

// One URL's outcome, to be recorded.
struct UrlRecord {
  StreamEntry entry;
  std::uint64_t hash = 0;  // url_hash(entry.url)
  std::string result;      // what the export holds for it; empty: no page (robots-disallowed)
  std::vector<LinkToQueue> links;
  std::string lease_host;  // the host lease to release; empty: none
  std::string lease_token;
  std::chrono::microseconds delay{0};  // the host's spacing (see LeaseEnd)
  std::chrono::microseconds age{0};    // how long ago the request reached the wire
};

// The end of a lease: its slot is freed and, with a delay, the host's next start is set to the
// request's real start plus the delay (until then a grant blocks the host's next start).
struct LeaseEnd {
  std::string host;
  std::string token;
  std::chrono::microseconds delay{0};
  std::chrono::microseconds age{0};  // how long ago the request started; 0 when unknown (now)
};

struct RecordOutcome {
  bool recorded = false;               // false: another worker recorded this URL first
  std::uint64_t queued = 0;            // links new to the crawl, queued
  std::uint64_t beyond_max_pages = 0;  // links new to the crawl, not queued: max_pages are queued
};

// The answer to a lease request.
struct LeaseAnswer {
  bool granted = false;
  std::chrono::microseconds retry_after{0};  // when refused: the host's next start, or 0 when its slots are full
};

class SharedFrontier {
 public:
  using Settings = std::map<std::string, std::string>;

  // Loads the scripts. `consumer`: this worker's name in the consumer group.
  SharedFrontier(RedisConnection& redis, std::string crawl_id, std::string consumer);

  // Stores `settings` and queues the seeds (depth 0) when the crawl has no settings yet: true.
  // When it has: false, and `stored` holds them.
  bool join(const Settings& settings, const std::vector<std::string>& seeds, std::uint64_t max_pages, Settings& stored);
  std::optional<Settings> settings();

  // Up to `count` entries no worker has taken yet.
  std::vector<StreamEntry> take(std::size_t count);
  // Up to `count` entries another worker took and has not acknowledged for `idle`.
  std::vector<StreamEntry> reclaim(std::chrono::milliseconds idle, std::size_t count);
  // Resets the idle time of entries this worker still holds, so no other worker reclaims them.
  void refresh(const std::vector<std::string>& ids);

  std::vector<RecordOutcome> record(const std::vector<UrlRecord>& records, std::uint64_t max_pages);

  // One lease request per (host, token); pipelined.
  struct LeaseRequest {
    std::string host;
    std::string token;
    unsigned per_host = 1;
    std::chrono::milliseconds delay{0};
  };
  std::vector<LeaseAnswer> lease(const std::vector<LeaseRequest>& requests, std::chrono::milliseconds ttl);
  // Extends leases still held by `ttl` from now (fetches that outlast a lease's first ttl).
  void renew(const std::vector<LeaseEnd>& leases, std::chrono::milliseconds ttl);
  void end(const std::vector<LeaseEnd>& leases);

  // robots.txt, shared: the stored response of an origin, if any; a lock so one worker fetches it.
  std::optional<std::string> robots(const std::string& origin);
  bool lock_robots(const std::string& origin, std::chrono::milliseconds ttl);
  void store_robots(const std::string& origin, const std::string& response);
  void unlock_robots(const std::string& origin);

  std::uint64_t open_urls();       // queued and not yet recorded, by any worker
  std::uint64_t pages_recorded();  // over the whole crawl
  std::uint64_t seen_urls();       // distinct URLs queued (or left out for max_pages) over the crawl
  // Writes every recorded result, one per line; returns how many.
  std::uint64_t export_results(std::ostream& out);

  const std::string& key_prefix() const { return prefix_; }

 private:
  RedisReply run_script(const std::string& which, const std::vector<std::string>& keys,
                        const std::vector<std::string>& arguments);
  std::vector<RedisReply> run_scripts(const std::string& which, const std::vector<std::vector<std::string>>& commands);
  void load_scripts();
  std::string key(std::string_view name) const { return prefix_ + std::string(name); }

  RedisConnection& redis_;
  std::string prefix_;
  std::string consumer_;
  std::map<std::string, std::string> script_sha_;  // by name
  bool group_ready_ = false;
};

}  // namespace fetcher::crawl
