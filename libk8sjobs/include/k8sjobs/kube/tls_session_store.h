#pragma once
// TLS sessions kept between processes, so that the next jsub (or qstat, qdel) resumes the
// handshake with the API server instead of doing it in full: no certificate chain to send,
// parse and verify. Each crontab line is a new process, so libcurl's own session cache, which
// lives in the process, never gets the chance.
//
// A session holds the secret it resumes with, so a store keeps it readable by its owner only.
// Losing one costs a full handshake, never a failed request.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace k8sjobs::kube {

class TlsSessionStore {
 public:
  virtual ~TlsSessionStore() = default;
  // The session last saved under `key` (an SSL_SESSION in DER), if any.
  virtual std::optional<std::string> load(const std::string& key) = 0;
  // Replaces what `key` holds; failures are ignored (it is only a cache).
  virtual void save(const std::string& key, std::string_view session) = 0;
};

// Everything that decides whether a saved session may be offered on a connection.
struct TlsSessionPeer {
  std::string url;         // scheme://host:port[/prefix] as libcurl connects (SNI, verified name)
  std::string connect_to;  // the CURLOPT_CONNECT_TO rule, "" when none
  bool verifies_server = true;
  std::optional<std::string> certificate_authority_pem;
  std::optional<std::string> client_certificate_pem;  // the identity the session authenticates
};

// SHA-256 over all of `peer`, as 64 lowercase hex digits: a session is only ever offered to the
// server, trust anchors and client certificate it was made with (a session resumed with another
// client certificate would authenticate as the old one).
std::string tls_session_key(const TlsSessionPeer& peer);

// One file per key in `directory` (created, owner-only, when missing), mode 0600, replaced by
// rename so that a reader never sees half of one session and half of another. Keys are the
// 64 hex digits tls_session_key() makes; anything else is neither loaded nor saved.
std::unique_ptr<TlsSessionStore> make_file_tls_session_store(std::string directory);

// The file that holds `key`'s session in a file store at `directory` (for tests, and for `rm`).
std::string tls_session_path(const std::string& directory, const std::string& key);

}  // namespace k8sjobs::kube
