// retry_policy.cpp: see retry_policy.hpp.
#include "retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <random>

namespace fetcher::detail {

bool is_retryable_status(unsigned status) { return status == 429 || status == 502 || status == 503 || status == 504; }

bool worth_retrying(const Failure& failure, unsigned status) {
  return failure.kind == ErrorKind::connect || failure.kind == ErrorKind::timeout ||
         (failure.kind == ErrorKind::none && is_retryable_status(status));
}

std::chrono::milliseconds backoff(const FetchOptions& options, unsigned retry, std::chrono::milliseconds retry_after) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const auto ceiling =
      std::min<long long>(options.retry_cap.count(), options.retry_base.count() << std::min(retry, 20u));
  std::uniform_int_distribution<long long> pick(0, std::max(0LL, ceiling));
  return std::max(std::chrono::milliseconds(pick(random)), retry_after);
}

// An HTTP-date is not worth a date parser here and is ignored.
std::chrono::milliseconds parse_retry_after(std::string_view value) {
  unsigned seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc{} || end != value.data() + value.size()) return std::chrono::milliseconds(-1);
  return std::chrono::seconds(std::min(seconds, 3600u));
}

}  // namespace fetcher::detail
