// retry_policy.hpp: which answers and failures are worth another attempt, and how long to wait
// before it (full-jitter exponential backoff, never shorter than the server's Retry-After).
#pragma once

#include "fetch_failure.hpp"

#include <fetcher/fetch_options.hpp>

#include <chrono>
#include <string_view>

namespace fetcher::detail {

// 429, 502, 503, 504: the server may answer otherwise a moment later.
bool is_retryable_status(unsigned status);

// A failed connect, a timeout, or a delivered response with a retryable status.
bool worth_retrying(const Failure& failure, unsigned status);

// The wait before retry number `retry` (0 for the first): random in
// [0, min(retry_cap, retry_base * 2^retry)], and at least `retry_after` (negative: none).
std::chrono::milliseconds backoff(const FetchOptions& options, unsigned retry, std::chrono::milliseconds retry_after);

// Retry-After as delta-seconds (capped at an hour); -1 ms for anything else.
std::chrono::milliseconds parse_retry_after(std::string_view value);

}  // namespace fetcher::detail
