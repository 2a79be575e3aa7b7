// SPDX-License-Identifier: Apache-2.0
#pragma once
// -hold_jid_ad on the cluster: which waiting pods may start (jobs/array_dependency.h). A task's
// pod is created with the scheduling gate k8sjobs.io/hold-jid-ad; k8sjobs-controller removes the
// gate with one JSON patch once the predecessor tasks it waits for have finished. What is decided
// here is pure: pods and Jobs (untrusted) in, candidates, predecessor states and patches out.
// Anyone who can edit a pod in the namespace could remove the gate themselves; nothing here
// trusts the pod beyond what lets it start earlier than asked, and nothing here throws.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/array_dependency.h"

namespace k8sjobs::controller {

// One pod that waits behind the gate.
struct GatedTask {
  std::string namespace_name;
  std::string name;
  std::string reference;  // "pod/<name>", for logs
  long long job_id = 0;
  int task_id = 0;
  jobs::ArrayRange range;               // the job's -t range
  std::vector<long long> predecessors;  // k8sjobs.io/hold-jid-ad
  std::size_t gate_index = 0;           // position of the gate in spec.schedulingGates
};

// nullopt: no gate of ours (already released, or not a k8sjobs pod waiting), or being deleted;
// the task; or why a pod with the gate cannot be read (logged, left as it is).
Expected<std::optional<GatedTask>, std::string> read_gated_task(const nlohmann::json& pod);

// Job number and finished tasks of a predecessor Job as it is now; nullopt when it is not a
// k8sjobs Job (its identity labels do not verify).
std::optional<std::pair<long long, jobs::PredecessorTasks>> read_predecessor_tasks(
    const nlohmann::json& job);

// The JSON patch that removes the gate, tested against the gate's name at its position (a pod
// whose gates changed since it was read is decided again on the next pass).
nlohmann::json ungate_patch(const GatedTask& task);

}  // namespace k8sjobs::controller
