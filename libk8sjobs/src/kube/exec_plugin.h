#pragma once
// Runs a client-go style exec credential plugin once. Private to src/kube: callers use
// CredentialProvider, which caches.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "k8sjobs/kube/connection.h"
#include "k8sjobs/kube/error.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::kube::detail {

struct ExecCredentialResult {
  std::optional<std::string> token;
  std::optional<std::string> client_certificate_pem;
  std::optional<std::string> client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry;  // none: valid for good
};

// `connection` supplies the cluster for provideClusterInfo; `env` is the environment the
// plugin starts from (and whose PATH finds bare command names).
Result<ExecCredentialResult> run_exec_plugin(const ExecPluginConfig& exec,
                                             const ConnectionConfig& connection,
                                             const sys::Environment& env);

// The KUBERNETES_EXEC_INFO value handed to the plugin.
std::string exec_info_json(const ExecPluginConfig& exec, const ConnectionConfig& connection);

// RFC 3339 ("2024-05-01T12:00:00Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace k8sjobs::kube::detail
