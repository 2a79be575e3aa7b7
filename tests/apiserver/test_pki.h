#pragma once
// A throwaway PKI for the test API server: a CA that issues server and client certificates,
// all as PEM strings (EC P-256 keys, SHA-256 signatures), generated with the OpenSSL 3 C API.

#include <memory>
#include <string>
#include <vector>

namespace k8sjobs::testing {

struct KeyAndCertificate {
  std::string cert_pem;
  std::string key_pem;
};

class CertificateAuthority {
 public:
  explicit CertificateAuthority(const std::string& common_name);
  ~CertificateAuthority();
  CertificateAuthority(const CertificateAuthority&) = delete;
  CertificateAuthority& operator=(const CertificateAuthority&) = delete;

  const std::string& cert_pem() const { return self_.cert_pem; }
  const std::string& key_pem() const { return self_.key_pem; }

  // A serving certificate with the given subjectAltNames (DNS names and IP addresses).
  KeyAndCertificate issue_server(const std::string& common_name,
                                 const std::vector<std::string>& dns_names,
                                 const std::vector<std::string>& ip_addresses) const;
  // A client certificate: Kubernetes reads the user from CN and groups from O.
  KeyAndCertificate issue_client(const std::string& common_name,
                                 const std::string& organization) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  KeyAndCertificate self_;
};

// Hex SHA-256 of a PEM certificate's DER form ("" when it does not parse).
std::string certificate_sha256_hex(const std::string& cert_pem);

}  // namespace k8sjobs::testing
