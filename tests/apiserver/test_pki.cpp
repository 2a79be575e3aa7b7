#include "apiserver/test_pki.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

#include "apiserver/openssl_handles.h"

namespace k8sjobs::testing {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

PkeyPtr generate_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) == 1,
        "X509_NAME_add_entry_by_txt");
}

// Builds an unsigned certificate for `key` with subject CN/O; issuer set by the caller.
X509Ptr new_certificate(EVP_PKEY* key, const std::string& common_name,
                        const std::string& organization) {
  X509Ptr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial_bytes[16];
  check(RAND_bytes(serial_bytes, sizeof serial_bytes) == 1, "RAND_bytes");
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24 * 365);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!organization.empty()) add_name_entry(name, "O", organization);
  add_name_entry(name, "CN", common_name);
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  check(X509_sign(cert, key, EVP_sha256()) > 0, "X509_sign");
}

}  // namespace

struct CertificateAuthority::Impl {
  PkeyPtr key;
  X509Ptr cert;
};

CertificateAuthority::CertificateAuthority(const std::string& common_name)
    : impl_(std::make_unique<Impl>()) {
  impl_->key = generate_key();
  impl_->cert = new_certificate(impl_->key.get(), common_name, "");
  X509* cert = impl_->cert.get();
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  add_extension(cert, cert, NID_subject_key_identifier, "hash");
  sign(cert, impl_->key.get());
  self_ = {cert_to_pem(cert), key_to_pem(impl_->key.get())};
}

CertificateAuthority::~CertificateAuthority() = default;

KeyAndCertificate CertificateAuthority::issue_server(
    const std::string& common_name, const std::vector<std::string>& dns_names,
    const std::vector<std::string>& ip_addresses) const {
  PkeyPtr key = generate_key();
  X509Ptr cert = new_certificate(key.get(), common_name, "");
  X509_set_issuer_name(cert.get(), X509_get_subject_name(impl_->cert.get()));
  std::string san;
  for (const auto& dns : dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + dns);
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  add_extension(cert.get(), impl_->cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), impl_->cert.get(), NID_key_usage,
                "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), impl_->cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), impl_->cert.get(), NID_authority_key_identifier, "keyid");
  if (!san.empty()) add_extension(cert.get(), impl_->cert.get(), NID_subject_alt_name, san);
  sign(cert.get(), impl_->key.get());
  return {cert_to_pem(cert.get()), key_to_pem(key.get())};
}

KeyAndCertificate CertificateAuthority::issue_client(const std::string& common_name,
                                                     const std::string& organization) const {
  PkeyPtr key = generate_key();
  X509Ptr cert = new_certificate(key.get(), common_name, organization);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(impl_->cert.get()));
  add_extension(cert.get(), impl_->cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), impl_->cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), impl_->cert.get(), NID_ext_key_usage, "clientAuth");
  add_extension(cert.get(), impl_->cert.get(), NID_authority_key_identifier, "keyid");
  sign(cert.get(), impl_->key.get());
  return {cert_to_pem(cert.get()), key_to_pem(key.get())};
}

std::string certificate_sha256_hex(const std::string& cert_pem) {
  BioPtr bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return "";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert.get(), EVP_sha256(), digest, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace k8sjobs::testing
