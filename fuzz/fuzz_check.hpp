// fuzz_check.hpp: invariant checks shared by the fuzz targets. A failed check prints what was
// expected and aborts, which libFuzzer reports as a crash and saves the input for.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fetcher::fuzz {

// True when `text` has a byte a terminal would act on: C0 controls or DEL.
inline bool has_control_byte(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Escapes everything outside printable ASCII, so the report itself is readable.
inline std::string escaped(std::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 400)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (text.size() > 400) out += "...";
  return out;
}

// Findings 1-5 (README.md) are fixed; their inputs stay in crashes/ and the corpus as regression
// seeds. A new finding that must be tolerated while its fix is pending gets a named predicate
// here, off when FETCHER_FUZZ_STRICT=1 is set.
inline bool strict() {
  static const bool value = std::getenv("FETCHER_FUZZ_STRICT") != nullptr;
  return value;
}

[[noreturn]] inline void fail(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n  %s\n", file, line, condition, detail.c_str());
  std::abort();
}

}  // namespace fetcher::fuzz

// FUZZ_CHECK(condition, detail): detail is a std::string built only when the check fails.
#define FUZZ_CHECK(condition, detail)                                                  \
  do {                                                                                 \
    if (!(condition)) ::fetcher::fuzz::fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)
