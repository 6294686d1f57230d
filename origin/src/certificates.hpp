// certificates.hpp: the TLS identity the emulated origin makes for itself at start-up: a
// throwaway CA and a leaf certificate for exactly the sites' host names, signed by it.
#pragma once

#include <string>
#include <vector>

namespace fetcher::origin {

struct Certificates {
  std::string ca_certificate_pem;
  std::string leaf_certificate_pem;
  std::string leaf_private_key_pem;
};

// The leaf names every host (DNS) plus 127.0.0.1 and ::1. Throws std::runtime_error.
Certificates make_certificates(const std::vector<std::string>& hosts);

}  // namespace fetcher::origin
