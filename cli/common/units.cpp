// units.cpp: duration and size parsing and formatting for the command line.
#include "common/units.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace fetcher::cli {
namespace {

// Splits "1.5s" into 1.5 and "s"; throws when there is no number.
std::pair<double, std::string> split_number(std::string_view text, std::string_view what) {
  std::size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
    ++digits;
  }
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + digits, value);
  if (digits == 0 || error != std::errc{} || end != text.data() + digits) {
    throw std::invalid_argument("bad " + std::string(what) + " '" + std::string(text) + "'");
  }
  std::string unit;
  for (char c : text.substr(digits)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return {value, unit};
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text) {
  const auto [value, unit] = split_number(text, "duration");
  double factor = 0;
  if (unit.empty() || unit == "s")
    factor = 1000;
  else if (unit == "ms")
    factor = 1;
  else if (unit == "m" || unit == "min")
    factor = 60000;
  else
    throw std::invalid_argument("bad duration '" + std::string(text) + "' (use ms, s or m)");
  const double milliseconds = value * factor;
  if (milliseconds > 1e9) throw std::invalid_argument("duration '" + std::string(text) + "' is too long");
  return std::chrono::milliseconds(static_cast<long long>(std::llround(milliseconds)));
}

std::uint64_t parse_size(std::string_view text) {
  const auto [value, unit] = split_number(text, "size");
  // SI prefixes are powers of 1000 and IEC ones powers of 1024, as their names say.
  double factor = 0;
  if (unit.empty() || unit == "b")
    factor = 1;
  else if (unit == "k" || unit == "kb")
    factor = 1e3;
  else if (unit == "m" || unit == "mb")
    factor = 1e6;
  else if (unit == "g" || unit == "gb")
    factor = 1e9;
  else if (unit == "ki" || unit == "kib")
    factor = 1024.0;
  else if (unit == "mi" || unit == "mib")
    factor = 1024.0 * 1024;
  else if (unit == "gi" || unit == "gib")
    factor = 1024.0 * 1024 * 1024;
  else
    throw std::invalid_argument("bad size '" + std::string(text) + "' (use B, KB, MB, GB, KiB, MiB or GiB)");
  const double bytes = value * factor;
  if (bytes > 1e15) throw std::invalid_argument("size '" + std::string(text) + "' is too large");
  return static_cast<std::uint64_t>(std::llround(bytes));
}

std::uint64_t parse_count(std::string_view text) {
  const auto [value, unit] = split_number(text, "count");
  double factor = 0;
  if (unit.empty())
    factor = 1;
  else if (unit == "k")
    factor = 1e3;
  else if (unit == "m")
    factor = 1e6;
  else
    throw std::invalid_argument("bad count '" + std::string(text) + "' (use a whole number, k or M: 10k)");
  const double count = value * factor;
  if (count > 1e15) throw std::invalid_argument("count '" + std::string(text) + "' is too large");
  if (count != std::floor(count))
    throw std::invalid_argument("count '" + std::string(text) + "' is not a whole number");
  return static_cast<std::uint64_t>(count);
}

namespace {

template <typename Parse>
auto for_option(std::string_view option, std::string_view text, Parse parse) {
  try {
    return parse(text);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(std::string(option) + ": " + error.what());
  }
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view option, std::string_view text) {
  return for_option(option, text, [](std::string_view t) { return parse_duration(t); });
}

std::uint64_t parse_size(std::string_view option, std::string_view text) {
  return for_option(option, text, [](std::string_view t) { return parse_size(t); });
}

std::uint64_t parse_count(std::string_view option, std::string_view text) {
  return for_option(option, text, [](std::string_view t) { return parse_count(t); });
}

CLI::Validator count_units() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          value = std::to_string(parse_count(value));
          return {};
        } catch (const std::invalid_argument& error) {
          return error.what();
        }
      },
      "COUNT", "count with units");
}

std::string format_seconds(double seconds) {
  if (seconds < 0 || std::isnan(seconds)) return "-";
  char text[32];
  // Each unit's upper bound is where its rounded text would reach the next unit.
  if (seconds < 999.5e-6)
    std::snprintf(text, sizeof text, "%.0f us", seconds * 1e6);
  else if (seconds < 0.09995)
    std::snprintf(text, sizeof text, "%.1f ms", seconds * 1e3);
  else if (seconds < 0.9995)
    std::snprintf(text, sizeof text, "%.0f ms", seconds * 1e3);
  else if (seconds < 99.995)
    std::snprintf(text, sizeof text, "%.2f s", seconds);
  else
    std::snprintf(text, sizeof text, "%.0f s", seconds);
  return text;
}

std::string format_seconds_spread(double seconds, double spread, bool unicode) {
  if (seconds < 0 || std::isnan(seconds)) return "-";
  if (spread < 0 || std::isnan(spread)) return format_seconds(seconds);
  struct Unit {
    double scale;
    const char* name;
    int decimals;
  };
  // The same units and precision as format_seconds gives the median alone.
  const Unit unit = seconds < 999.5e-6  ? Unit{1e6, "us", 0}
                    : seconds < 0.09995 ? Unit{1e3, "ms", 1}
                    : seconds < 0.9995  ? Unit{1e3, "ms", 0}
                    : seconds < 99.995  ? Unit{1, "s", 2}
                                        : Unit{1, "s", 0};
  // The spread gets two significant digits, and at most one decimal more than the median.
  const double scaled_spread = spread * unit.scale;
  const int spread_digits = scaled_spread >= 9.95 ? 0 : scaled_spread >= 0.995 ? 1 : 2;
  const int spread_decimals = std::min(spread_digits, unit.decimals + 1);
  char text[48];
  std::snprintf(text, sizeof text, "%.*f %s%.*f %s", unit.decimals, seconds * unit.scale, unicode ? "\u00b1" : "+-",
                spread_decimals, scaled_spread, unit.name);
  return text;
}

std::string format_bytes(std::uint64_t bytes) {
  char text[32];
  const double value = static_cast<double>(bytes);
  if (bytes < 1024)
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  else if (value / 1024 < 1023.95)
    std::snprintf(text, sizeof text, "%.1f KiB", value / 1024);
  else if (value / (1024 * 1024) < 1023.995)
    std::snprintf(text, sizeof text, "%.2f MiB", value / (1024 * 1024));
  else
    std::snprintf(text, sizeof text, "%.2f GiB", value / (1024.0 * 1024 * 1024));
  return text;
}

}  // namespace fetcher::cli
