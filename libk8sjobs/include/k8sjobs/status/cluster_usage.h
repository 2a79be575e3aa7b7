// SPDX-License-Identifier: Apache-2.0
#pragma once
// The cluster's capacity (nodes' status.allocatable) and the memory k8sjobs' pods use
// (metrics.k8s.io PodMetrics), from the objects as listed. Pure; every field untrusted: a value
// that is not a Kubernetes quantity is left out, never an exception.

#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/status/status_snapshot.h"

namespace k8sjobs::status {

// Summed over the nodes that are not cordoned (spec.unschedulable): what new pods can get.
ClusterCapacity capacity_from_nodes(const std::vector<nlohmann::json>& nodes);

// Memory of each k8sjobs task, summed over its pod's containers. The pod is found by the
// labels metrics-server copies from it: k8sjobs.io/job-id and, for array tasks,
// batch.kubernetes.io/job-completion-index.
MemoryUsage memory_from_pod_metrics(const std::vector<nlohmann::json>& items);

// a + b for sums of quantities read from the cluster: at most LLONG_MAX, never an overflow.
long long add_saturated(long long a, long long b);

// "1.5 GiB", "512 MiB", "900 KiB", "12 B": memory for people (binary units, one decimal).
std::string format_bytes(long long bytes);

}  // namespace k8sjobs::status
