// fetch_failure.hpp: how the client's pieces (connector, HTTP exchange, redirects, the fetch
// loop) report a failure to each other, and the stage deadlines their timeouts are measured by.
#pragma once

#include <fetcher/fetch_result.hpp>

#include <chrono>
#include <string>
#include <system_error>

namespace fetcher::detail {

using clock_type = std::chrono::steady_clock;

// Why and where a fetch failed: the cause's category, the message a person reads, the stage it
// was in and the error code behind it (empty when the client judged the failure itself).
struct Failure {
  ErrorKind kind = ErrorKind::none;
  std::string message;
  FetchStage stage = FetchStage::none;
  std::error_code cause;
};

// The end of a fetch the caller cancelled, in the stage it was in.
Failure cancelled_failure(FetchStage stage);

// "300 ms", or "2 s" for whole seconds, as messages put a duration.
std::string format_duration(std::chrono::milliseconds duration);

// The deadline of one stage: its own timeout, but never past the whole fetch's deadline.
struct StageDeadline {
  clock_type::time_point at;
  bool total_limited;  // a timeout here means the total timeout, for the message
};
StageDeadline stage_deadline(std::chrono::milliseconds stage, clock_type::time_point total_deadline);

// A timeout of `stage`: `what` names the step in the message ("TLS handshake"), `limit` is its
// own timeout, `total_timeout` the fetch's (named instead when `total_limited`); `cause`: the
// timer's code.
Failure timeout_failure(FetchStage stage, const char* what, std::chrono::milliseconds limit, bool total_limited,
                        std::chrono::milliseconds total_timeout, std::error_code cause);

}  // namespace fetcher::detail
