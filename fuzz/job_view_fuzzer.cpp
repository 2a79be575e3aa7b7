// SPDX-License-Identifier: Apache-2.0
// The record views (jobs/kube_job_view.h) over any JSON: what a LIST of Jobs, Deployments and
// Pods returns, from a server or a user who may write any field of their own objects. The
// input is JSON: an object with "items" is a LIST whose items are fed by their "kind" (an item
// of no known kind is fed as all three); an array is several such objects; anything else is
// one object. Nothing may escape JobViewCollector, whatever the fields hold. Each object also
// goes through k8sjobs-controller's decision (controller/start_decision.h), which reads the
// same objects with more rights: only an object whose identity checks out may be started.
// Each object is also read as the Toolforge jobs framework's (jobs/toolforge_job_view.h, a
// CronJob too): a job it takes always has a uid to record its number under, and a name.
// Pods and Jobs also go through the -hold_jid_ad gate's readers (controller/task_gate_decision.h):
// a task read off a pod has a task id inside its range and the gate where the patch removes it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "k8sjobs/controller/start_decision.h"
#include "k8sjobs/controller/task_gate_decision.h"
#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/toolforge_job_view.h"

namespace {

using k8sjobs::jobs::JobViewCollector;
using k8sjobs::jobs::ToolforgeJobCollector;
using nlohmann::json;

void decide(const json& object, bool deployment) {
  namespace controller = k8sjobs::controller;
  const auto decision = controller::decide_start(
      object, deployment, std::chrono::system_clock::time_point(std::chrono::seconds(1893456000)));
  if (decision.action == controller::StartAction::Release) {
    FUZZ_CHECK(k8sjobs::jobs::verify_owner_identity(object).has_value());
    FUZZ_CHECK(decision.due.has_value());
    (void)controller::release_patch(decision);
  }
}

void read_gates(const json& object) {
  namespace controller = k8sjobs::controller;
  if (auto task = controller::read_gated_task(object); task && *task) {
    const auto& range = (*task)->range;
    FUZZ_CHECK(range.first >= 1 && range.last >= range.first && range.step >= 1);
    FUZZ_CHECK((*task)->task_id >= range.first && (*task)->task_id <= range.last);
    const json& gates = object["spec"]["schedulingGates"];
    FUZZ_CHECK((*task)->gate_index < gates.size());
    FUZZ_CHECK(gates[(*task)->gate_index]["name"] == k8sjobs::jobs::kHoldJidAdGate);
    (void)controller::ungate_patch(**task);
  }
  if (auto tasks = controller::read_predecessor_tasks(object)) {
    for (int task : tasks->second.finished) {
      FUZZ_CHECK(task >= tasks->second.range.first && task <= tasks->second.range.last);
    }
  }
}

void add_object(JobViewCollector& collector, ToolforgeJobCollector& foreign, const json& object) {
  read_gates(object);
  const auto kind = object.is_object() ? object.find("kind") : object.end();
  const bool known = kind != object.end() && kind->is_string();
  decide(object, false);
  decide(object, true);
  if (!known || *kind == "Job") collector.add_job(object);
  if (!known || *kind == "Deployment") collector.add_deployment(object);
  if (!known || *kind == "Pod") collector.add_pod(object);
  if (!known || *kind == "Job") foreign.add_job(object);
  if (!known || *kind == "CronJob") foreign.add_cronjob(object);
  if (!known || *kind == "Deployment") foreign.add_deployment(object);
  if (!known || *kind == "Pod") foreign.add_pod(object);
}

void add_value(JobViewCollector& collector, ToolforgeJobCollector& foreign, const json& value) {
  if (value.is_object() && value.contains("items") && value["items"].is_array()) {
    for (const auto& item : value["items"]) add_object(collector, foreign, item);
  } else {
    add_object(collector, foreign, value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const json input = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded()) return 0;
  JobViewCollector collector;
  ToolforgeJobCollector foreign("tool-alice", "tools.");
  if (input.is_array()) {
    for (const auto& value : input) add_value(collector, foreign, value);
  } else {
    add_value(collector, foreign, input);
  }
  const auto records = collector.take_records();
  FUZZ_CHECK(collector.take_records().empty());
  (void)records;
  for (const auto& job : foreign.take().jobs) {
    FUZZ_CHECK(!job.uid.empty() && !job.record.name.empty());
    FUZZ_CHECK(job.record.tasks.size() == 1);
  }
  FUZZ_CHECK(foreign.take().jobs.empty());
  return 0;
}
