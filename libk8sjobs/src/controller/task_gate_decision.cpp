// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/task_gate_decision.h"

#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;

namespace {

constexpr const char* kIndexAnnotation = "batch.kubernetes.io/job-completion-index";

const json* annotation(const json& object, const char* key) {
  return untrusted::member(
      untrusted::object_member(untrusted::object_member(object, "metadata"), "annotations"), key);
}

bool condition_true(const json& object, const char* type) {
  for (const auto& condition :
       untrusted::array_member(untrusted::object_member(object, "status"), "conditions")) {
    if (untrusted::string_or(condition, "type") == type &&
        untrusted::string_or(condition, "status") == "True")
      return true;
  }
  return false;
}

}  // namespace

Expected<std::optional<GatedTask>, std::string> read_gated_task(const json& pod) {
  const json& spec = untrusted::object_member(pod, "spec");
  const json& gates = untrusted::array_member(spec, "schedulingGates");
  std::optional<std::size_t> gate_index;
  for (std::size_t i = 0; i < gates.size(); ++i) {
    if (untrusted::string_or(gates[i], "name") == jobs::kHoldJidAdGate) gate_index = i;
  }
  if (!gate_index) return std::optional<GatedTask>();
  const json& metadata = untrusted::object_member(pod, "metadata");
  if (untrusted::member(metadata, "deletionTimestamp") != nullptr)
    return std::optional<GatedTask>();
  GatedTask task;
  task.reference = untrusted::object_reference(pod, "pod");
  task.namespace_name = untrusted::string_or(metadata, "namespace");
  task.name = untrusted::string_or(metadata, "name");
  task.gate_index = *gate_index;
  auto fail = [&](const std::string& why) {
    return unexpected("ignoring " + task.reference + ": " + why + " (left waiting)");
  };
  if (task.namespace_name.empty() || task.name.empty())
    return fail("metadata.name or namespace is missing");
  // Pods carry their Job's labels (the pod template's), not its owner annotation: the job
  // number is what the log lines need.
  const json& labels = untrusted::object_member(metadata, "labels");
  if (untrusted::string_or(labels, translate::kManagedByLabel) != translate::kManagedByValue)
    return fail(std::string("label ") + translate::kManagedByLabel + " is not " +
                translate::kManagedByValue);
  const std::string id_text = untrusted::string_or(labels, translate::kJobIdLabel);
  auto id = untrusted::parse_job_number(id_text);
  if (!id)
    return fail(std::string("label ") + translate::kJobIdLabel + " " + untrusted::quoted(id_text) +
                " " + id.error());
  task.job_id = *id;
  const json* range_text = annotation(pod, jobs::kArrayRangeAnnotation);
  if (range_text == nullptr || !range_text->is_string())
    return fail(std::string("annotation ") + jobs::kArrayRangeAnnotation +
                " is missing or not a string");
  auto range = jobs::parse_array_range(range_text->get_ref<const std::string&>());
  if (!range)
    return fail(std::string("annotation ") + jobs::kArrayRangeAnnotation + " " + range.error());
  task.range = *range;
  const json* index_text = annotation(pod, kIndexAnnotation);
  if (index_text == nullptr || !index_text->is_string())
    return fail(std::string("annotation ") + kIndexAnnotation + " is missing or not a string");
  const long long count = (task.range.last - task.range.first) / task.range.step + 1;
  auto index = untrusted::parse_decimal(index_text->get_ref<const std::string&>(), 0, count - 1);
  if (!index) return fail(std::string("annotation ") + kIndexAnnotation + " " + index.error());
  task.task_id = static_cast<int>(task.range.first + *index * task.range.step);
  jobs::PredecessorMark predecessors = jobs::read_array_predecessors(pod);
  if (predecessors.unreadable) return fail(*predecessors.unreadable);
  task.predecessors = std::move(predecessors.ids);
  return std::optional<GatedTask>(std::move(task));
}

std::optional<std::pair<long long, jobs::PredecessorTasks>> read_predecessor_tasks(
    const json& job) {
  auto id = jobs::verify_owner_identity(job);
  if (!id) return std::nullopt;
  jobs::PredecessorTasks tasks;
  tasks.all_finished =
      condition_true(job, "Complete") || condition_true(job, "Failed") ||
      untrusted::member(untrusted::object_member(job, "metadata"), "deletionTimestamp") != nullptr;
  // Its -t range as submitted; without one (not an array job, or unreadable) the range stays
  // invalid and its tasks count only once the whole job has finished.
  tasks.range = jobs::ArrayRange{0, 0, 0};
  if (const json* details = annotation(job, translate::kDetailsAnnotation);
      details != nullptr && details->is_string()) {
    auto decoded = jobs::job_details_from_annotation(details->get_ref<const std::string&>());
    if (decoded.details.array) tasks.range = *decoded.details.array;
  }
  if (tasks.range.step > 0 && tasks.range.last >= tasks.range.first) {
    const int count = (tasks.range.last - tasks.range.first) / tasks.range.step + 1;
    const json& status = untrusted::object_member(job, "status");
    for (const char* key : {"completedIndexes", "failedIndexes"}) {
      for (int index : untrusted::parse_index_list(untrusted::string_or(status, key), count))
        tasks.finished.insert(tasks.range.first + index * tasks.range.step);
    }
  }
  return std::make_pair(*id, std::move(tasks));
}

json ungate_patch(const GatedTask& task) {
  const std::string path = "/spec/schedulingGates/" + std::to_string(task.gate_index);
  json patch = json::array();
  patch.push_back({{"op", "test"}, {"path", path + "/name"}, {"value", jobs::kHoldJidAdGate}});
  patch.push_back({{"op", "remove"}, {"path", path}});
  return patch;
}

}  // namespace k8sjobs::controller
