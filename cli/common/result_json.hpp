// result_json.hpp: FetchResult and RunReport as JSON, the form they take between a measured
// child process and the bench, and in `fetcher get --format json`.
#pragma once

#include <fetcher/fetch_result.hpp>
#include <fetcher/run_report.hpp>

#include <nlohmann/json.hpp>

namespace fetcher::cli {

nlohmann::json result_to_json(const FetchResult& result);
// One line of JSON; bytes that are not UTF-8 (a junk list line kept as the URL) become U+FFFD.
std::string json_line(const nlohmann::json& json);
FetchResult result_from_json(const nlohmann::json& json);

// The report's measurements without its results.
nlohmann::json report_to_json(const RunReport& report);
RunReport report_from_json(const nlohmann::json& json);

}  // namespace fetcher::cli
