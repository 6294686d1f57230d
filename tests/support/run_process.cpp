// run_process.cpp: fork/exec with stdin from a string and stdout/stderr into temporary files.
#include "run_process.hpp"

#include "sanitizer_scale.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fetcher::testing {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

ProcessOutcome run_process(const std::vector<std::string>& arguments, const std::string& input,
                           std::chrono::seconds limit) {
  char in_path[] = "/tmp/fetcher-test-in-XXXXXX";
  char out_path[] = "/tmp/fetcher-test-out-XXXXXX";
  char err_path[] = "/tmp/fetcher-test-err-XXXXXX";
  const int in_fd = mkstemp(in_path);
  const int out_fd = mkstemp(out_path);
  const int err_fd = mkstemp(err_path);
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) throw std::runtime_error("mkstemp failed");
  if (!input.empty() && write(in_fd, input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
    throw std::runtime_error("cannot write child input");
  }
  lseek(in_fd, 0, SEEK_SET);

  std::vector<char*> argv;
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in_fd);
  close(out_fd);
  close(err_fd);

  ProcessOutcome outcome;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + scaled(limit);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      outcome.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  outcome.out = read_all(out_path);
  outcome.err = read_all(err_path);
  unlink(in_path);
  unlink(out_path);
  unlink(err_path);
  return outcome;
}

}  // namespace fetcher::testing
