// get_output.hpp: what `fetcher get` prints for people: one aligned line per result as it
// completes, a progress line on a terminal, and a summary line at the end (JSON Lines output lives
// in result_json).
#pragma once

#include "common/terminal_style.hpp"

#include <fetcher/fetch_result.hpp>
#include <fetcher/run_report.hpp>

#include <cstddef>
#include <string>

namespace fetcher::cli {

// "200    62.5 KiB   341 ms  URL [-> final URL]" or "ERR          -   5.00 s  URL  timeout: message";
// the columns line up whatever the outcome, so a stream of results reads as a table.
std::string result_line(const FetchResult& result, const Style& style = {});

// "13 URLs in 739 ms (async): 12 ok, 1 failed (1 timeout), 820.3 KiB, p50 352 ms, p95 739 ms".
std::string summary_line(const RunReport& report, const Style& style = {});

// "120/1,000 URLs  118 ok  2 failed  0:03": how far a long `get` is, redrawn in place on stderr.
std::string get_progress_line(std::size_t done, std::size_t total, std::size_t ok, std::size_t failed,
                              double elapsed_seconds);

// "1,000": a count with thousands separators, as the progress line shows it.
std::string grouped_count(std::size_t count);

}  // namespace fetcher::cli
