// robots.cpp: see robots.hpp. The parser keeps only the rules of the group that applies to the
// crawler; allowed() normalises the target (on the stack when short) and takes the first rule, in
// longest-first order, whose pattern matches, using a wildcard matcher that never backtracks.
#include <fetcher/crawl/robots.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

namespace fetcher::crawl {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds max_crawl_delay{60'000};
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view robots_txt_path = "/robots.txt";
constexpr char upper_hex[] = "0123456789ABCDEF";

bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

// RFC 3986 2.3: the characters whose escapes are decoded before comparison.
bool is_unreserved(unsigned char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 3986 2.2: gen-delims and sub-delims, which keep the form (raw or escaped) they are written in.
bool is_reserved(unsigned char c) {
  switch (c) {
    case ':':
    case '/':
    case '?':
    case '#':
    case '[':
    case ']':
    case '@':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=': return true;
    default: return false;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Calls emit(char) with each character of the normalised form of `text` (see robots.hpp): one
// definition serves both the size pass and the writing pass, so the two cannot disagree.
template <typename Emit>
void for_each_normalised(std::string_view text, Emit&& emit) {
  auto emit_escape = [&](unsigned char byte) {
    emit('%');
    emit(upper_hex[byte >> 4]);
    emit(upper_hex[byte & 0xF]);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '%') {
      const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = high >= 0 ? hex_value(text[i + 2]) : -1;
      if (low < 0) {
        emit_escape('%');  // a stray '%' is the escape of itself
        continue;
      }
      const auto decoded = static_cast<unsigned char>(high * 16 + low);
      if (is_unreserved(decoded)) {
        emit(static_cast<char>(decoded));
      } else {
        emit_escape(decoded);
      }
      i += 2;
    } else if (is_unreserved(c) || is_reserved(c)) {
      emit(static_cast<char>(c));
    } else {
      emit_escape(c);
    }
  }
}

// Whether `text` already is in normal form because it holds no '%' and nothing to escape.
bool is_plain(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return is_unreserved(c) || is_reserved(c);
  });
}

std::string normalised(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_normalised(text, [&](char c) { out.push_back(c); });
  return out;
}

// The normalised form of a request target, kept in place when already normal and on the stack
// when short, so that allowed() allocates only for long targets that need rewriting.
class NormalisedTarget {
 public:
  explicit NormalisedTarget(std::string_view target) {
    if (is_plain(target)) {
      view_ = target;
      return;
    }
    std::size_t size = 0;
    for_each_normalised(target, [&](char) { ++size; });
    char* out = inline_.data();
    if (size > inline_.size()) {
      heap_.resize(size);
      out = heap_.data();
    }
    std::size_t at = 0;
    for_each_normalised(target, [&](char c) { out[at++] = c; });
    view_ = std::string_view(out, size);
  }
  NormalisedTarget(const NormalisedTarget&) = delete;
  NormalisedTarget& operator=(const NormalisedTarget&) = delete;

  std::string_view view() const { return view_; }

 private:
  std::array<char, 1024> inline_;
  std::string heap_;
  std::string_view view_;
};

// Whether `pattern` (normalised; '*' is any run of characters, a final '$' the end) matches
// `path` from its start. The pieces between stars are placed leftmost, one after the other:
// placing a piece as early as possible leaves the most room for the rest, so no placement ever
// needs to be revisited. With '$', the last piece must end the path, after the others.
bool pattern_matches(std::string_view pattern, std::string_view path) {
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);

  std::size_t star = pattern.find('*');
  if (star == std::string_view::npos) return anchored ? path == pattern : path.starts_with(pattern);
  if (!path.starts_with(pattern.substr(0, star))) return false;
  std::size_t position = star;
  pattern.remove_prefix(star + 1);

  while ((star = pattern.find('*')) != std::string_view::npos) {
    const std::string_view piece = pattern.substr(0, star);
    if (!piece.empty()) {
      const std::size_t found = path.find(piece, position);
      if (found == std::string_view::npos) return false;
      position = found + piece.size();
    }
    pattern.remove_prefix(star + 1);
  }
  if (anchored) return path.size() - position >= pattern.size() && path.ends_with(pattern);
  return pattern.empty() || path.find(pattern, position) != std::string_view::npos;
}

// The leading run of characters RFC 9309 2.2.1 allows in a product token: letters, '_' and '-'.
std::string_view leading_token(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() &&
         (is_alpha(static_cast<unsigned char>(text[end])) || text[end] == '_' || text[end] == '-')) {
    ++end;
  }
  return text.substr(0, end);
}

// The product token a user-agent line's value names: "*" for every crawler, else its leading
// token ("ExampleBot/1.0" names "ExampleBot"); may be empty, which names no crawler.
std::string_view agent_named(std::string_view value) {
  if (!value.empty() && value.front() == '*' && (value.size() == 1 || is_space(value[1]))) return "*";
  return leading_token(value);
}

// A Crawl-delay value: decimal seconds ("2", "0.5", ".5", "5."), capped at max_crawl_delay;
// nothing for anything else (signs, exponents, units, empty).
std::optional<milliseconds> parse_crawl_delay(std::string_view value) {
  constexpr std::int64_t cap_ms = max_crawl_delay.count();
  std::int64_t whole_ms = 0;
  std::size_t i = 0;
  bool any_digit = false;
  for (; i < value.size() && is_digit(static_cast<unsigned char>(value[i])); ++i) {
    any_digit = true;
    whole_ms = std::min(whole_ms * 10 + (value[i] - '0') * 1000, cap_ms * 10);  // saturates
  }
  std::int64_t fraction_ms = 0;
  if (i < value.size() && value[i] == '.') {
    std::int64_t scale = 100;
    for (++i; i < value.size() && is_digit(static_cast<unsigned char>(value[i])); ++i) {
      any_digit = true;
      fraction_ms += (value[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (!any_digit || i != value.size()) return std::nullopt;
  return milliseconds(std::min(whole_ms + fraction_ms, cap_ms));
}

// The text the parser reads: the first robots_parse_limit bytes without a line cut at the limit,
// and without a leading BOM.
std::string_view parsed_part(std::string_view text) {
  if (text.size() >= robots_parse_limit) {
    text = text.substr(0, robots_parse_limit);
    const std::size_t last_break = text.find_last_of("\r\n");
    text = last_break == std::string_view::npos ? std::string_view() : text.substr(0, last_break + 1);
  }
  if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
  return text;
}

// The rules and delay gathered for one kind of group (the crawler's own, or "*").
struct GroupRules {
  std::vector<std::string> allow_patterns;
  std::vector<std::string> disallow_patterns;
  std::optional<milliseconds> crawl_delay;
};

}  // namespace

RobotsRules RobotsRules::allow_all() {
  RobotsRules rules;
  rules.source_ = Source::allow_all;
  return rules;
}

RobotsRules RobotsRules::disallow_all() {
  RobotsRules rules;
  rules.source_ = Source::disallow_all;
  return rules;
}

RobotsRules RobotsRules::parse(std::string_view robots_txt, std::string_view product_token) {
  GroupRules own;
  GroupRules global;
  bool own_group_seen = false;
  // The state of the current group: whether its user-agent lines name this crawler or "*", and
  // whether the next user-agent line continues its run (true) or starts a new group (false).
  bool names_own = false;
  bool names_global = false;
  bool in_agent_run = false;

  std::string_view text = parsed_part(robots_txt);
  while (!text.empty()) {
    const std::size_t line_end = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, line_end);
    text.remove_prefix(line_end == std::string_view::npos ? text.size() : line_end + 1);

    line = line.substr(0, line.find('#'));
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));

    if (iequals(key, "user-agent")) {
      if (!in_agent_run) names_own = names_global = false;
      in_agent_run = true;
      const std::string_view agent = agent_named(value);
      if (agent == "*") {
        names_global = true;
      } else if (!agent.empty() && iequals(agent, product_token)) {
        names_own = true;
        own_group_seen = true;
      }
      continue;
    }
    const bool allow = iequals(key, "allow");
    if (allow || iequals(key, "disallow")) {
      in_agent_run = false;
      if (value.empty() || !(names_own || names_global)) continue;
      const std::string pattern = normalised(value);
      if (names_own) (allow ? own.allow_patterns : own.disallow_patterns).push_back(pattern);
      if (names_global) (allow ? global.allow_patterns : global.disallow_patterns).push_back(pattern);
    } else if (iequals(key, "crawl-delay")) {
      in_agent_run = false;
      const std::optional<milliseconds> delay = parse_crawl_delay(value);
      if (!delay) continue;
      if (names_own && !own.crawl_delay) own.crawl_delay = delay;
      if (names_global && !global.crawl_delay) global.crawl_delay = delay;
    }
    // Other keys (Sitemap, Host, unknown ones) are ignored and leave the group as it is.
  }

  GroupRules& chosen = own_group_seen ? own : global;
  RobotsRules rules;
  rules.source_ = Source::parsed;
  rules.crawl_delay_ = chosen.crawl_delay;
  rules.rules_.reserve(chosen.allow_patterns.size() + chosen.disallow_patterns.size());
  for (std::string& pattern : chosen.allow_patterns) rules.rules_.push_back({std::move(pattern), true});
  for (std::string& pattern : chosen.disallow_patterns) rules.rules_.push_back({std::move(pattern), false});
  std::stable_sort(rules.rules_.begin(), rules.rules_.end(), [](const Rule& a, const Rule& b) {
    if (a.pattern.size() != b.pattern.size()) return a.pattern.size() > b.pattern.size();
    return a.allow && !b.allow;
  });
  return rules;
}

bool RobotsRules::allowed(std::string_view path_and_query) const {
  if (source_ != Source::disallow_all && rules_.empty()) return true;
  const NormalisedTarget target(path_and_query.empty() ? std::string_view("/") : path_and_query);
  const std::string_view path = target.view();
  if (path.substr(0, path.find_first_of("?#")) == robots_txt_path) return true;
  if (source_ == Source::disallow_all) return false;
  for (const Rule& rule : rules_) {
    if (pattern_matches(rule.pattern, path)) return rule.allow;
  }
  return true;
}

std::optional<std::chrono::milliseconds> RobotsRules::crawl_delay() const { return crawl_delay_; }

RobotsRules rules_for_response(bool delivered, unsigned status, std::string_view body, std::string_view product_token) {
  if (!delivered) return RobotsRules::disallow_all();
  if (status >= 200 && status < 300) return RobotsRules::parse(body, product_token);
  // A 3xx arrives only when the client stopped following redirects: RFC 9309 2.3.1.2 lets the
  // file count as unavailable then, and 2.3.1.3 allows everything for an unavailable file.
  // 429 asks the crawler to slow down, not that the file is missing: like Google's crawler, we
  // read it as the server being unable to answer, and fetch nothing from the host.
  if (status == 429) return RobotsRules::disallow_all();
  if (status >= 300 && status < 500) return RobotsRules::allow_all();
  // 5xx: unreachable (RFC 9309 2.3.1.4); 1xx and nonsense statuses are treated the same.
  return RobotsRules::disallow_all();
}

std::string product_token(std::string_view user_agent) { return std::string(leading_token(trim(user_agent))); }

}  // namespace fetcher::crawl
