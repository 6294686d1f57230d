// shard.hpp: `--shard i/N`, a stateless split of a URL list over N workers of an array job (Slurm
// arrays, Kubernetes Indexed Jobs): each worker keeps the URLs whose host hashes to its index, so
// every host's URLs go to exactly one shard (its per-host politeness holds without coordination)
// and the N shards together hold the whole list, each URL once.
#pragma once

#include <fetcher/fetch_request.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace fetcher::cli {

struct Shard {
  unsigned index = 0;  // 0-based: 0 .. count-1
  unsigned count = 1;
};

// "i/N" with 0 <= i < N <= 100000 ("3/8"). Throws std::invalid_argument naming --shard and the
// problem ("--shard: 8/8: the index counts from 0, so it must be below 8").
Shard parse_shard(std::string_view text);

// The shard (0 .. count-1) of a URL: by a stable hash (crawl/url_hash.hpp) of its host (lower case), or, for a line
// that is not a URL, of the line itself, so that it is still reported by exactly one shard.
unsigned shard_of(std::string_view url, unsigned count);

// The requests of `shard`, in list order.
std::vector<FetchRequest> select_shard(std::vector<FetchRequest> requests, Shard shard);

}  // namespace fetcher::cli
