// url_list.hpp: reading the URL lists the bench and `fetcher get` take.
//
// One URL per line; blank lines and lines starting with '#' are skipped. A line that is not
// a usable http/https URL is kept as a request with an error, so it becomes a failed result
// (with file:line) while the rest of the list runs.
#pragma once

#include <fetcher/fetch_request.hpp>

#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher {

// Checks one URL: returns an empty string when it is an absolute http/https URL with a host,
// otherwise the reason it is not.
std::string check_url(std::string_view url);

// Parses a list from a stream; `name` is used for the file:line sources.
std::vector<FetchRequest> parse_url_list(std::istream& in, std::string_view name);

// Reads a list from a file ("-" for standard input). Throws std::runtime_error with a
// one-line message naming the file when it cannot be read.
std::vector<FetchRequest> load_url_list(const std::string& path);

}  // namespace fetcher
