// origin_process.hpp: the emulated origin running as `fetcher serve --control` in its own
// process, so the client measured beside it pays none of its CPU or memory: started from a
// sites file, asked for its counters over the control protocol (origin/control.hpp), and told to
// quit on destruction.
#pragma once

#include "common/child_process.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fetcher::cli {

class OriginProcess {
 public:
  // Throws InternalError when the origin does not start.
  OriginProcess(const std::string& sites_path, const std::vector<std::string>& environment);
  ~OriginProcess();
  OriginProcess(const OriginProcess&) = delete;
  OriginProcess& operator=(const OriginProcess&) = delete;

  // One control command ("stats", "reset", "paths") and its answer.
  nlohmann::json command(const std::string& name);

  // --connect-to rules sending every host's ports 80 and 443 to the origin (a faulty site's to
  // its own ports first).
  std::vector<std::string> connect_to_rules() const;
  const std::string& ca_file() const { return ca_file_; }
  unsigned http_port() const { return http_port_; }

 private:
  ChildProcess process_;
  unsigned http_port_ = 0;
  unsigned https_port_ = 0;
  std::vector<std::string> site_rules_;
  std::string ca_file_;
};

}  // namespace fetcher::cli
