// fetch_result.cpp: names of the error kinds, as they appear in tables, JSON and messages.
#include <fetcher/fetch_result.hpp>

#include <array>
#include <utility>

namespace fetcher {
namespace {

constexpr std::array<std::pair<ErrorKind, std::string_view>, 15> kind_names{{
    {ErrorKind::none, "none"},
    {ErrorKind::bad_url, "bad-url"},
    {ErrorKind::bad_request, "bad-request"},
    {ErrorKind::dns, "dns"},
    {ErrorKind::connect, "connect"},
    {ErrorKind::tls, "tls"},
    {ErrorKind::timeout, "timeout"},
    {ErrorKind::protocol, "protocol"},
    {ErrorKind::http_status, "http-status"},
    {ErrorKind::too_large, "too-large"},
    {ErrorKind::redirect_loop, "redirect-loop"},
    {ErrorKind::too_many_redirects, "too-many-redirects"},
    {ErrorKind::cancelled, "cancelled"},
    {ErrorKind::resource, "resource"},
    {ErrorKind::internal, "internal"},
}};

}  // namespace

std::string_view to_string(ErrorKind kind) {
  for (const auto& [value, name] : kind_names) {
    if (value == kind) return name;
  }
  return "unknown";
}

bool parse_error_kind(std::string_view text, ErrorKind& kind) {
  for (const auto& [value, name] : kind_names) {
    if (name == text) {
      kind = value;
      return true;
    }
  }
  return false;
}

}  // namespace fetcher
