// terminal_style.cpp: colour and charset detection, ANSI painting, widths and word wrapping.
#include "common/terminal_style.hpp"

#include <cctype>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <sys/ioctl.h>
#include <unistd.h>

namespace fetcher::cli {
namespace {

// NO_COLOR (no-color.org): present and not empty disables colour unless --color always.
bool no_color_requested() {
  const char* value = std::getenv("NO_COLOR");
  return value != nullptr && *value != '\0';
}

// The locale the user runs under, as the C library would choose it: LC_ALL, LC_CTYPE, LANG.
bool locale_is_utf8() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    std::string text(value);
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text.find("utf-8") != std::string::npos || text.find("utf8") != std::string::npos;
  }
  return false;
}

const char* escape_code(Paint effect) {
  switch (effect) {
    case Paint::bold: return "\033[1m";
    case Paint::dim: return "\033[2m";
    case Paint::green: return "\033[32m";
    case Paint::red: return "\033[31m";
    case Paint::yellow: return "\033[33m";
    case Paint::cyan: return "\033[36m";
    case Paint::bold_green: return "\033[1;32m";
  }
  return "";
}

// Length of the ANSI escape sequence starting at `at` (ESC [ ... final byte), or 0.
std::size_t escape_length(std::string_view text, std::size_t at) {
  if (text[at] != '\033' || at + 1 >= text.size() || text[at + 1] != '[') return 0;
  std::size_t end = at + 2;
  while (end < text.size() && !(text[end] >= '@' && text[end] <= '~')) ++end;
  return end < text.size() ? end - at + 1 : text.size() - at;
}

// COLUMNS as a number of columns, or 0 when unset, empty, zero or not a plain number.
std::size_t columns_requested() {
  const char* value = std::getenv("COLUMNS");
  if (value == nullptr || *value == '\0') return 0;
  std::size_t columns = 0;
  for (const char* c = value; *c != '\0'; ++c) {
    if (!std::isdigit(static_cast<unsigned char>(*c)) || columns > 100000) return 0;
    columns = columns * 10 + static_cast<std::size_t>(*c - '0');
  }
  return columns;
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

ColorMode parse_color_mode(std::string_view text) {
  if (text == "auto") return ColorMode::automatic;
  if (text == "always") return ColorMode::always;
  if (text == "never") return ColorMode::never;
  throw std::invalid_argument("--color: unknown value '" + std::string(text) + "' (expected auto, always or never)");
}

bool is_terminal(int fd) { return fd >= 0 && isatty(fd) == 1; }

Style detect_style(ColorMode mode, int fd) {
  Style style;
  const bool terminal = is_terminal(fd);
  style.color = mode == ColorMode::always || (mode == ColorMode::automatic && terminal && !no_color_requested());
  style.unicode = locale_is_utf8() && (terminal || mode == ColorMode::always);
  style.columns = terminal_columns(fd, 0);
  return style;
}

std::size_t terminal_columns(int fd, std::size_t fallback) {
  if (fd < 0) return fallback;
  if (const auto asked = columns_requested(); asked > 0) return asked;
  winsize size{};
  if (!is_terminal(fd) || ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return fallback;
  return size.ws_col;
}

std::string paint(const Style& style, Paint effect, std::string_view text) {
  if (!style.color || text.empty()) return std::string(text);
  return escape_code(effect) + std::string(text) + "\033[0m";
}

std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::size_t display_width(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (const auto skip = escape_length(text, i); skip > 0) {
      i += skip;
      continue;
    }
    if (!is_continuation_byte(text[i])) ++columns;
    ++i;
  }
  return columns;
}

std::string truncate_to_width(std::string_view text, std::size_t columns) {
  std::string out;
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (const auto skip = escape_length(text, i); skip > 0) {
      out.append(text.substr(i, skip));
      i += skip;
      continue;
    }
    if (!is_continuation_byte(text[i])) {
      if (used == columns) break;
      ++used;
    }
    out += text[i++];
  }
  // A cut inside a painted span must not leave the terminal painted.
  if (out.size() < text.size() && out.find('\033') != std::string::npos) out += "\033[0m";
  return out;
}

namespace {

// "ms" after "758": a unit stays on the line of its number ("758 ms)," included).
bool is_unit_after(const std::string& previous, const std::string& word) {
  if (previous.empty() || !std::isdigit(static_cast<unsigned char>(previous.back()))) return false;
  std::size_t letters = 0;
  while (letters < word.size() && std::isalpha(static_cast<unsigned char>(word[letters]))) ++letters;
  const auto unit = word.substr(0, letters);
  for (const char* known : {"us", "ms", "s", "B", "KB", "MB", "GB", "KiB", "MiB", "GiB", "req", "conn"}) {
    if (unit == known) return true;
  }
  return false;
}

// The words of `text`, with each unit glued to the number before it.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  std::string word;
  while (in >> word) {
    if (!words.empty() && is_unit_after(words.back(), word)) {
      words.back() += " " + word;
    } else {
      words.push_back(word);
    }
  }
  return words;
}

}  // namespace

std::vector<std::string> wrap_words(std::string_view text, std::size_t width, std::string_view indent) {
  std::vector<std::string> lines;
  std::string line;
  for (const auto& word : words_of(text)) {
    const std::size_t needed = display_width(line) + (line.empty() || line == indent ? 0 : 1) + display_width(word);
    if (!line.empty() && line != indent && needed > width) {
      lines.push_back(line);
      line = std::string(indent);
    }
    if (!line.empty() && line != indent) line += ' ';
    line += word;
  }
  if (!line.empty() && line != indent) lines.push_back(line);
  return lines;
}

}  // namespace fetcher::cli
