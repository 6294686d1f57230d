// process_origin.hpp: the emulated origin in a process of its own (`fetcher serve --control`,
// the way `fetcher bench` runs it), for tests of processes:N.
//
// processes:N forks the caller, and a fork is only safe while no other thread of the caller is
// inside a lock the children will need (run.hpp). An in-process TestOrigin's thread may be
// anywhere at that moment, typically in malloc; glibc's malloc survives that, but the allocator
// of GCC 12's AddressSanitizer has no fork handlers, and workers forked that way hung on its
// copied lock. With the origin in another process the test process forks with one thread.
#pragma once

#include <fetcher/fetch_options.hpp>
#include <fetcher/origin/server.hpp>
#include <fetcher/origin/sites.hpp>

#include <string>
#include <vector>

#include <sys/types.h>

namespace fetcher::testing {

class ProcessOrigin {
 public:
  // Starts FETCHER_CLI_PATH-style `serve --control` from `fetcher_path` with the sites in
  // `sites_toml` and waits for its ready line. Throws std::runtime_error if it does not start.
  ProcessOrigin(const std::string& fetcher_path, const std::string& sites_toml);
  ~ProcessOrigin();  // asks it to quit, and kills it if it has not ended within 5 s
  ProcessOrigin(const ProcessOrigin&) = delete;
  ProcessOrigin& operator=(const ProcessOrigin&) = delete;

  FetchOptions client_options() const;  // as TestOrigin::client_options()
  std::string expected_digest(const std::string& host, const std::string& path) const;

  std::vector<origin::HostStats> stats();  // what it saw since start or the last reset()
  void reset();

  pid_t pid() const { return pid_; }

 private:
  std::string command(const std::string& line);  // sends one line, returns the answer line
  std::string read_line();

  origin::SiteSet sites_;
  std::string sites_file_;
  pid_t pid_ = -1;
  int to_origin_ = -1;
  int from_origin_ = -1;
  std::string pending_;  // read past the last line
  std::uint16_t http_port_ = 0;
  std::uint16_t https_port_ = 0;
  std::string ca_file_;
  std::vector<origin::SitePorts> site_ports_;
};

// The processes whose parent is this one, zombies included (read from /proc).
std::vector<pid_t> child_processes();

}  // namespace fetcher::testing
