// html_tokens.hpp: the small string rules HTML attributes follow (HTML whitespace, ASCII
// case-insensitive names, space- or comma-separated token lists), for the link extractor and
// for the benchmark that holds other parsers to the same rules.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>

namespace fetcher::crawl::html {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// True when `list`, split at any of `separators` (each token trimmed of HTML whitespace), holds
// one of `wanted` (compared case-insensitively).
inline bool has_token(std::string_view list, std::string_view separators,
                      std::initializer_list<std::string_view> wanted) {
  while (!list.empty()) {
    const auto end = list.find_first_of(separators);
    const auto token = trim(list.substr(0, end));
    for (const auto word : wanted) {
      if (equals_ignoring_case(token, word)) return true;
    }
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace fetcher::crawl::html
