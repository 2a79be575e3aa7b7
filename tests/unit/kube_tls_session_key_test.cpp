// The key a saved TLS session is filed under: every field that decides whether the session may be
// offered changes it, so a session never reaches another server, trust anchor or identity.
#include <gtest/gtest.h>

#include <set>

#include "k8sjobs/kube/tls_session_store.h"

namespace k8sjobs::kube {
namespace {

TlsSessionPeer base_peer() {
  TlsSessionPeer peer;
  peer.url = "https://k8s.example:6443";
  peer.certificate_authority_pem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
  peer.client_certificate_pem = "-----BEGIN CERTIFICATE-----\nME\n-----END CERTIFICATE-----\n";
  return peer;
}

TEST(TlsSessionKey, IsSixtyFourLowercaseHexDigitsAndStable) {
  std::string key = tls_session_key(base_peer());
  ASSERT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
  EXPECT_EQ(tls_session_key(base_peer()), key);
}

TEST(TlsSessionKey, EveryFieldThatDecidesTheOfferChangesIt) {
  std::vector<TlsSessionPeer> peers(8, base_peer());
  peers[1].url = "https://k8s.example:6444";
  peers[2].connect_to = "k8s.example:6443:10.0.0.1:6443";
  peers[3].verifies_server = false;
  peers[4].certificate_authority_pem = "another CA";
  peers[5].certificate_authority_pem.reset();  // the system trust store
  peers[6].client_certificate_pem = "another client certificate";
  peers[7].client_certificate_pem.reset();  // a token user on the same server
  std::set<std::string> keys;
  for (const auto& peer : peers) keys.insert(tls_session_key(peer));
  EXPECT_EQ(keys.size(), peers.size());
}

TEST(TlsSessionKey, FieldsCannotBeShiftedIntoOneAnother) {
  TlsSessionPeer a = base_peer();
  TlsSessionPeer b = base_peer();
  a.url = "https://k8s.example:6443";
  a.connect_to = "x";
  b.url = "https://k8s.example:6443x";
  b.connect_to = "";
  EXPECT_NE(tls_session_key(a), tls_session_key(b));
  TlsSessionPeer empty_ca = base_peer();
  empty_ca.certificate_authority_pem = "";
  TlsSessionPeer no_ca = base_peer();
  no_ca.certificate_authority_pem.reset();
  EXPECT_NE(tls_session_key(empty_ca), tls_session_key(no_ca));
}

}  // namespace
}  // namespace k8sjobs::kube
