#pragma once
// Kubernetes objects → JobRecords: how qstat sees Jobs, Deployments and their Pods. Pure: the
// objects come from one label-selected LIST per kind.

#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::jobs {

struct ClusterSnapshot {
  std::vector<nlohmann::json> jobs;         // batch/v1 Jobs labelled managed-by=k8sjobs
  std::vector<nlohmann::json> deployments;  // apps/v1 Deployments labelled managed-by=k8sjobs
  std::vector<nlohmann::json> pods;         // their pods (same label)
  std::vector<nlohmann::json> events;  // optional: v1 Events in the namespace (FailedCreate...)
};

// One JobRecord per Job/Deployment, tasks derived from the pods. Finished jobs are included
// (state Succeeded/Failed); the caller filters.
std::vector<JobRecord> derive_job_records(const ClusterSnapshot& snapshot);

}  // namespace k8sjobs::jobs
