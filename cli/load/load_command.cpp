// load_command.cpp: `fetcher load URL`, throughput mode: parse -> validate -> run -> print.
#include "commands.hpp"
#include "common/output_flags.hpp"
#include "common/run_metadata.hpp"
#include "common/terminal_style.hpp"
#include "common/units.hpp"

#include <fetcher/bench/load_run.hpp>
#include <fetcher/run.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace fetcher::cli {
namespace {

using bench::LoadConfig;
using bench::LoadReport;

constexpr const char* load_examples = R"(
Each of the -c connections is one coroutine issuing requests back to back over a kept-alive
connection, through the same client as every strategy. Reported: requests/s, latency
percentiles, and the client's CPU (user + system, all threads) per request.

Examples:
  fetcher load http://127.0.0.1:8080/ -c 32 -n 100k       # 100000 requests over 32 connections
  fetcher load http://127.0.0.1:8080/ -c 64 -d 10s --threads 2
  fetcher load https://localhost:8443/ --cacert ca.pem -c 16 -n 20k --format json --output load.json
)";

// A count of at least one, with units ("100k"); errors name the flag.
std::uint64_t positive_count(const char* flag, const std::string& text) {
  const auto count = parse_count(flag, text);
  if (count < 1) throw std::invalid_argument(std::string(flag) + ": must be at least 1");
  return count;
}

LoadConfig validate(const LoadArgs& args) {
  LoadConfig config;
  config.url = args.url;
  const auto connections = positive_count("-c", args.connections);
  if (connections > 100000) throw std::invalid_argument("-c: at most 100000 connections");
  config.connections = static_cast<unsigned>(connections);
  if (args.threads < 1 || args.threads > 256) throw std::invalid_argument("--threads: expected 1 to 256");
  config.threads = args.threads;
  if (!args.duration.empty()) {
    config.duration = parse_duration("-d", args.duration);
    if (config.duration.count() <= 0) throw std::invalid_argument("-d: must be more than zero");
  }
  if (!args.requests.empty())
    config.requests = positive_count("-n", args.requests);
  else if (args.duration.empty())
    config.requests = 10000;  // always bounded
  if (args.format != "table" && args.format != "json") {
    throw std::invalid_argument("--format: expected table or json, not '" + args.format + "'");
  }
  return config;
}

std::string per_second(double value) {
  char text[32];
  std::snprintf(text, sizeof text, value >= 100 ? "%.0f" : "%.1f", value);
  return text;
}

void print_table(std::ostream& out, const LoadConfig& config, const LoadReport& report) {
  out << "load " << printable(config.url) << ": " << config.connections << " connection"
      << (config.connections == 1 ? "" : "s") << ", " << config.threads << " thread" << (config.threads == 1 ? "" : "s")
      << "\n";
  out << "  requests    " << report.requests << " in " << format_seconds(report.wall_seconds()) << ": "
      << per_second(report.requests_per_second()) << " req/s (" << report.ok << " ok, " << report.failed
      << " failed)\n";
  const auto& latency = report.latency;
  out << "  latency     p50 " << format_seconds(latency.p50) << ", p95 " << format_seconds(latency.p95) << ", p99 "
      << format_seconds(latency.p99) << ", max " << format_seconds(latency.max) << "\n";
  out << "  client cpu  " << format_seconds(report.cpu_user_s + report.cpu_sys_s) << " (user "
      << format_seconds(report.cpu_user_s) << ", sys " << format_seconds(report.cpu_sys_s)
      << "): " << format_seconds(report.cpu_per_request()) << " per request\n";
  out << "  transfer    " << format_bytes(report.body_bytes) << " of bodies; " << report.connections_opened
      << " connection" << (report.connections_opened == 1 ? "" : "s") << " opened, " << report.tls_handshakes
      << " TLS handshake" << (report.tls_handshakes == 1 ? "" : "s");
  if (report.tls_resumed > 0) out << " (" << report.tls_resumed << " resumed)";
  out << "\n";
  if (!report.errors.empty()) {
    // The count before its kind, as on the requests line: "200 http-status", never "http-status 200",
    // which reads as a status code.
    out << "  errors      ";
    const char* separator = "";
    for (const auto& [kind, count] : report.errors) {
      out << separator << count << " " << kind;
      separator = ", ";
    }
    out << " (e.g. " << printable(report.first_error) << ")\n";
  }
}

void print_json(std::ostream& out, const LoadArgs& args, const LoadConfig& config, const LoadReport& report,
                std::chrono::system_clock::time_point started) {
  const nlohmann::json options = {{"url", args.url},           {"connections", args.connections},
                                  {"requests", args.requests}, {"duration", args.duration},
                                  {"threads", args.threads},   {"client", client_options_json(args.client)}};
  nlohmann::json json = {
      {"version", 1},
      {"metadata", run_metadata(started, options)},
      {"url", config.url},
      {"connections", config.connections},
      {"threads", config.threads},
      {"requests", report.requests},
      {"ok", report.ok},
      {"failed", report.failed},
      {"errors", report.errors},
      {"wall_s", report.wall_seconds()},
      {"req_per_s", report.requests_per_second()},
      {"latency_ms",
       {{"mean", report.latency.mean * 1e3},
        {"p50", report.latency.p50 * 1e3},
        {"p95", report.latency.p95 * 1e3},
        {"p99", report.latency.p99 * 1e3},
        {"max", report.latency.max * 1e3}}},
      {"cpu_user_s", report.cpu_user_s},
      {"cpu_sys_s", report.cpu_sys_s},
      {"cpu_us_per_request", report.cpu_per_request() * 1e6},
      {"body_bytes", report.body_bytes},
      {"wire_bytes", report.wire_bytes},
      {"connections_opened", report.connections_opened},
      {"tls_handshakes", report.tls_handshakes},
      {"tls_resumed", report.tls_resumed},
  };
  out << round_floats(std::move(json)).dump() << "\n";
}

}  // namespace

void LoadArgs::add_to(CLI::App& app) {
  app.footer(load_examples);
  app.add_option("url", url, "The URL to fetch again and again")->required();
  app.add_option("-c,--connections", connections, "Kept-alive connections, each one coroutine (e.g. 32, 1k)")
      ->capture_default_str();
  app.add_option("-n,--requests", requests, "Requests in all (default 10k when no -d)");
  app.add_option("-d,--duration", duration, "Stop issuing requests after this long, e.g. 10s");
  app.add_option("--threads", threads, "Event loops, one thread each; connections are spread over them")
      ->capture_default_str();
  app.add_option("--format", format, "table or json")->capture_default_str();
  app.add_option("--output", output, "Write the report to this file instead of standard output");
  client.add_to(app);
}

int load_command(const LoadArgs& args) {
  const auto started = std::chrono::system_clock::now();
  const auto config = validate(args);
  auto options = args.client.to_options();
  if (args.client.insecure) std::cerr << "fetcher: warning: --insecure: TLS certificates are NOT verified\n";
  // Every worker's connection must stay in the loop's idle pool between two of its requests.
  options.max_idle_per_host = std::max(options.max_idle_per_host, config.connections);
  options.body_digest = false;  // a load run counts bytes; nobody reads the digest
  raise_open_files_limit();
  std::ofstream report_file;  // opened before the run, so a bad path fails at once
  if (!args.output.empty()) open_report_file(report_file, args.output);
  std::ostream& out = args.output.empty() ? std::cout : report_file;
  Client client(options);
  const auto report = bench::run_load(config, client);
  if (args.format == "json")
    print_json(out, args, config, report, started);
  else
    print_table(out, config, report);
  return report.failed == 0 ? exit_ok : exit_some_failed;
}

}  // namespace fetcher::cli
