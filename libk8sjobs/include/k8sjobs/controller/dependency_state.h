// SPDX-License-Identifier: Apache-2.0
#pragma once
// -hold_jid in k8sjobs-controller: which jobs of a namespace still hold their successors back,
// from the objects as the cluster shows them now (pure). Grid Engine's rule: a predecessor
// holds until it has finished, whatever its exit status; one that no longer exists counts as
// finished. A Job has finished when its Complete or Failed condition is true; a Deployment (a
// continuous job) never finishes while it exists.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace k8sjobs::controller {

// The job numbers of one namespace whose objects exist and have not finished.
using UnfinishedJobs = std::set<long long>;

// The job number of `object` when it is k8sjobs' (identity verified) and has not finished.
std::optional<long long> unfinished_job_number(const nlohmann::json& object, bool deployment);

// The job number of `object` when it is k8sjobs' and has finished, or (`deleted`) is gone:
// what a watch event says to the jobs waiting for it.
std::optional<long long> ended_job_number(const nlohmann::json& object, bool deployment,
                                          bool deleted);

// Those of `predecessors` in `unfinished`: what the job still waits for.
std::vector<long long> pending_predecessors(const std::vector<long long>& predecessors,
                                            const UnfinishedJobs& unfinished);

// The label selector of k8sjobs' objects with these job numbers (one LIST finds a job's
// predecessors).
std::string predecessors_selector(const std::vector<long long>& ids);

}  // namespace k8sjobs::controller
