// seen_set.hpp: the URLs a crawl has met, at eight bytes each: an open-addressing table of
// 64-bit hashes of their canonical forms. Two URLs whose hashes collide count as one (about one
// chance in 10^7 over a crawl of a million URLs), which a crawler can afford: the cost is one
// page not fetched, not a page fetched twice.
#pragma once

#include <fetcher/crawl/url_hash.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace fetcher::crawl {

class SeenSet {
 public:
  // True when `hash` was not in the set (it is now).
  bool insert(std::uint64_t hash);
  bool contains(std::uint64_t hash) const;
  std::uint64_t size() const { return size_; }
  // Bytes the table holds (for the memory figures).
  std::uint64_t bytes() const { return slots_.size() * sizeof(std::uint64_t); }

 private:
  void grow();
  // 0 marks an empty slot; a hash that is 0 is stored as 1 (one more collision among 2^64).
  std::vector<std::uint64_t> slots_;
  std::uint64_t size_ = 0;
};

}  // namespace fetcher::crawl
