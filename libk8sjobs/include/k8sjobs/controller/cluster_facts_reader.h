// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the status page shows beside the jobs, read where the cluster allows it, cheaply:
// - capacity: one LIST of nodes (only status.allocatable and spec.unschedulable kept), once a
//   minute; a controller that may not list nodes (bound per namespace) says so on the page;
// - memory in use: one LIST of metrics.k8s.io PodMetrics per scope (k8sjobs' pods only), every
//   snapshot; a cluster without metrics-server answers 404, shown as unknown.
// A refusal (403) or a missing API (404) is asked again only after kRetryRefused, so a
// cluster without them costs one request per ten minutes. Used by the status feed's thread only.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/kube/client.h"
#include "k8sjobs/status/status_snapshot.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

namespace resources {
// Cluster-scoped; listed without a namespace.
inline constexpr kube::ResourceKind kNodes{"", "v1", "nodes", "Node"};
inline constexpr kube::ResourceKind kPodMetrics{"metrics.k8s.io", "v1beta1", "pods", "PodMetrics"};
}  // namespace resources

class ClusterFactsReader {
 public:
  static constexpr std::chrono::seconds kCapacityEvery{60};
  static constexpr std::chrono::seconds kRetryRefused{600};

  // `scopes`: the namespaces watched ("" for all).
  ClusterFactsReader(std::unique_ptr<kube::KubeClient> client, std::vector<std::string> scopes,
                     sys::Clock& clock);

  // Fills capacity, memory and their notes (the last answer while not asked again).
  void read(status::ClusterFacts& facts);

 private:
  void read_capacity();
  void read_memory();

  std::unique_ptr<kube::KubeClient> client_;
  std::vector<std::string> scopes_;
  sys::Clock& clock_;
  std::optional<status::ClusterCapacity> capacity_;
  std::string capacity_note_ = "not read yet";
  std::optional<std::chrono::steady_clock::time_point> next_capacity_;
  std::optional<status::MemoryUsage> memory_;
  std::string memory_note_ = "not read yet";
  std::optional<std::chrono::steady_clock::time_point> next_memory_;
};

// Why a read failed, for the page: "the controller may not list nodes (RBAC)", "no metrics API
// in this cluster (metrics.k8s.io)", or the error.
std::string refusal_note(const kube::Error& error, const std::string& what);

}  // namespace k8sjobs::controller
