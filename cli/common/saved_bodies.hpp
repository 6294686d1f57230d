// saved_bodies.hpp: the file names bodies are saved under (`get --save DIR`, `crawl --save DIR`), and the message
// for a file that cannot be written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace fetcher::cli {

// A file name for a body that cannot leave the output directory: only [A-Za-z0-9._-] of the URL
// (without its scheme, at most 150 bytes) survive, every other byte becomes '_', and the number
// in front, zero-padded to `width` digits so names sort in order, keeps names unique and never
// "." or "..". safe_file_name(7, 3, "https://a.org/x?y") is "007-a.org_x_y".
std::string safe_file_name(std::uint64_t number, std::size_t width, std::string_view url);

// "PATH: cannot write: No such file or directory": the reason from errno, read right after the
// failed open or write.
std::string cannot_write(const std::string& path);

// Writes `body` to the file `path` and returns the path written; empty when it cannot be written,
// after printing "fetcher: " and cannot_write's message on stderr.
std::string save_body(const std::filesystem::path& path, std::string_view body);

}  // namespace fetcher::cli
