// fetch_result.cpp: names of the error kinds and fetch stages, as they appear in tables, JSON and messages.
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

constexpr std::array<std::pair<FetchStage, std::string_view>, 10> stage_names{{
    {FetchStage::none, "none"},
    {FetchStage::request, "request"},
    {FetchStage::resolve, "resolve"},
    {FetchStage::connect, "connect"},
    {FetchStage::tls, "tls"},
    {FetchStage::write, "write"},
    {FetchStage::read_header, "read-header"},
    {FetchStage::read_body, "read-body"},
    {FetchStage::redirect, "redirect"},
    {FetchStage::policy, "policy"},
}};

template <class Value, std::size_t size>
std::string_view name_of(const std::array<std::pair<Value, std::string_view>, size>& names, Value value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  return "unknown";
}

template <class Value, std::size_t size>
bool value_of(const std::array<std::pair<Value, std::string_view>, size>& names, std::string_view text, Value& value) {
  for (const auto& [known, name] : names) {
    if (name == text) {
      value = known;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view to_string(ErrorKind kind) { return name_of(kind_names, kind); }

bool parse_error_kind(std::string_view text, ErrorKind& kind) { return value_of(kind_names, text, kind); }

std::string_view to_string(FetchStage stage) { return name_of(stage_names, stage); }

bool parse_fetch_stage(std::string_view text, FetchStage& stage) { return value_of(stage_names, text, stage); }

}  // namespace fetcher
