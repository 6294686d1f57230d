// fuzz_url_list: arbitrary bytes as a URL list file (parse_url_list) and as one URL (check_url).
//
// Invariants: nothing crashes; every request names its line ("fuzz.txt:N", N increasing, no
// more requests than lines); a request's error is what check_url says of its URL; an accepted
// URL splits (split_url) into a non-empty host without control bytes, a non-zero port and a
// target starting with '/'; error messages never carry control bytes (they reach terminals).
#include "fuzz_check.hpp"

#include <fetcher/url.hpp>
#include <fetcher/url_list.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace {

using fetcher::fuzz::escaped;
using fetcher::fuzz::has_control_byte;

void check_accepted(const std::string& url) {
  fetcher::UrlParts parts;
  std::string error;
  FUZZ_CHECK(fetcher::split_url(url, parts, error),
             "check_url accepts but split_url rejects " + escaped(url) + ": " + error);
  FUZZ_CHECK(!parts.host.empty(), "empty host from " + escaped(url));
  FUZZ_CHECK(!has_control_byte(parts.host), "control byte in host " + escaped(parts.host) + " from " + escaped(url));
  FUZZ_CHECK(!has_control_byte(parts.host_header), "control byte in Host header from " + escaped(url));
  FUZZ_CHECK(parts.port != 0, "port 0 from " + escaped(url));
  FUZZ_CHECK(parts.target.starts_with('/'), "target " + escaped(parts.target) + " from " + escaped(url));
  FUZZ_CHECK(!has_control_byte(parts.target), "control byte in target from " + escaped(url));
  FUZZ_CHECK(parts.target.find('#') == std::string::npos, "fragment in target from " + escaped(url));
}

void check_one(std::string_view url) {
  const std::string problem = fetcher::check_url(url);
  FUZZ_CHECK(!has_control_byte(problem), "control byte in check_url message: " + escaped(problem));
  if (problem.empty()) check_accepted(std::string(url));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  check_one(text);

  std::istringstream in(text);
  const auto requests = fetcher::parse_url_list(in, "fuzz.txt");
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  FUZZ_CHECK(requests.size() <= lines,
             std::to_string(requests.size()) + " requests from " + std::to_string(lines) + " lines");
  std::size_t previous_line = 0;
  for (const auto& request : requests) {
    FUZZ_CHECK(request.source.starts_with("fuzz.txt:"), "source " + escaped(request.source));
    const auto line = std::stoul(request.source.substr(9));
    FUZZ_CHECK(line > previous_line && line <= lines,
               "line " + std::to_string(line) + " after " + std::to_string(previous_line));
    previous_line = line;
    FUZZ_CHECK(!request.url.empty() && request.url.front() != '#',
               "kept a blank or comment line: " + escaped(request.url));
    FUZZ_CHECK(request.error == fetcher::check_url(request.url),
               "error differs from check_url for " + escaped(request.url) + ": " + escaped(request.error));
    FUZZ_CHECK(!has_control_byte(request.error), "control byte in list error: " + escaped(request.error));
    if (request.error.empty()) check_accepted(request.url);
  }
  return 0;
}
