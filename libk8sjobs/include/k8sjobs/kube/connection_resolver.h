#pragma once
// Finds the cluster and credentials the way kubectl does: an explicit kubeconfig, else
// KUBECONFIG, else ~/.kube/config, else the in-cluster service account.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/kube/connection.h"
#include "k8sjobs/kube/error.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::kube {

struct ConnectionRequest {
  std::optional<std::filesystem::path> kubeconfig;  // must exist when given
  std::optional<std::string> context;
  std::optional<std::string> namespace_override;  // wins over every other source
  std::filesystem::path service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

Result<ConnectionConfig> resolve_connection(const ConnectionRequest& request,
                                            const sys::Environment& env);

// Splits a KUBECONFIG value on ':' dropping empty entries and repeats (kubectl does the same).
std::vector<std::filesystem::path> split_kubeconfig_list(const std::string& value);

}  // namespace k8sjobs::kube
