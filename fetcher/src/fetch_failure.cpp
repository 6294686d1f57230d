// fetch_failure.cpp: see fetch_failure.hpp.
#include "fetch_failure.hpp"

namespace fetcher::detail {

Failure cancelled_failure(FetchStage stage) {
  return {ErrorKind::cancelled, "cancelled: the fetch was cancelled", stage,
          make_error_code(std::errc::operation_canceled)};
}

std::string format_duration(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
  return std::to_string(duration.count()) + " ms";
}

StageDeadline stage_deadline(std::chrono::milliseconds stage, clock_type::time_point total_deadline) {
  const auto own = clock_type::now() + stage;
  return own < total_deadline ? StageDeadline{own, false} : StageDeadline{total_deadline, true};
}

Failure timeout_failure(FetchStage stage, const char* what, std::chrono::milliseconds limit, bool total_limited,
                        std::chrono::milliseconds total_timeout, std::error_code cause) {
  if (total_limited) {
    const auto message = std::string(what) + ": total timeout of " + format_duration(total_timeout) + " exceeded";
    return {ErrorKind::timeout, message, stage, cause};
  }
  return {ErrorKind::timeout, std::string(what) + ": timed out after " + format_duration(limit), stage, cause};
}

}  // namespace fetcher::detail
