// output_flags.hpp: the one output convention of every command, and its old spellings.
//
//   --format FORMAT   the report's format (bench: table, md, csv, json; get, load: table, json; crawl: json)
//   --output FILE     where the report goes (default: standard output)
//   --save DIR        where fetched bodies go (get, crawl)
//
// crawl's only report format is json, one object per page (its summary is on stderr), so there
// --output FILE alone means --format json.
//
// The spellings these replace (get --json, -o and --output-dir; crawl --jsonl, -o and
// --output-dir) still work for one release:
// hidden from --help and the completions, each prints a one-line note on stderr, and giving one
// together with its replacement is a usage error.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::cli {

// "fetcher get: --json is deprecated; use --format json".
std::string deprecation_note(std::string_view command, std::string_view old_flag, std::string_view instead);

// Settles one old spelling against its replacement. Not given: false. Given with `new_flag` (or
// with another old spelling of the same thing, named in `new_flag` too): std::invalid_argument,
// "get: --json and --format cannot be used together (--json is the old spelling of --format json)".
// Given alone: its deprecation note appended to `notes` (printed once every flag is settled, so a
// usage error stays one line), and true, for the caller to apply it.
bool take_old_spelling(std::vector<std::string>& notes, std::string_view command, bool old_given,
                       std::string_view old_flag, bool new_given, std::string_view new_flag, std::string_view instead);

// The directory bodies are saved in: --save DIR, or its old spelling -o DIR or --output-dir DIR
// (get, crawl), settled as take_old_spelling says; empty: none.
std::string save_directory(std::vector<std::string>& notes, std::string_view command, const std::string& save,
                           const std::string& old_o, const std::string& old_output_dir);

// Opens `path` for the report (truncating it); std::runtime_error "--output PATH: cannot write: reason"
// when it cannot be.
void open_report_file(std::ofstream& file, const std::string& path);

}  // namespace fetcher::cli
