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
  // Bad certificates for the tls-* faults, all with the leaf's key: one from the CA for
  // wrong-name.invalid only, one from the CA for the right names that expired 30 days ago,
  // and one for the right names that signs itself.
  std::string wrong_name_certificate_pem;
  std::string expired_certificate_pem;
  std::string self_signed_certificate_pem;
};

// The leaf names every host (DNS) plus 127.0.0.1 and ::1. Throws std::runtime_error.
Certificates make_certificates(const std::vector<std::string>& hosts);

}  // namespace fetcher::origin
