// run_metadata.cpp: the run's metadata for reports, read from the process, /proc and uname.
#include "common/run_metadata.hpp"

#include "common/build_info.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <sched.h>
#include <sys/utsname.h>

namespace fetcher::cli {
namespace {

std::vector<std::string>& command_line_store() {
  static std::vector<std::string> arguments;
  return arguments;
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// CPUs this process may run on (its affinity), else the machine's.
unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  return std::thread::hardware_concurrency();
}

}  // namespace

void record_command_line(int argc, const char* const* argv) {
  auto& arguments = command_line_store();
  arguments.assign(argv, argv + argc);
}

const std::vector<std::string>& recorded_command_line() { return command_line_store(); }

std::string cpu_model_from_cpuinfo(const std::string& cpuinfo) {
  // x86 says "model name"; some ARM kernels "Model" or "Hardware", MIPS "cpu model".
  for (const char* key : {"model name", "Model", "cpu model", "Hardware"}) {
    std::istringstream lines(cpuinfo);
    for (std::string line; std::getline(lines, line);) {
      const auto colon = line.find(':');
      if (colon == std::string::npos || trimmed(line.substr(0, colon)) != key) continue;
      if (auto value = trimmed(line.substr(colon + 1)); !value.empty()) return value;
    }
  }
  return "unknown";
}

HostInfo host_info() {
  HostInfo host;
  std::ifstream file("/proc/cpuinfo");
  std::ostringstream text;
  text << file.rdbuf();
  host.cpu_model = cpu_model_from_cpuinfo(text.str());
  host.cores = usable_cores();
  utsname names{};
  host.kernel =
      ::uname(&names) == 0 ? std::string(names.sysname) + " " + names.release + " " + names.machine : "unknown";
  return host;
}

std::string utc_iso8601(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

nlohmann::json run_metadata(std::chrono::system_clock::time_point started, nlohmann::json options) {
  const auto host = host_info();
  return {{"tool", "fetcher"},
          {"version", fetcher_version()},
          {"started", utc_iso8601(started)},
          {"command_line", recorded_command_line()},
          {"host", {{"cpu_model", host.cpu_model}, {"cores", host.cores}, {"kernel", host.kernel}}},
          {"options", std::move(options)}};
}

nlohmann::json client_options_json(const ClientFlags& client) {
  return {{"connect-timeout", client.connect_timeout},
          {"tls-timeout", client.tls_timeout},
          {"first-byte-timeout", client.first_byte_timeout},
          {"timeout", client.total_timeout},
          {"body-limit", client.body_limit},
          {"max-redirects", client.max_redirects},
          {"user-agent", client.user_agent},
          {"cacert", client.cacert},
          {"insecure", client.insecure},
          {"allow-https-downgrade", client.allow_https_downgrade},
          {"keep-alive", client.keep_alive},
          {"tls-resume", client.tls_resume},
          {"max-per-host", client.max_per_host},
          {"min-interval", client.min_interval},
          {"retries", client.retries},
          {"retry-base", client.retry_base},
          {"proxy", client.proxy},
          {"no-proxy", client.no_proxy},
          {"connect-to", client.connect_to}};
}

nlohmann::json round_floats(nlohmann::json json, int significant) {
  if (json.is_number_float()) {
    const double value = json.get<double>();
    if (!std::isfinite(value)) return json;
    // Printed with that many digits and read back: the shortest double that prints so.
    char text[40];
    std::snprintf(text, sizeof text, "%.*g", significant, value);
    return std::strtod(text, nullptr);
  }
  if (json.is_structured()) {
    for (auto& item : json) item = round_floats(std::move(item), significant);
  }
  return json;
}

}  // namespace fetcher::cli
