// text_lines.hpp: a program's output split into lines, for tests that read what a command printed.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace fetcher::testing {

// The lines of `text`, without their '\n'; a last line without one is kept.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace fetcher::testing
