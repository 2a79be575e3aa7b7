// SPDX-License-Identifier: Apache-2.0
#pragma once
// OpenSSL objects owned by std::unique_ptr, and their PEM forms: what the test PKI and the test
// API server's TLS set-up share.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace k8sjobs::testing {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// The bytes written so far to a memory BIO.
std::string bio_to_string(BIO* bio);

// The certificate or private key of a PEM text; null when it does not parse.
X509Ptr parse_cert(const std::string& pem);
PkeyPtr parse_key(const std::string& pem);

// PEM forms; throw std::runtime_error when OpenSSL cannot write them.
std::string cert_to_pem(X509* cert);
std::string key_to_pem(EVP_PKEY* key);

}  // namespace k8sjobs::testing
