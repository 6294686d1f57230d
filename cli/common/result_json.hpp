// result_json.hpp: FetchResult and RunReport (with the bench's ProcessUsage) as JSON, the form they take between a
// measured child process and the bench, and in `fetcher get --format json`.
#pragma once

#include <fetcher/bench/process_usage.hpp>
#include <fetcher/fetch_result.hpp>
#include <fetcher/run_report.hpp>

#include <nlohmann/json.hpp>

namespace fetcher::cli {

nlohmann::json result_to_json(const FetchResult& result);
// One line of JSON; bytes that are not UTF-8 (a junk list line kept as the URL) become U+FFFD.
std::string json_line(const nlohmann::json& json);
FetchResult result_from_json(const nlohmann::json& json);

// The report's measurements without its results, with the process's CPU and peak memory over
// the run in the same object (cpu_user_s, cpu_sys_s, peak_rss_kb).
nlohmann::json report_to_json(const RunReport& report, const bench::ProcessUsage& usage);
RunReport report_from_json(const nlohmann::json& json);
bench::ProcessUsage usage_from_json(const nlohmann::json& json);

}  // namespace fetcher::cli
