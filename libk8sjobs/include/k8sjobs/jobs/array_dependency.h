// SPDX-License-Identifier: Apache-2.0
#pragma once
// -hold_jid_ad: array dependencies, task by task. Grid Engine's rule (qmaster's
// sge_task_depend): both jobs are array jobs with the same first and last task; task i of the
// successor (range b0-b1:sb) waits for the predecessor's tasks from nearest(i) to
// nearest(i + sb - 1), nearest(x) = a0 + floor((x - a0) / sa) * sa, in the predecessor's steps
// (with equal steps: task i waits for task i). A predecessor task that finished counts, whatever
// its exit status; a predecessor job that is gone counts as finished.
//
// On Kubernetes the successor is an Indexed Job whose pods are created with the scheduling gate
// kHoldJidAdGate: they exist (qstat shows the task as hqw) but the scheduler leaves them alone
// until k8sjobs-controller removes the gate (controller/task_gate_decision.h). The job numbers
// are kept, as for -hold_jid, in an annotation of the Job and of its pod template (so each pod
// carries them), and the pod template's kArrayHoldLabel lets the controller list only such
// pods. The local backend's supervisor applies the same rule to its tasks.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/jobs/predecessors.h"

namespace k8sjobs::jobs {

// The array jobs a job's tasks wait for ("12,13"), on the Job and on its pod template.
inline constexpr const char* kHoldJidAdAnnotation = "k8sjobs.io/hold-jid-ad";
// The scheduling gate of the pods that wait (spec.schedulingGates[].name).
inline constexpr const char* kHoldJidAdGate = "k8sjobs.io/hold-jid-ad";
// On the pod template: value "true"; the controller lists pods by it.
inline constexpr const char* kArrayHoldLabel = "k8sjobs.io/array-hold";
// On the pod template: the job's -t range ("1-10:2"), so a pod tells its task id.
inline constexpr const char* kArrayRangeAnnotation = "k8sjobs.io/array-range";

std::string format_array_range(const ArrayRange& range);
// Read back as untrusted: first 1.., last >= first, step 1.., each an int.
Expected<ArrayRange, std::string> parse_array_range(std::string_view text);

// Grid Engine's messages when a -hold_jid_ad cannot be accepted.
inline constexpr const char* kArrayHoldNeedsArray =
    "Can only specify \"-hold_jid_ad\" option with an array job (using \"-t\" option)";
inline constexpr const char* kArrayHoldNeedsSameRange =
    "This array job must have the same range of sub-tasks as the dependent array job specified "
    "with -hold_jid_ad";

// The predecessor's task ids that the successor's `task_id` waits for, ascending (empty when the
// ranges differ or `task_id` is not one of the successor's tasks).
std::vector<int> predecessor_tasks(const ArrayRange& predecessor, const ArrayRange& successor,
                                   int task_id);

// The submission check after resolving (resolve_hold_jid): `successor` is the submitted job's
// -t range, `ids` the jobs named, `own_jobs` the user's jobs they were resolved from. Error: Grid
// Engine's message.
Expected<Done, std::string> check_array_predecessors(const std::optional<ArrayRange>& successor,
                                                     const std::vector<long long>& ids,
                                                     const std::vector<JobRecord>& own_jobs);

// k8sjobs.io/hold-jid-ad of a Job or pod, read as untrusted (as read_predecessors).
PredecessorMark read_array_predecessors(const nlohmann::json& object);

// Whether a pod still carries kHoldJidAdGate.
bool has_array_hold_gate(const nlohmann::json& pod);

// Which tasks of one predecessor have finished, as the cluster shows it.
struct PredecessorTasks {
  ArrayRange range;
  bool all_finished = false;  // the Job finished (Complete or Failed) or is being deleted
  std::set<int> finished;     // task ids (completedIndexes and failedIndexes)
};

// Whether task `task_id` of an array job of range `successor` may start: every predecessor task
// it waits for has finished. `predecessors`: the predecessor jobs that still exist (a job not
// in it counts as finished); `waiting` gets the job numbers it still waits for.
bool array_task_may_start(const ArrayRange& successor, int task_id,
                          const std::vector<long long>& predecessor_ids,
                          const std::map<long long, PredecessorTasks>& predecessors,
                          std::vector<long long>* waiting = nullptr);

}  // namespace k8sjobs::jobs
