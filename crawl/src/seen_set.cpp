// seen_set.cpp: see seen_set.hpp (and url_hash.hpp). Linear probing at a load factor of at most
// one half.
#include "seen_set.hpp"

namespace fetcher::crawl {

std::uint64_t url_hash(std::string_view url) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char byte : url) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  }
  // The finaliser of splitmix64: FNV's low bits alone depend weakly on the last bytes.
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  hash ^= hash >> 31;
  return hash;
}

namespace {
std::uint64_t stored(std::uint64_t hash) { return hash == 0 ? 1 : hash; }
}  // namespace

bool SeenSet::contains(std::uint64_t hash) const {
  if (slots_.empty()) return false;
  hash = stored(hash);
  const auto mask = slots_.size() - 1;
  for (auto slot = hash & mask;; slot = (slot + 1) & mask) {
    if (slots_[slot] == hash) return true;
    if (slots_[slot] == 0) return false;
  }
}

bool SeenSet::insert(std::uint64_t hash) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  hash = stored(hash);
  const auto mask = slots_.size() - 1;
  for (auto slot = hash & mask;; slot = (slot + 1) & mask) {
    if (slots_[slot] == hash) return false;
    if (slots_[slot] == 0) {
      slots_[slot] = hash;
      ++size_;
      return true;
    }
  }
}

void SeenSet::grow() {
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  const auto mask = slots_.size() - 1;
  for (const auto hash : old) {
    if (hash == 0) continue;
    auto slot = hash & mask;
    while (slots_[slot] != 0) slot = (slot + 1) & mask;
    slots_[slot] = hash;
  }
}

}  // namespace fetcher::crawl
