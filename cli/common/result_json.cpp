// result_json.cpp: JSON (de)serialisation of results and reports.
#include "common/result_json.hpp"

#include <cmath>

namespace fetcher::cli {
namespace {

double to_ms(std::chrono::nanoseconds value) { return std::chrono::duration<double, std::milli>(value).count(); }
std::chrono::nanoseconds from_ms(double value) { return std::chrono::nanoseconds(std::llround(value * 1e6)); }

}  // namespace

std::string json_line(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json result_to_json(const FetchResult& result) {
  nlohmann::json json = {
      {"index", result.index},
      {"url", result.url},
      {"final_url", result.final_url},
      {"status", result.status},
      {"bytes", result.body_bytes},
      {"wire_bytes", result.wire_bytes},
      {"sha256", result.body_sha256},
      {"redirects", result.redirects},
      {"attempts", result.attempts},
      {"reused_connection", result.reused_connection},
      {"connect_ms", to_ms(result.timings.connect)},
      {"tls_ms", to_ms(result.timings.tls)},
      {"first_byte_ms", to_ms(result.timings.first_byte)},
      {"total_ms", to_ms(result.timings.total)},
      {"ok", result.ok()},
      {"error", std::string(to_string(result.error))},
      {"stage", std::string(to_string(result.stage))},
      {"message", result.message},
      {"content_type", result.headers.content_type()},
      {"warning", result.warning},
  };
  if (!result.source.empty()) json["source"] = result.source;
  if (result.cause) json["cause"] = result.cause.message();
  return json;
}

FetchResult result_from_json(const nlohmann::json& json) {
  FetchResult result;
  result.index = json.at("index").get<std::size_t>();
  result.url = json.at("url").get<std::string>();
  result.final_url = json.at("final_url").get<std::string>();
  result.source = json.value("source", std::string());
  result.status = json.at("status").get<unsigned>();
  result.body_bytes = json.at("bytes").get<std::uint64_t>();
  result.wire_bytes = json.value("wire_bytes", result.body_bytes);
  result.body_sha256 = json.at("sha256").get<std::string>();
  result.redirects = json.at("redirects").get<int>();
  result.attempts = json.value("attempts", 0);
  result.reused_connection = json.value("reused_connection", false);
  result.timings.connect = from_ms(json.at("connect_ms").get<double>());
  result.timings.tls = from_ms(json.at("tls_ms").get<double>());
  result.timings.first_byte = from_ms(json.at("first_byte_ms").get<double>());
  result.timings.total = from_ms(json.at("total_ms").get<double>());
  if (!parse_error_kind(json.at("error").get<std::string>(), result.error)) result.error = ErrorKind::protocol;
  // Written before stages were: none, as is an unknown name from a later version.
  if (!parse_fetch_stage(json.value("stage", std::string("none")), result.stage)) result.stage = FetchStage::none;
  // "cause" is the error code's message alone: its value and category cannot be read back from
  // it, so result.cause stays empty.
  result.message = json.at("message").get<std::string>();
  // The header fields are not in the JSON, only their media type: kept as a Content-Type field.
  if (const auto type = json.value("content_type", std::string()); !type.empty())
    result.headers.add("Content-Type", type);
  result.warning = json.value("warning", std::string());
  return result;
}

nlohmann::json report_to_json(const RunReport& report) {
  return {
      {"strategy", report.strategy},
      {"wall_s", report.wall_seconds()},
      {"cpu_user_s", report.cpu_user_s},
      {"cpu_sys_s", report.cpu_sys_s},
      {"requests", report.requests},
      {"ok", report.ok},
      {"failed", report.failed},
      {"bytes", report.bytes},
      {"req_per_s", report.requests_per_second()},
      {"p50_ms", report.latency.p50 * 1e3},
      {"p95_ms", report.latency.p95 * 1e3},
      {"p99_ms", report.latency.p99 * 1e3},
      {"max_ms", report.latency.max * 1e3},
      {"mean_ms", report.latency.mean * 1e3},
      {"latency_count", report.latency.count},
      {"connections_opened", report.connections_opened},
      {"tls_handshakes", report.tls_handshakes},
      {"tls_resumed", report.tls_resumed},
      {"peak_threads", report.peak_threads},
      {"peak_rss_kb", report.peak_rss_kb},
  };
}

RunReport report_from_json(const nlohmann::json& json) {
  RunReport report;
  report.strategy = json.at("strategy").get<std::string>();
  report.wall = std::chrono::nanoseconds(std::llround(json.at("wall_s").get<double>() * 1e9));
  report.cpu_user_s = json.at("cpu_user_s").get<double>();
  report.cpu_sys_s = json.at("cpu_sys_s").get<double>();
  report.requests = json.at("requests").get<std::size_t>();
  report.ok = json.at("ok").get<std::size_t>();
  report.failed = json.at("failed").get<std::size_t>();
  report.bytes = json.at("bytes").get<std::uint64_t>();
  report.latency.p50 = json.at("p50_ms").get<double>() / 1e3;
  report.latency.p95 = json.at("p95_ms").get<double>() / 1e3;
  report.latency.p99 = json.at("p99_ms").get<double>() / 1e3;
  report.latency.max = json.at("max_ms").get<double>() / 1e3;
  report.latency.mean = json.at("mean_ms").get<double>() / 1e3;
  report.latency.count = json.at("latency_count").get<std::size_t>();
  report.connections_opened = json.value("connections_opened", std::uint64_t{0});
  report.tls_handshakes = json.value("tls_handshakes", std::uint64_t{0});
  report.tls_resumed = json.value("tls_resumed", std::uint64_t{0});
  report.peak_threads = json.at("peak_threads").get<unsigned>();
  report.peak_rss_kb = json.at("peak_rss_kb").get<long>();
  return report;
}

}  // namespace fetcher::cli
