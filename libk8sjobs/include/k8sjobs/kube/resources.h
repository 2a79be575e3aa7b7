#pragma once
// The Kubernetes resources k8sjobs works with, and their REST paths.

#include <string>
#include <string_view>

namespace k8sjobs::kube {

struct ResourceKind {
  std::string_view group;  // "" for the core group
  std::string_view version;
  std::string_view plural;
  std::string_view kind;

  std::string api_version() const;  // "batch/v1" or "v1"
  // /apis/batch/v1/namespaces/NS/jobs (or /api/v1/... for the core group); with an empty
  // namespace, the collection across all namespaces (/apis/batch/v1/jobs)
  std::string collection_path(std::string_view ns) const;
  std::string object_path(std::string_view ns, std::string_view name) const;
};

namespace resources {
inline constexpr ResourceKind kJobs{"batch", "v1", "jobs", "Job"};
inline constexpr ResourceKind kCronJobs{"batch", "v1", "cronjobs", "CronJob"};
inline constexpr ResourceKind kDeployments{"apps", "v1", "deployments", "Deployment"};
inline constexpr ResourceKind kPods{"", "v1", "pods", "Pod"};
inline constexpr ResourceKind kConfigMaps{"", "v1", "configmaps", "ConfigMap"};
inline constexpr ResourceKind kEvents{"", "v1", "events", "Event"};
inline constexpr ResourceKind kLeases{"coordination.k8s.io", "v1", "leases", "Lease"};
}  // namespace resources

// Percent-encodes a query parameter value (selectors contain '=', ',', '!', spaces).
std::string url_encode(std::string_view value);

}  // namespace k8sjobs::kube
