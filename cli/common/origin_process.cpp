// origin_process.cpp: see origin_process.hpp.
#include "common/origin_process.hpp"

#include "commands.hpp"

namespace fetcher::cli {

OriginProcess::OriginProcess(const std::string& sites_path, const std::vector<std::string>& environment)
    : process_({self_executable(), "serve", "--sites", sites_path, "--control"}, environment) {
  std::string line;
  if (!process_.read_line(line)) throw InternalError("the emulated origin did not start (see above)");
  const auto ready = nlohmann::json::parse(line);
  http_port_ = ready.at("http_port").get<unsigned>();
  https_port_ = ready.at("https_port").get<unsigned>();
  ca_file_ = ready.at("ca_file").get<std::string>();
  // Faulty sites (refuse, TLS faults) listen on ports of their own; their rules come first.
  for (const auto& site : ready.value("site_ports", nlohmann::json::array())) {
    const auto host = site.at("host").get<std::string>();
    site_rules_.push_back(host + ":80:127.0.0.1:" + std::to_string(site.at("http_port").get<unsigned>()));
    site_rules_.push_back(host + ":443:127.0.0.1:" + std::to_string(site.at("https_port").get<unsigned>()));
  }
}

OriginProcess::~OriginProcess() {
  try {
    process_.write_line("quit");
  } catch (const std::exception&) {
    // Already gone; the destructor of process_ reaps it.
  }
}

nlohmann::json OriginProcess::command(const std::string& name) {
  process_.write_line(name);
  std::string line;
  if (!process_.read_line(line)) throw InternalError("the emulated origin stopped unexpectedly");
  return nlohmann::json::parse(line);
}

std::vector<std::string> OriginProcess::connect_to_rules() const {
  auto rules = site_rules_;
  rules.push_back(":80:127.0.0.1:" + std::to_string(http_port_));
  rules.push_back(":443:127.0.0.1:" + std::to_string(https_port_));
  return rules;
}

}  // namespace fetcher::cli
