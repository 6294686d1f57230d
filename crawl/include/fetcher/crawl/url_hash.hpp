// url_hash.hpp: a stable 64-bit hash of a URL or host, for the crawl's seen-set and for splitting
// work over machines (`--shard`), where every machine must compute the same value.
#pragma once

#include <cstdint>
#include <string_view>

namespace fetcher::crawl {

// FNV-1a 64, then splitmix64's finaliser so that nearby strings spread over the whole range: the
// same on every run, machine and compiler (std::hash promises none of that).
std::uint64_t url_hash(std::string_view text);

}  // namespace fetcher::crawl
