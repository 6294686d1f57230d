// certificates.cpp: makes the origin's throwaway CA and leaf certificate with OpenSSL 3, so
// clients verify the emulated sites the same way they verify real ones (never by turning
// verification off).
#include "certificates.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>

namespace fetcher::origin {
namespace {

constexpr const char* ca_common_name = "fetcher emulated origin CA";
constexpr const char* leaf_common_name = "fetcher emulated origin";
constexpr long valid_before_now_seconds = 60L * 60;
constexpr long valid_after_now_seconds = 30L * 24 * 60 * 60;

template <auto FreeFunction>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* pointer) const {
    FreeFunction(pointer);
  }
};

using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using CertificatePtr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;

[[noreturn]] void fail(const std::string& step) {
  std::string reason = "unknown error";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    reason = text;
  }
  ERR_clear_error();
  throw std::runtime_error("cannot make the origin's TLS certificate: " + step + ": " + reason);
}

void check(int result, const std::string& step) {
  if (result <= 0) fail(step);
}

KeyPtr make_p256_key() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("EC P-256 key generation");
  return key;
}

void set_random_serial(X509* certificate) {
  BignumPtr serial(BN_new());
  if (!serial) fail("serial number");
  // 159 bits keeps the DER integer positive and within the 20 bytes RFC 5280 allows.
  check(BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "serial number");
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) == nullptr) fail("serial number");
}

void set_common_name(X509_NAME* name, const char* common_name) {
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1,
                                   -1, 0),
        "subject name");
}

// `issuer` is null for a self-signed certificate.
void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : certificate, certificate, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  if (!extension) fail("extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
  check(X509_add_ext(certificate, extension.get(), -1), "adding extension " + value);
}

// A certificate with everything but extensions and signature; `issuer` null = self-signed.
// Valid from `not_before` to `not_after` seconds from now.
CertificatePtr make_unsigned_certificate(EVP_PKEY* key, const char* common_name, X509* issuer,
                                         long not_before = -valid_before_now_seconds,
                                         long not_after = valid_after_now_seconds) {
  CertificatePtr certificate(X509_new());
  if (!certificate) fail("X509_new");
  check(X509_set_version(certificate.get(), X509_VERSION_3), "version");
  set_random_serial(certificate.get());
  if (X509_gmtime_adj(X509_getm_notBefore(certificate.get()), not_before) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(certificate.get()), not_after) == nullptr) {
    fail("validity");
  }
  check(X509_set_pubkey(certificate.get(), key), "public key");
  set_common_name(X509_get_subject_name(certificate.get()), common_name);
  X509_NAME* issuer_name = X509_get_subject_name(issuer != nullptr ? issuer : certificate.get());
  check(X509_set_issuer_name(certificate.get(), issuer_name), "issuer name");
  return certificate;
}

bool is_ip_address(const std::string& host) {
  unsigned char address[16];
  return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

std::string subject_alt_names(const std::vector<std::string>& hosts) {
  std::vector<std::string> names;
  auto add = [&names](std::string name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  };
  for (const auto& host : hosts) add((is_ip_address(host) ? "IP:" : "DNS:") + host);
  add("DNS:localhost");
  add("IP:127.0.0.1");
  add("IP:::1");
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ",") + name;
  return joined;
}

std::string read_all(BIO* bio) {
  std::string text(BIO_ctrl_pending(bio), '\0');
  if (!text.empty()) check(BIO_read(bio, text.data(), static_cast<int>(text.size())), "reading PEM");
  return text;
}

std::string certificate_pem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("BIO_new");
  check(PEM_write_bio_X509(bio.get(), certificate), "writing certificate PEM");
  return read_all(bio.get());
}

std::string private_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("BIO_new");
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "writing key PEM");
  return read_all(bio.get());
}

}  // namespace

Certificates make_certificates(const std::vector<std::string>& hosts) {
  const KeyPtr ca_key = make_p256_key();
  const CertificatePtr ca = make_unsigned_certificate(ca_key.get(), ca_common_name, nullptr);
  add_extension(ca.get(), nullptr, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca.get(), nullptr, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(ca.get(), nullptr, NID_subject_key_identifier, "hash");
  check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()), "signing the CA");

  const KeyPtr leaf_key = make_p256_key();
  const CertificatePtr leaf = make_unsigned_certificate(leaf_key.get(), leaf_common_name, ca.get());
  add_extension(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  add_extension(leaf.get(), ca.get(), NID_subject_key_identifier, "hash");
  add_extension(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  add_extension(leaf.get(), ca.get(), NID_subject_alt_name, subject_alt_names(hosts));
  check(X509_sign(leaf.get(), ca_key.get(), EVP_sha256()), "signing the leaf certificate");

  // The faulty ones. `issuer` null: self-signed with the leaf's key.
  const auto faulty = [&](const char* common_name, X509* issuer, EVP_PKEY* signing_key, long not_before, long not_after,
                          const std::string& names) {
    CertificatePtr certificate = make_unsigned_certificate(leaf_key.get(), common_name, issuer, not_before, not_after);
    add_extension(certificate.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(certificate.get(), issuer, NID_key_usage, "critical,digitalSignature");
    add_extension(certificate.get(), issuer, NID_ext_key_usage, "serverAuth");
    add_extension(certificate.get(), issuer, NID_subject_alt_name, names);
    check(X509_sign(certificate.get(), signing_key, EVP_sha256()), std::string("signing ") + common_name);
    return certificate_pem(certificate.get());
  };
  constexpr long day = 24L * 60 * 60;
  const std::string names = subject_alt_names(hosts);
  Certificates result{
      certificate_pem(ca.get()), certificate_pem(leaf.get()), private_key_pem(leaf_key.get()), {}, {}, {}};
  result.wrong_name_certificate_pem = faulty("wrong-name.invalid", ca.get(), ca_key.get(), -valid_before_now_seconds,
                                             valid_after_now_seconds, "DNS:wrong-name.invalid");
  result.expired_certificate_pem = faulty(leaf_common_name, ca.get(), ca_key.get(), -60 * day, -30 * day, names);
  result.self_signed_certificate_pem =
      faulty(leaf_common_name, nullptr, leaf_key.get(), -valid_before_now_seconds, valid_after_now_seconds, names);
  return result;
}

}  // namespace fetcher::origin
