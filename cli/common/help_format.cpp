// help_format.cpp: the help formatter (placeholders by flag name, defaults in the description) and the
// one-line usage errors with "did you mean".
#include "common/help_format.hpp"

#include "common/terminal_style.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <sstream>

#include <unistd.h>

namespace fetcher::cli {

namespace {

// The placeholder of each flag that takes a value, by its long name (or short name for load's -c).
const std::map<std::string, std::string, std::less<>>& placeholders() {
  static const std::map<std::string, std::string, std::less<>> table = {
      {"shard", "I/N"},
      {"strategies", "LIST"},
      {"strategy", "NAME"},
      {"histogram", "NAME"},
      {"sites", "FILE"},
      {"output", "FILE"},
      {"report", "FILE"},
      {"cacert", "FILE"},
      {"jsonl", "FILE"},
      {"warc", "FILE"},
      {"input", "FILE"},
      {"export", "FILE"},
      {"output-dir", "DIR"},
      {"save", "DIR"},
      {"emit-site", "DIR"},
      {"latency", "DUR"},
      {"jitter", "DUR"},
      {"delay", "DUR"},
      {"duration", "DUR"},
      {"connect-timeout", "DUR"},
      {"tls-timeout", "DUR"},
      {"first-byte-timeout", "DUR"},
      {"timeout", "DUR"},
      {"retry-base", "DUR"},
      {"min-interval", "DUR"},
      {"body", "SIZE"},
      {"body-limit", "SIZE"},
      {"format", "FORMAT"},
      {"color", "WHEN"},
      {"huge-pages", "MODE"},
      {"scheme", "SCHEME"},
      {"robots", "on|off"},
      {"keep-alive", "on|off"},
      {"tls-resume", "on|off"},
      {"scope", "SCOPE"},
      {"user-agent", "STRING"},
      {"proxy", "URL"},
      {"no-proxy", "HOSTS"},
      {"connect-to", "H1:P1:H2:P2"},
      {"address", "ADDR"},
      {"http-port", "PORT"},
      {"https-port", "PORT"},
      {"frontier", "URL"},
      {"crawl-id", "ID"},
      {"claim-idle", "DUR"},
      {"redis-timeout", "DUR"},
      {"worker", "NAME"},
      {"synthetic", "N"},
      {"hosts", "N"},
      {"capacity", "N"},
      {"links", "N"},
      {"per-host", "N"},
      {"max-pages", "N"},
      {"max-depth", "N"},
      {"connections", "N"},
      {"requests", "N"},
      {"threads", "N"},
      {"runs", "N"},
      {"max-in-flight", "N"},
  };
  return table;
}

}  // namespace

HelpFormatter::HelpFormatter() { column_width(32); }

// A flag that takes no value (--quiet, --help): CLI11 gives it no type name and expects no items.
bool is_switch(const CLI::Option& option) {
  return option.get_type_name().empty() || option.get_items_expected_max() == 0;
}

std::string value_placeholder(const CLI::Option& option) {
  for (const auto& name : option.get_lnames()) {
    if (const auto found = placeholders().find(name); found != placeholders().end()) return found->second;
  }
  // Counts and sizes without a table entry: CLI11 names them INT, UINT or FLOAT (with ":" validators after).
  const auto type = option.get_type_name();
  const auto base = type.substr(0, type.find(':'));
  if (base == "INT" || base == "UINT") return "N";
  if (base == "FLOAT") return "X";
  return "VALUE";
}

namespace {

// `text` filled into lines of at most `width` columns, joined by '\n'.
std::string wrapped(const std::string& text, std::size_t width) {
  std::string out;
  for (const auto& line : wrap_words(text, width)) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

}  // namespace

// "-q,--quiet" or "--no-charts": names only, without CLI11's "{false}" for negated flags.
std::string HelpFormatter::make_option_name(const CLI::Option* option, bool is_positional) const {
  if (is_positional) return option->get_name(true, false);
  std::vector<std::string> names;
  for (const auto& name : option->get_snames()) names.push_back("-" + name);
  for (const auto& name : option->get_lnames()) names.push_back("--" + name);
  return CLI::detail::join(names, ",");
}

std::string HelpFormatter::make_option_opts(const CLI::Option* option) const {
  const bool repeated = option->get_expected_max() >= CLI::detail::expected_max_vector_size;
  if (option->get_positional()) return repeated ? " ..." : "";
  if (is_switch(*option)) return "";
  return " " + value_placeholder(*option);
}

std::string HelpFormatter::make_option_desc(const CLI::Option* option) const {
  std::string description = option->get_description();
  const auto& default_value = option->get_default_str();
  if (!is_switch(*option) && !default_value.empty() && default_value != "[]") {
    description += " (default: " + default_value + ")";
  }
  if (option->get_required() && !option->get_positional()) description += " (required)";
  // CLI11 indents each continuation line to the description column.
  return wrapped(description, help_width() - get_column_width() - 1);
}

std::size_t HelpFormatter::help_width() const { return std::max<std::size_t>(terminal_columns(STDOUT_FILENO), 60); }

std::string HelpFormatter::make_description(const CLI::App* app) const {
  const auto description = app->get_description();
  if (description.empty()) return {};
  return wrapped(description, help_width() - 1) + "\n\n";
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  std::ostringstream out;
  CLI::detail::format_help(out, sub->get_display_name(true),
                           wrapped(sub->get_description(), help_width() - get_column_width() - 1), get_column_width());
  return out.str();
}

// Prose lines are filled into paragraphs and wrapped; indented lines (examples) and blank lines
// stay as they are.
std::string HelpFormatter::make_footer(const CLI::App* app) const {
  const auto footer = app->get_footer();
  if (footer.empty()) return {};
  std::string out;
  std::string paragraph;
  const auto flush = [&] {
    if (paragraph.empty()) return;
    out += wrapped(paragraph, help_width() - 1) + "\n";
    paragraph.clear();
  };
  std::istringstream lines(footer);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.starts_with(' ')) {
      flush();
      out += line + "\n";
    } else {
      paragraph += (paragraph.empty() ? "" : " ") + line;
      if (line.ends_with(':')) flush();  // a heading such as "Examples:"
    }
  }
  flush();
  return out;
}

std::size_t edit_distance(std::string_view from, std::string_view to) {
  std::vector<std::size_t> previous(to.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= from.size(); ++i) {
    std::vector<std::size_t> current(to.size() + 1);
    current[0] = i;
    for (std::size_t j = 1; j <= to.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (from[i - 1] == to[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    previous = std::move(current);
  }
  return previous[to.size()];
}

namespace {

// Every spelling of every visible flag of `command`, then of its parents (--verbose, --help); with
// `hidden_too`, also the hidden ones (the old spellings kept for a release), which are flags the
// command knows but never suggests.
std::vector<std::string> flag_spellings(const CLI::App& command, bool hidden_too = false) {
  std::vector<std::string> spellings;
  for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
    for (const auto* option : app->get_options()) {
      if (option->get_positional() || (option->get_group().empty() && !hidden_too)) continue;
      for (const auto& name : option->get_snames()) spellings.push_back("-" + name);
      for (const auto& name : option->get_lnames()) spellings.push_back("--" + name);
    }
  }
  return spellings;
}

bool is_flag_of(const std::vector<std::string>& spellings, std::string_view argument) {
  return std::find(spellings.begin(), spellings.end(), argument) != spellings.end();
}

// The first argument that looks like a flag but is none of `command`'s: "--runz", "--runz=3" or "-x".
// Negative numbers ("-3s") and everything after "--" are values, not flags.
std::string first_unknown_flag(const CLI::App& command, const std::vector<std::string>& arguments) {
  const auto spellings = flag_spellings(command, true);
  for (const auto& argument : arguments) {
    if (argument == "--") break;
    const bool flag_like =
        argument.size() >= 2 && argument[0] == '-' && !std::isdigit(static_cast<unsigned char>(argument[1]));
    if (!flag_like) continue;
    const auto name = argument.substr(0, argument.find('='));
    if (name.rfind("--", 0) == 0) {
      if (!is_flag_of(spellings, name)) return name;
    } else {
      // A cluster of short flags ("-qv"): each letter must be one.
      for (std::size_t i = 1; i < name.size(); ++i) {
        const std::string letter = std::string("-") + name[i];
        if (!is_flag_of(spellings, letter)) return name.size() == 2 ? name : letter;
      }
    }
  }
  return "";
}

std::string command_path(const CLI::App& command) {
  std::string path;
  for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
    path = app->get_parent() == nullptr ? "fetcher" + path : " " + app->get_name() + path;
  }
  return path;
}

}  // namespace

std::string nearest_flag(const CLI::App& command, std::string_view unknown) {
  std::string nearest;
  std::size_t best = unknown.size() / 3 + 1;  // farther than this is a different word
  for (const auto& spelling : flag_spellings(command)) {
    const auto distance = edit_distance(unknown, spelling);
    if (distance < best) {
      best = distance;
      nearest = spelling;
    }
  }
  return nearest;
}

std::string usage_error_message(const CLI::App& app, const CLI::App* command, const CLI::ParseError& error,
                                const std::vector<std::string>& arguments) {
  const CLI::App& typed = command != nullptr ? *command : app;
  const auto see_help = "see " + command_path(typed) + " --help";
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    if (const auto unknown = first_unknown_flag(typed, arguments); !unknown.empty()) {
      const auto suggestion = nearest_flag(typed, unknown);
      const auto did_you_mean = suggestion.empty() ? "" : "; did you mean " + suggestion + "?";
      return "unknown flag " + unknown + did_you_mean + " (" + see_help + ")";
    }
  }
  std::string message = error.what();
  // CLI11's messages start with a capital ("The following argument was not expected: ..."); ours do not.
  if (!message.empty()) message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  return message + " (" + see_help + ")";
}

}  // namespace fetcher::cli
