// child_process.hpp: a program started in the background by a test (a crawl worker, a Redis
// server), its stdout and stderr kept in files, waited for with a time limit, killed on demand;
// the destructor kills and reaps it if it still runs, so a failing test leaves nothing behind.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace fetcher::testing {

class ChildProcess {
 public:
  // Starts arguments[0] (a path) with the rest as its arguments. Throws std::runtime_error.
  explicit ChildProcess(const std::vector<std::string>& arguments);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The exit code (128 + signal when killed) once it has ended within `limit`; nothing if not.
  std::optional<int> wait_for(std::chrono::milliseconds limit);
  bool running();
  void kill(int signal);
  pid_t pid() const { return pid_; }
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string out_path_;
  std::string err_path_;
};

}  // namespace fetcher::testing
