// result_json.cpp: JSON (de)serialisation of results and reports.
#include "common/result_json.hpp"

#include <fetcher/fetch_result_fields.hpp>

#include <cmath>
#include <string>
#include <type_traits>

namespace fetcher::cli {
namespace {

// One field in JSON, by its type; the fields, their keys and which are optional are
// fields_of(FetchResult) in <fetcher/fetch_result_fields.hpp>. Text, numbers and flags are
// themselves; any other type has its own overload (an enum is not written as its number).
template <class Value>
concept PlainJsonValue = std::is_arithmetic_v<Value> || std::is_same_v<Value, std::string>;

template <PlainJsonValue Value>
nlohmann::json json_of(const Value& value) {
  return value;
}
nlohmann::json json_of(std::chrono::nanoseconds value) {
  return std::chrono::duration<double, std::milli>(value).count();
}
nlohmann::json json_of(ErrorKind value) { return std::string(to_string(value)); }
nlohmann::json json_of(FetchStage value) { return std::string(to_string(value)); }
nlohmann::json json_of(const std::error_code& value) { return value.message(); }
nlohmann::json json_of(const HeaderFields& value) { return value.content_type(); }

// Whether a when_set field is written.
template <class Value>
bool is_set(const Value& value) {
  return value != Value{};
}
bool is_set(const std::error_code& value) { return static_cast<bool>(value); }

template <PlainJsonValue Value>
void read_json(const nlohmann::json& json, Value& value) {
  json.get_to(value);
}
void read_json(const nlohmann::json& json, std::chrono::nanoseconds& value) {
  value = std::chrono::nanoseconds(std::llround(json.get<double>() * 1e6));
}
// An unknown name (from a later version) is a failure of some kind all the same.
void read_json(const nlohmann::json& json, ErrorKind& value) {
  if (!parse_error_kind(json.get<std::string>(), value)) value = ErrorKind::protocol;
}
// An unknown name (from a later version) reads as none, as does a record from before stages.
void read_json(const nlohmann::json& json, FetchStage& value) {
  if (!parse_fetch_stage(json.get<std::string>(), value)) value = FetchStage::none;
}
// The cause is the error code's message alone: its value and category cannot be read back from
// it, so the code stays empty.
void read_json(const nlohmann::json&, std::error_code&) {}
// Only the media type is in JSON: kept as a Content-Type field.
void read_json(const nlohmann::json& json, HeaderFields& value) {
  if (const auto type = json.get<std::string>(); !type.empty()) value.add("Content-Type", type);
}

}  // namespace

std::string json_line(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json result_to_json(const FetchResult& result) {
  nlohmann::json json = nlohmann::json::object();
  for_each_field(result, [&](const FieldInfo& field, const auto& member) {
    if (field.json == JsonPresence::absent || (field.json == JsonPresence::when_set && !is_set(member))) return;
    json[std::string(field.name)] = json_of(member);
  });
  json["ok"] = result.ok();
  return json;
}

FetchResult result_from_json(const nlohmann::json& json) {
  FetchResult result;
  for_each_field(result, [&](const FieldInfo& field, auto& member) {
    if (field.json == JsonPresence::absent) return;
    const std::string key(field.name);
    if (field.json == JsonPresence::required) {
      read_json(json.at(key), member);
    } else if (const auto found = json.find(key); found != json.end()) {
      read_json(*found, member);
    }
  });
  // Written before wire_bytes was: the body came as it was sent.
  if (!json.contains("wire_bytes")) result.wire_bytes = result.body_bytes;
  return result;
}

nlohmann::json report_to_json(const RunReport& report, const bench::ProcessUsage& usage) {
  return {
      {"strategy", report.strategy},
      {"wall_s", report.wall_seconds()},
      {"cpu_user_s", usage.cpu_user_s},
      {"cpu_sys_s", usage.cpu_sys_s},
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
      {"peak_rss_kb", usage.peak_rss_kb},
  };
}

RunReport report_from_json(const nlohmann::json& json) {
  RunReport report;
  report.strategy = json.at("strategy").get<std::string>();
  report.wall = std::chrono::nanoseconds(std::llround(json.at("wall_s").get<double>() * 1e9));
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
  return report;
}

bench::ProcessUsage usage_from_json(const nlohmann::json& json) {
  bench::ProcessUsage usage;
  usage.cpu_user_s = json.at("cpu_user_s").get<double>();
  usage.cpu_sys_s = json.at("cpu_sys_s").get<double>();
  usage.peak_rss_kb = json.at("peak_rss_kb").get<long>();
  return usage;
}

}  // namespace fetcher::cli
