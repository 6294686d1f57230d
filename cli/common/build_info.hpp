// build_info.hpp: what this `fetcher` is: its version and the versions of the libraries and the
// compiler it was built with, for `fetcher --version`, bug reports and the reports' metadata.
#pragma once

#include <string>

namespace fetcher::cli {

// The project's version, e.g. "0.1.0".
std::string fetcher_version();
// Boost's version from its headers, e.g. "1.81".
std::string boost_version();
// The OpenSSL library loaded at run time, e.g. "OpenSSL 3.0.11 19 Sep 2023".
std::string openssl_version();
// The compiler and its version, e.g. "GCC 12.2.0".
std::string compiler_version();

// `fetcher --version`: "fetcher 0.1.0" on the first line (help2man reads it), then one line each
// for Boost, OpenSSL, and the compiler with the C++ standard; no newline at the end.
std::string version_text();

}  // namespace fetcher::cli
