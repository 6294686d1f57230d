// units.hpp: reading and printing durations and sizes the way people write them
// ("500ms", "2s", "64MiB") and want to read them ("66 ms", "5.29 s", "25.0 KiB"). Sizes are read
// in SI (KB = 1000) and IEC (KiB = 1024) units alike, and printed in IEC units.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace CLI {
class Validator;
}

namespace fetcher::cli {

// "250ms", "2s", "1.5s", "1m"; a bare number means seconds. Throws std::invalid_argument.
std::chrono::milliseconds parse_duration(std::string_view text);
// "512", "2KB" (2000), "2KiB" (2048), "64MiB", "1GB": KB, MB, GB (or K, M, G) are powers of 1000,
// KiB, MiB, GiB (or Ki, Mi, Gi) powers of 1024; any case. Throws std::invalid_argument.
std::uint64_t parse_size(std::string_view text);
// "500", "10k" (thousands), "1.5k", "2M" (millions): a whole number of things. Throws
// std::invalid_argument.
std::uint64_t parse_count(std::string_view text);

// The same, for a named option: errors read "--latency: bad duration 'x' (use ms, s or m)".
std::chrono::milliseconds parse_duration(std::string_view option, std::string_view text);
std::uint64_t parse_size(std::string_view option, std::string_view text);
std::uint64_t parse_count(std::string_view option, std::string_view text);

// A CLI11 transform for numeric options that take counts: "10k" becomes "10000" before the
// option's own type and range checks; CLI11 names the option in the error.
CLI::Validator count_units();

// Seconds for people: "850 us", "66.0 ms", "5.29 s", "-" for a negative (unknown) value.
std::string format_seconds(double seconds);
// A median and how far the farthest run lies from it, in the median's unit: "62.1 ±1.9 ms",
// "5.29 ±0.12 s" ("+-" for "±" when not `unicode`); the median alone when the spread is negative
// (one run), "-" when the median is unknown.
std::string format_seconds_spread(double seconds, double spread, bool unicode = true);
// Bytes for people, in IEC units: "512 B", "25.0 KiB", "3.40 MiB", "1.00 GiB".
std::string format_bytes(std::uint64_t bytes);

}  // namespace fetcher::cli
