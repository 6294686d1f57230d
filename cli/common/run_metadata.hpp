// run_metadata.hpp: what a report says about the run that made it: the tool's version, when it
// started (UTC), the command line, the machine (CPU model, cores, kernel) and the options in
// effect, so two reports can be told apart. Also the rounding of a report's floats.
#pragma once

#include "common/client_flags.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace fetcher::cli {

// Kept by main() before parsing, for the reports' "command_line".
void record_command_line(int argc, const char* const* argv);
const std::vector<std::string>& recorded_command_line();

struct HostInfo {
  std::string cpu_model;  // /proc/cpuinfo's "model name" (or its nearest field); "unknown" when absent
  unsigned cores = 0;     // logical CPUs this process may run on
  std::string kernel;     // uname: "Linux 6.1.0-18-amd64 x86_64"
};
HostInfo host_info();
// The first "model name", "Model", "cpu model" or "Hardware" value of a /proc/cpuinfo text.
std::string cpu_model_from_cpuinfo(const std::string& cpuinfo);

// "2026-12-05T13:36:13Z": ISO 8601 in UTC, whole seconds.
std::string utc_iso8601(std::chrono::system_clock::time_point time);

// {"tool": "fetcher", "version", "started", "command_line": [...], "host": {"cpu_model", "cores",
// "kernel"}, "options": options}.
nlohmann::json run_metadata(std::chrono::system_clock::time_point started, nlohmann::json options);

// The client flags in effect as an object: {"connect-timeout": "5s", ..., "insecure": false,
// "connect-to": [...]}, named as on the command line.
nlohmann::json client_options_json(const ClientFlags& client);

// `json` with every floating-point number rounded to `significant` digits (0.007280999999999999
// becomes 0.007281); integers, strings and the structure stay as they are.
nlohmann::json round_floats(nlohmann::json json, int significant = 6);

}  // namespace fetcher::cli
