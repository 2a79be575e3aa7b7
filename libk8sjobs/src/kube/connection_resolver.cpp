#include "k8sjobs/kube/connection_resolver.h"

#include <algorithm>
#include <utility>

#include "k8sjobs/kube/kubeconfig.h"
#include "kubeconfig_files.h"

namespace k8sjobs::kube {
namespace {

bool file_exists(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// A kubeconfig with nothing in it does not count as configuration; kubectl then falls back
// to the in-cluster service account too.
bool is_empty(const Kubeconfig& config) {
  return config.clusters.empty() && config.users.empty() && config.contexts.empty() &&
         config.current_context.empty();
}

Result<ConnectionConfig> from_files(const std::vector<std::filesystem::path>& files,
                                    const ConnectionRequest& request) {
  auto config = load_kubeconfig(files);
  if (!config) return unexpected(config.error());
  return config->connection(request.context);
}

// Mirrors client-go's rest.InClusterConfig plus the in-cluster namespace rule.
std::optional<Result<ConnectionConfig>> in_cluster(const ConnectionRequest& request,
                                                   const sys::Environment& env) {
  auto host = env.get("KUBERNETES_SERVICE_HOST");
  auto port = env.get("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) return std::nullopt;

  ConnectionConfig out;
  const bool ipv6 = host->find(':') != std::string::npos;
  out.server = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;
  out.source = "in-cluster";

  const auto token_path = request.service_account_dir / "token";
  // Fail now rather than on the first request: without the token nothing will work.
  if (auto token = detail::read_small_file(token_path); !token) {
    return Result<ConnectionConfig>(unexpected(config_error(
        "in-cluster configuration (KUBERNETES_SERVICE_HOST is set): cannot read the service "
        "account token " +
        token_path.string() + ": " + token.error())));
  }
  // Kept as a file so rotated (projected) tokens are picked up, as client-go does.
  out.auth.token_file = token_path.string();

  const auto ca_path = request.service_account_dir / "ca.crt";
  if (file_exists(ca_path)) {
    auto ca = detail::read_small_file(ca_path);
    if (!ca) {
      return Result<ConnectionConfig>(unexpected(config_error(
          "in-cluster configuration: cannot read " + ca_path.string() + ": " + ca.error())));
    }
    out.certificate_authority_pem = std::move(*ca);
  }

  if (auto pod_namespace = env.get("POD_NAMESPACE"); pod_namespace && !pod_namespace->empty()) {
    out.namespace_name = *pod_namespace;
  } else if (auto ns = detail::read_small_file(request.service_account_dir / "namespace")) {
    auto trimmed = detail::trim(*ns);
    if (!trimmed.empty()) out.namespace_name = trimmed;
  }
  return Result<ConnectionConfig>(std::move(out));
}

Result<ConnectionConfig> resolve_unoverridden(const ConnectionRequest& request,
                                              const sys::Environment& env) {
  if (request.kubeconfig) {
    if (!file_exists(*request.kubeconfig)) {
      return unexpected(
          config_error("kubeconfig \"" + request.kubeconfig->string() + "\" does not exist"));
    }
    return from_files({*request.kubeconfig}, request);
  }

  std::string why_not;
  auto list = env.get("KUBECONFIG");
  if (list && !list->empty()) {
    auto files = split_kubeconfig_list(*list);
    if (std::any_of(files.begin(), files.end(), file_exists)) {
      auto config = load_kubeconfig(files);
      if (!config) return unexpected(config.error());
      if (!is_empty(*config) || request.context) return config->connection(request.context);
      why_not = "the files in KUBECONFIG (" + *list + ") define nothing";
    } else {
      why_not = "none of the files in KUBECONFIG (" + *list + ") exist";
    }
  } else if (auto home = env.get("HOME"); home && !home->empty()) {
    const auto path = std::filesystem::path(*home) / ".kube" / "config";
    if (file_exists(path)) {
      auto config = load_kubeconfig({path});
      if (!config) return unexpected(config.error());
      if (!is_empty(*config) || request.context) return config->connection(request.context);
      why_not = path.string() + " defines nothing";
    }
  }

  if (auto cluster = in_cluster(request, env)) return std::move(*cluster);
  std::string message =
      "no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config or run inside "
      "a cluster";
  if (!why_not.empty()) message += " (" + why_not + ")";
  return unexpected(config_error(std::move(message)));
}

}  // namespace

std::vector<std::filesystem::path> split_kubeconfig_list(const std::string& value) {
  std::vector<std::filesystem::path> files;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find(':', start);
    if (end == std::string::npos) end = value.size();
    std::filesystem::path entry(value.substr(start, end - start));
    if (!entry.empty() && std::find(files.begin(), files.end(), entry) == files.end()) {
      files.push_back(std::move(entry));
    }
    start = end + 1;
  }
  return files;
}

Result<ConnectionConfig> resolve_connection(const ConnectionRequest& request,
                                            const sys::Environment& env) {
  auto result = resolve_unoverridden(request, env);
  if (result && request.namespace_override && !request.namespace_override->empty()) {
    result->namespace_name = *request.namespace_override;
  }
  return result;
}

}  // namespace k8sjobs::kube
