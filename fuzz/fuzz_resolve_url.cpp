// fuzz_resolve_url: the input is "BASE\nREFERENCE" (no newline: both are the whole input); the
// reference is resolved against the base as a redirect's Location would be (resolve_url), both
// are split (split_url), and a resolved URL is put in canonical form (canonical_url).
//
// Invariants: nothing crashes; messages never carry control bytes; exactly one of url and error
// is set; a resolved URL passes check_url, splits, has no fragment, and is a fixed point
// (resolving it against anything gives it back), so the client's redirect-loop check, which
// compares resolved URLs as strings, sees one spelling per URL. Its canonical form exists,
// passes check_url, is its own canonical form, keeps the query, and is what
// canonical_url(base, reference) gives.
//
// The base is what the client resolves against: a URL that passed check_url (the request's
// URL, or an earlier resolved Location). Bases that fail check_url are still resolved, for
// crashes and for a result that passes check_url, but nothing more is asked of them.
#include "fuzz_check.hpp"

#include <fetcher/url.hpp>
#include <fetcher/url_list.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using fetcher::fuzz::escaped;
using fetcher::fuzz::has_control_byte;

void check_split(std::string_view url) {
  fetcher::UrlParts parts;
  std::string error;
  const bool ok = fetcher::split_url(url, parts, error);
  FUZZ_CHECK(ok == error.empty(), "split_url returned " + std::to_string(ok) + " with error " + escaped(error));
  FUZZ_CHECK(!has_control_byte(error), "control byte in split_url message: " + escaped(error));
  if (ok) {
    FUZZ_CHECK(!parts.host.empty() && parts.port != 0, "bad parts from " + escaped(url));
    FUZZ_CHECK(parts.target.starts_with('/'), "target " + escaped(parts.target) + " from " + escaped(url));
  }
}

void check_canonical(std::string_view base, std::string_view reference, const std::string& url) {
  const auto canonical = fetcher::canonical_url(url);
  FUZZ_CHECK(canonical.error.empty() && fetcher::check_url(canonical.url).empty(),
             "canonical form of " + escaped(url) + ": " + escaped(canonical.url) + " " + escaped(canonical.error));
  FUZZ_CHECK(fetcher::canonical_url(canonical.url).url == canonical.url,
             "canonical form moves: " + escaped(canonical.url));
  const auto query = url.find('?');
  FUZZ_CHECK(query == std::string::npos || canonical.url.ends_with(std::string_view(url).substr(query)),
             "query changed: " + escaped(url) + " -> " + escaped(canonical.url));
  FUZZ_CHECK(fetcher::canonical_url(base, reference).url == canonical.url, "canonical_url(base, reference) differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view base = newline == std::string_view::npos ? input : input.substr(0, newline);
  const std::string_view reference = newline == std::string_view::npos ? input : input.substr(newline + 1);

  check_split(base);
  check_split(reference);

  const bool checked_base = fetcher::check_url(base).empty();
  const auto resolved = fetcher::resolve_url(base, reference);
  FUZZ_CHECK(resolved.url.empty() != resolved.error.empty(),
             "url " + escaped(resolved.url) + " and error " + escaped(resolved.error));
  const auto& url = resolved.url;
  if (!url.empty()) {
    const auto problem = fetcher::check_url(url);
    FUZZ_CHECK(problem.empty(), "resolved " + escaped(url) + " fails check_url: " + problem);
  }
  // Past here only what the client can meet: a base that passed check_url.
  if (!checked_base) return 0;
  FUZZ_CHECK(!has_control_byte(resolved.error), "control byte in resolve_url message: " + escaped(resolved.error));
  FUZZ_CHECK(!resolved.error.starts_with("base URL does not parse"),
             "check_url accepts the base but resolve_url cannot parse it: " + escaped(resolved.error));
  if (url.empty()) return 0;

  FUZZ_CHECK(url.find('#') == std::string::npos, "fragment kept in " + escaped(url));
  FUZZ_CHECK(!has_control_byte(url), "control byte in resolved URL " + escaped(url));
  check_split(url);
  const auto again = fetcher::resolve_url(url, url);
  FUZZ_CHECK(again.url == url,
             "not a fixed point: " + escaped(url) + " -> " + escaped(again.url) + " " + escaped(again.error));
  const auto from_base = fetcher::resolve_url(base, url);
  FUZZ_CHECK(from_base.url == url, "absolute " + escaped(url) + " against the base gives " + escaped(from_base.url));
  check_canonical(base, reference, url);
  return 0;
}
