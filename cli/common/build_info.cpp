// build_info.cpp: the versions fetcher reports about itself and what it was built with.
#include "common/build_info.hpp"

#include "version.hpp"

#include <boost/version.hpp>
#include <openssl/crypto.h>

namespace fetcher::cli {

std::string fetcher_version() { return FETCHER_PROJECT_VERSION; }

std::string boost_version() {
  // BOOST_LIB_VERSION is "1_81" (or "1_81_1" for a point release); people write dots.
  std::string version = BOOST_LIB_VERSION;
  for (char& c : version) {
    if (c == '_') c = '.';
  }
  return version;
}

std::string openssl_version() { return OpenSSL_version(OPENSSL_VERSION); }

std::string compiler_version() {
#if defined(__clang__)
  return __VERSION__;  // already names the compiler: "Debian Clang 14.0.6"
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#else
  return __VERSION__;
#endif
}

std::string version_text() {
  return "fetcher " + fetcher_version() + "\n" + "Boost " + boost_version() + "\n" + openssl_version() + "\n" +
         compiler_version() + ", C++" + std::to_string(__cplusplus / 100 % 100);
}

}  // namespace fetcher::cli
