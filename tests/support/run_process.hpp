// run_process.hpp: run a command to completion and capture its exit code, stdout and stderr,
// for tests of the `fetcher` executable. A time limit (stretched by sanitizer_scale()) keeps a
// hung child from hanging the suite.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace fetcher::testing {

struct ProcessOutcome {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
  bool timed_out = false;
};

ProcessOutcome run_process(const std::vector<std::string>& arguments, const std::string& input = {},
                           std::chrono::seconds limit = std::chrono::seconds(60));

}  // namespace fetcher::testing
