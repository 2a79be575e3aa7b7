#pragma once
// kubeconfig files as kubectl reads them: several files merged (the first file that defines
// a name wins), relative paths resolved against the file that held them, then one context
// turned into a ConnectionConfig.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/kube/connection.h"
#include "k8sjobs/kube/error.h"

namespace k8sjobs::kube {

struct KubeconfigCluster {
  std::string server;
  std::optional<std::string> certificate_authority;       // absolute path
  std::optional<std::string> certificate_authority_data;  // base64, as written
  std::optional<std::string> tls_server_name;
  std::optional<bool> insecure_skip_tls_verify;
  std::optional<std::string> proxy_url;  // read so it can be reported; not used
  std::filesystem::path origin;          // the file this entry came from
};

struct KubeconfigUser {
  std::optional<std::string> client_certificate;       // absolute path
  std::optional<std::string> client_certificate_data;  // base64, as written
  std::optional<std::string> client_key;               // absolute path
  std::optional<std::string> client_key_data;          // base64, as written
  std::optional<std::string> token;
  std::optional<std::string> token_file;  // absolute path
  std::optional<std::string> username;
  std::optional<ExecPluginConfig> exec;      // command already resolved against `origin`
  std::optional<std::string> auth_provider;  // name only: not supported
  std::optional<std::string> impersonate;    // `as`: not supported
  std::filesystem::path origin;
};

struct KubeconfigContext {
  std::string cluster;
  std::string user;
  std::optional<std::string> namespace_name;
  std::filesystem::path origin;
};

struct Kubeconfig {
  std::map<std::string, KubeconfigCluster> clusters;
  std::map<std::string, KubeconfigUser> users;
  std::map<std::string, KubeconfigContext> contexts;
  std::string current_context;               // "" when no file sets it
  std::vector<std::filesystem::path> files;  // the files actually read, in order

  // The connection for `context_override` (or current-context): reads certificate files and
  // decodes *-data fields, but leaves tokenFile and exec for the credential provider.
  Result<ConnectionConfig> connection(std::optional<std::string> context_override) const;
};

// Reads and merges `files` in order. Missing files are skipped (a KUBECONFIG list may name
// files that do not exist); an unreadable or invalid file is a ConfigError naming it.
Result<Kubeconfig> load_kubeconfig(const std::vector<std::filesystem::path>& files);

}  // namespace k8sjobs::kube
