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

// Findings reported and not fixed yet are tolerated by name, so that a fuzzing run goes on past
// them to find the next one; FETCHER_FUZZ_STRICT=1 in the environment turns every tolerance off
// (to check a fix, or to reproduce the saved input). Each is described in README.md; delete its
// function once its fix has landed.
inline bool strict() {
  static const bool value = std::getenv("FETCHER_FUZZ_STRICT") != nullptr;
  return value;
}

// Finding 1: Boost.URL 1.81 reads "http://h:80a/x" as port "80" and path "a/x" (a path that does
// not start with '/' after an authority, which RFC 3986 forbids). check_url accepts it and
// split_url's target is "a/x", so the client would send "GET a/x HTTP/1.1".
inline bool tolerated_rootless_target(std::string_view target) { return !strict() && !target.starts_with('/'); }

// Finding 2: check_url accepts a percent-encoded host whose decoded form has control bytes
// ("http://%11.example/", "https://a%00.example.org/"); split_url's host then carries them to
// the resolver (which sees "a" for "a\0.example.org", as do SNI and the certificate name check)
// and into messages ("resolve \x11.example: ...").
inline bool tolerated_control_in_host(std::string_view url) {
  return !strict() && url.find('%') != std::string_view::npos;
}

// Finding 3: resolve_url parses its base with parse_absolute_uri, which refuses a fragment, while
// check_url (and so every URL list) allows one: a redirect from "http://a.example/page#top"
// fails as "base URL does not parse" instead of being followed.
inline bool tolerated_fragment_in_base(std::string_view base) {
  return !strict() && base.find('#') != std::string_view::npos;
}

// Finding 4: Beast accepts any three digits as a status code, and the client takes a status
// below 100 ("HTTP/1.1 020 OK") as a final response: with a well-formed body the fetch is ok,
// status 20. RFC 9110 section 15: valid status codes are 100 to 599.
inline bool tolerated_status_below_100(unsigned status) { return !strict() && status < 100; }

// Finding 5: the Content-Encoding messages ("unsupported Content-Encoding '...'", "read body:
// corrupt ... data") quote the header's value as received, tabs and other bytes included.
inline bool tolerated_raw_content_encoding(std::string_view message) {
  return !strict() && (message.starts_with("unsupported Content-Encoding") || message.starts_with("read body: corrupt "));
}

[[noreturn]] inline void fail(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n  %s\n", file, line, condition, detail.c_str());
  std::abort();
}

}  // namespace fetcher::fuzz

// FUZZ_CHECK(condition, detail): detail is a std::string built only when the check fails.
#define FUZZ_CHECK(condition, detail)                                          \
  do {                                                                         \
    if (!(condition)) ::fetcher::fuzz::fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)
