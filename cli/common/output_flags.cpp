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

std::string save_directory(std::vector<std::string>& notes, std::string_view command, const std::string& save,
                           const std::string& old_o, const std::string& old_output_dir) {
  std::string directory = save;
  if (take_old_spelling(notes, command, !old_o.empty(), "-o", !save.empty() || !old_output_dir.empty(),
                        save.empty() ? "--output-dir" : "--save", "--save")) {
    directory = old_o;
  }
  if (take_old_spelling(notes, command, !old_output_dir.empty(), "--output-dir", !save.empty(), "--save", "--save")) {
    directory = old_output_dir;
  }
  return directory;
}

void open_report_file(std::ofstream& file, const std::string& path) {
  file.open(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("--output " + cannot_write(path));
}

}  // namespace fetcher::cli
