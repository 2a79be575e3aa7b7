#pragma once
// What to send to the API server as "who am I", possibly changing over time: a token file
// that is rotated, or an exec plugin whose credentials expire.

#include <memory>
#include <optional>
#include <string>

#include "k8sjobs/kube/connection.h"
#include "k8sjobs/kube/error.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::kube {

struct Credentials {
  std::optional<std::string> bearer_token;
  std::optional<std::string> client_certificate_pem;
  std::optional<std::string> client_key_pem;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // Cheap when cached; call before every request. Thread-safe.
  virtual Result<Credentials> get() = 0;
  // After a 401: the next get() re-reads the token file / re-runs the exec plugin.
  virtual void invalidate() = 0;
};

// Precedence follows client-go: tokenFile over token; an exec plugin is used only when the
// user has neither a token nor a client certificate. `clock` must outlive the provider;
// `env` (copied) is the environment exec plugins run with, plus their own variables.
std::unique_ptr<CredentialProvider> make_credential_provider(const ConnectionConfig& config,
                                                             sys::Clock& clock,
                                                             const sys::Environment& env);

}  // namespace k8sjobs::kube
