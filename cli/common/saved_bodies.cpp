// saved_bodies.cpp: see saved_bodies.hpp.
#include "common/saved_bodies.hpp"

#include "common/terminal_style.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace fetcher::cli {

std::string safe_file_name(std::uint64_t number, std::size_t width, std::string_view url) {
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  std::string name = std::to_string(number);
  if (name.size() < width) name.insert(0, width - name.size(), '0');
  name += "-";
  for (char c : url.substr(0, 150)) {
    const bool safe =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    name += safe ? c : '_';
  }
  while (!name.empty() && (name.back() == '_' || name.back() == '.')) name.pop_back();
  return name;
}

std::string cannot_write(const std::string& path) {
  const int error = errno;
  return path + ": cannot write" + (error != 0 ? ": " + std::string(std::strerror(error)) : std::string());
}

std::string save_body(const std::filesystem::path& path, std::string_view body) {
  std::ofstream file(path, std::ios::binary);
  file.write(body.data(), static_cast<std::streamsize>(body.size()));
  if (!file) {
    std::cerr << "fetcher: " << printable(cannot_write(path.string())) << "\n";
    return {};
  }
  return path.string();
}

}  // namespace fetcher::cli
