#pragma once
// Credentials for each request: static ones from kubeconfig, a token file re-read when it
// changes, or an exec plugin whose answer is cached until it expires.

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
  // Cheap when cached; called before every request.
  virtual Result<Credentials> get() = 0;
  // After a 401: re-read the token file / re-run the exec plugin on the next get().
  virtual void invalidate() = 0;
};

std::unique_ptr<CredentialProvider> make_credential_provider(const ConnectionConfig& config,
                                                             sys::Clock& clock,
                                                             const sys::Environment& environment);

}  // namespace k8sjobs::kube
