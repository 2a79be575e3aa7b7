#pragma once
// Everything needed to reach one API server as one user: the product of kubeconfig or
// in-cluster discovery, consumed by the HTTP transport and the credential provider.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace k8sjobs::kube {

// An `exec` credential plugin (client.authentication.k8s.io/v1 or v1beta1).
struct ExecPluginConfig {
  std::string command;  // resolved as kubectl does: relative paths with a slash are
                        // relative to the kubeconfig file's directory
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string api_version;  // client.authentication.k8s.io/v1 or .../v1beta1
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode;  // Never | IfAvailable | Always
};

struct AuthConfig {
  std::optional<std::string> token;       // static bearer token
  std::optional<std::string> token_file;  // re-read when it changes
  std::optional<std::string> client_certificate_pem;
  std::optional<std::string> client_key_pem;
  std::optional<ExecPluginConfig> exec;
  std::optional<std::string> username;  // basic auth is not supported; kept for messages
};

struct ConnectionConfig {
  std::string server;  // https://host:port[/prefix]
  std::optional<std::string> certificate_authority_pem;
  std::optional<std::string> tls_server_name;
  bool insecure_skip_tls_verify = false;
  AuthConfig auth;
  std::string namespace_name = "default";
  std::string context_name;  // for messages; "" when in-cluster
  std::string source;        // where this came from, e.g. "/home/a/.kube/config" or "in-cluster"
};

}  // namespace k8sjobs::kube
