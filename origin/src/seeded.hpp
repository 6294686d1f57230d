// seeded.hpp: the small deterministic hash and generator behind every seeded choice of the sites
// model (jitter, links, link spellings), stable across platforms and runs, unlike std::hash.
#pragma once

#include <cstdint>
#include <string_view>

namespace fetcher::origin {

// FNV-1a, 64 bits.
class Fnv1a {
 public:
  void add(std::string_view text) {
    for (const char c : text) add_byte(static_cast<unsigned char>(c));
  }
  void add(std::uint64_t number) {
    for (int shift = 0; shift < 64; shift += 8) add_byte(static_cast<unsigned char>(number >> shift));
  }
  // Keeps ("ab", "c") and ("a", "bc") apart.
  void add_separator() { add_byte(0xff); }
  std::uint64_t value() const { return state_; }

 private:
  void add_byte(unsigned char byte) {
    state_ ^= byte;
    state_ *= 0x100000001b3ULL;
  }
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

// splitmix64: a tiny generator whose whole state is one number, so a hash seeds it directly.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, bound) for bound > 0.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

 private:
  std::uint64_t state_;
};

}  // namespace fetcher::origin
