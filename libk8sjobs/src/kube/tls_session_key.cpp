#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdio>

#include "k8sjobs/kube/tls_session_store.h"

namespace k8sjobs::kube {
namespace {

// Length-prefixed, so that no two different peers make the same text.
void add_field(std::string& material, std::string_view field) {
  material += std::to_string(field.size());
  material += ':';
  material += field;
}

}  // namespace

std::string tls_session_key(const TlsSessionPeer& peer) {
  std::string material = "k8sjobs-tls-session-1;";
  add_field(material, peer.url);
  add_field(material, peer.connect_to);
  add_field(material, peer.verifies_server ? "verify" : "insecure");
  add_field(material,
            peer.certificate_authority_pem ? "ca:" + *peer.certificate_authority_pem : "");
  add_field(material, peer.client_certificate_pem ? "cert:" + *peer.client_certificate_pem : "");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(material.data(), material.size(), digest, &digest_size, EVP_sha256(), nullptr) !=
      1) {
    ERR_clear_error();
    return "";  // no key: the store refuses it, so no session is offered or saved
  }
  std::string hex;
  hex.reserve(digest_size * 2);
  char pair[3];
  for (unsigned int i = 0; i < digest_size; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

}  // namespace k8sjobs::kube
