// help_format.hpp: how `fetcher ... --help` reads (like curl's or hyperfine's, without the parser's
// type names) and the one-line messages for command lines the parser rejects.
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::cli {

// "--runs N   Run each strategy N times ... (default: 1)": a short placeholder after each flag that
// takes a value (N, DUR, SIZE, FILE, ...), the default in the description, no "Needs:" or "{false}".
class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter();
  std::string make_option_name(const CLI::Option* option, bool is_positional) const override;
  std::string make_option_opts(const CLI::Option* option) const override;
  std::string make_option_desc(const CLI::Option* option) const override;
  // The description, the commands' list and the footer's prose are wrapped to the terminal too;
  // the footer's indented lines (examples) are left whole.
  std::string make_description(const CLI::App* app) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  std::string make_footer(const CLI::App* app) const override;

 private:
  std::size_t help_width() const;  // COLUMNS, else the terminal's width, else 80; at least 60
};

// The placeholder a flag's value gets in help: by the flag's name, else by its C++ type.
std::string value_placeholder(const CLI::Option& option);

// Levenshtein distance between two flag spellings, for "did you mean".
std::size_t edit_distance(std::string_view from, std::string_view to);

// The flag of `command` (or of its parent, such as --verbose) nearest to `unknown`, or "" when none
// is within a third of the spelling's length (so `--xyz` does not suggest `--live`).
std::string nearest_flag(const CLI::App& command, std::string_view unknown);

// The one line for a rejected command line: lower-case, naming a flag that does not exist with a
// "did you mean", and pointing at the help of the command the person was typing.
// `arguments` are argv[1..]; `command` is the subcommand they named, or nullptr.
std::string usage_error_message(const CLI::App& app, const CLI::App* command, const CLI::ParseError& error,
                                const std::vector<std::string>& arguments);

}  // namespace fetcher::cli
