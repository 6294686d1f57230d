// child_process.hpp: a child process of our own binary with its stdin and stdout on pipes.
//
// The bench runs the origin and each measured strategy in children so that the kernel's
// accounting (CPU, peak RSS) belongs to one strategy alone. The parent stays single-threaded.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace fetcher::cli {

class ChildProcess {
 public:
  // Starts `arguments[0]` (a path) with the rest as argv, with no signal blocked and SIGINT and
  // SIGTERM at their defaults whatever the parent blocks: Ctrl-C at a terminal reaches the whole
  // process group, and a child must die of it. The child gets this process's environment with
  // `environment` ("NAME=value" entries) added, each replacing a variable of its name. Throws
  // std::runtime_error.
  explicit ChildProcess(const std::vector<std::string>& arguments, const std::vector<std::string>& environment = {});
  ~ChildProcess();  // closes the pipes, kills a child still running, reaps it
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void write_line(const std::string& line);  // appends '\n'; throws if the child is gone
  bool read_line(std::string& line);         // false at end of output
  void close_input();
  int wait();  // exit code, or 128 + signal
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int input_ = -1;   // child's stdin
  int output_ = -1;  // child's stdout
  std::string buffer_;
  bool reaped_ = false;
  int status_ = 0;
};

// The path of the running executable (/proc/self/exe), for starting ourselves again.
std::string self_executable();

}  // namespace fetcher::cli
