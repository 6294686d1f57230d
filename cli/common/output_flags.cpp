// output_flags.cpp: the deprecation notes and the conflict errors of the old output spellings.
#include "common/output_flags.hpp"

#include "common/saved_bodies.hpp"

#include <fstream>
#include <stdexcept>

namespace fetcher::cli {

std::string deprecation_note(std::string_view command, std::string_view old_flag, std::string_view instead) {
  return "fetcher " + std::string(command) + ": " + std::string(old_flag) + " is deprecated; use " +
         std::string(instead);
}

bool take_old_spelling(std::vector<std::string>& notes, std::string_view command, bool old_given,
                       std::string_view old_flag, bool new_given, std::string_view new_flag, std::string_view instead) {
  if (!old_given) return false;
  if (new_given) {
    throw std::invalid_argument(std::string(command) + ": " + std::string(old_flag) + " and " + std::string(new_flag) +
                                " cannot be used together (" + std::string(old_flag) + " is the old spelling of " +
                                std::string(instead) + ")");
  }
  notes.push_back(deprecation_note(command, old_flag, instead));
  return true;
}

void open_report_file(std::ofstream& file, const std::string& path) {
  file.open(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("--output " + cannot_write(path));
}

}  // namespace fetcher::cli
