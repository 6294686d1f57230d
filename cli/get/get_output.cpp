// get_output.cpp: the result lines and the summary of `fetcher get`.
#include "get/get_output.hpp"

#include "bench/progress.hpp"
#include "common/units.hpp"

#include <map>

namespace fetcher::cli {
namespace {

// Widths that hold every value format_bytes and format_seconds produce ("1023.9 KiB", "99.99 s").
constexpr std::size_t status_width = 3;
constexpr std::size_t size_width = 10;
constexpr std::size_t time_width = 7;

std::string pad_left(std::string text, std::size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

Paint status_paint(const FetchResult& result) {
  if (result.status == 0 || result.status >= 400) return Paint::red;
  if (result.status >= 300) return Paint::yellow;
  return Paint::green;
}

std::string seconds(std::chrono::nanoseconds duration) {
  return format_seconds(std::chrono::duration<double>(duration).count());
}

}  // namespace

std::string result_line(const FetchResult& result, const Style& style) {
  const std::string status = result.status ? std::to_string(result.status) : "ERR";
  std::string line = paint(style, status_paint(result), status) +
                     std::string(status_width + 1 - std::min(status.size(), status_width), ' ');
  line += pad_left(result.status ? format_bytes(result.body_bytes) : "-", size_width) + "  ";
  line += pad_left(seconds(result.timings.total), time_width) + "  ";
  // The URL comes from a list file and the final URL from a server's Location: both made printable.
  line += printable(result.url);
  if (!result.final_url.empty() && result.final_url != result.url) line += " -> " + printable(result.final_url);
  if (!result.ok()) {
    // An HTTP status failure's message already says what happened; other kinds name themselves.
    const std::string why = result.error == ErrorKind::http_status
                                ? result.message
                                : std::string(to_string(result.error)) + ": " + result.message;
    line += "  " + paint(style, Paint::red, printable(why));
  }
  return line;
}

std::string summary_line(const RunReport& report, const Style& style) {
  std::string line = std::to_string(report.requests) + (report.requests == 1 ? " URL" : " URLs") + " in " +
                     format_seconds(report.wall_seconds()) + " (" + report.strategy +
                     "): " + std::to_string(report.ok) + " ok, ";
  std::string failed = std::to_string(report.failed) + " failed";
  if (report.failed > 0) {
    std::map<std::string, std::size_t> kinds;
    for (const auto& result : report.results) {
      if (!result.ok()) ++kinds[std::string(to_string(result.error))];
    }
    std::string breakdown;
    for (const auto& [kind, count] : kinds)
      breakdown += (breakdown.empty() ? "" : ", ") + std::to_string(count) + " " + kind;
    if (!breakdown.empty()) failed += " (" + breakdown + ")";
    failed = paint(style, Paint::red, failed);
  }
  line += failed + ", " + format_bytes(report.bytes);
  if (report.latency.count > 0) {
    line += ", p50 " + format_seconds(report.latency.p50) + ", p95 " + format_seconds(report.latency.p95);
  }
  return line;
}

std::string grouped_count(std::size_t count) {
  std::string digits = std::to_string(count);
  for (auto at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

std::string get_progress_line(std::size_t done, std::size_t total, std::size_t ok, std::size_t failed,
                              double elapsed_seconds) {
  // The same clock as the bench's progress line: "0:03", "1:02:05".
  return grouped_count(done) + "/" + grouped_count(total) + " URLs  " + grouped_count(ok) + " ok  " +
         grouped_count(failed) + " failed  " + clock_text(elapsed_seconds < 0 ? 0 : elapsed_seconds);
}

}  // namespace fetcher::cli
