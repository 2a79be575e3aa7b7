// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/task_gate_controller.h"

#include <map>
#include <set>
#include <vector>

#include "k8sjobs/controller/dependency_state.h"
#include "k8sjobs/controller/task_gate_decision.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/log.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

namespace {

// Two Jobs claiming one job number (someone copied labels): a task counts as finished only
// when both say so.
void merge_claims(jobs::PredecessorTasks& kept, const jobs::PredecessorTasks& other) {
  if (other.all_finished) return;
  if (kept.all_finished) {
    kept = other;
    return;
  }
  std::set<int> both;
  for (int task : kept.finished) {
    if (other.finished.contains(task)) both.insert(task);
  }
  kept.finished = std::move(both);
}

}  // namespace

TaskGateController::TaskGateController(kube::KubeClient& client) : client_(client) {}

kube::Result<GatePassSummary> TaskGateController::reconcile(const std::string& ns,
                                                            const MayAct& may_act) {
  GatePassSummary summary;
  kube::ListOptions pods;
  pods.label_selector = translate::managed_by_selector() + "," + jobs::kArrayHoldLabel + "=true";
  pods.limit = 500;
  std::vector<GatedTask> gated;
  std::map<std::string, std::set<long long>> wanted;  // namespace -> predecessor job numbers
  auto listed = client_.list_pages(
      kube::resources::kPods, ns, pods, [&](kube::ListPage& page, bool restarted) {
        if (restarted) {
          gated.clear();
          wanted.clear();
          summary.skipped = 0;
        }
        for (const auto& pod : page.items) {
          auto task = read_gated_task(pod);
          if (!task) {
            log_warning("{}", task.error());
            ++summary.skipped;
            continue;
          }
          if (!*task) continue;
          wanted[(*task)->namespace_name].insert((*task)->predecessors.begin(),
                                                 (*task)->predecessors.end());
          gated.push_back(std::move(**task));
        }
      });
  if (!listed) return unexpected(listed.error());
  if (gated.empty()) return summary;

  std::map<std::string, std::map<long long, jobs::PredecessorTasks>> states;
  for (const auto& [namespace_name, ids] : wanted) {
    auto& known = states[namespace_name];
    if (ids.empty()) continue;
    kube::ListOptions jobs_options;
    jobs_options.label_selector =
        predecessors_selector(std::vector<long long>(ids.begin(), ids.end()));
    auto jobs_listed = client_.list_all(kube::resources::kJobs, namespace_name, jobs_options);
    if (!jobs_listed) return unexpected(jobs_listed.error());
    for (const auto& job : jobs_listed->items) {
      auto read = read_predecessor_tasks(job);
      if (!read) continue;
      auto [slot, added] = known.try_emplace(read->first, read->second);
      if (!added) merge_claims(slot->second, read->second);
    }
  }

  for (const auto& task : gated) {
    std::vector<long long> waiting;
    if (!jobs::array_task_may_start(task.range, task.task_id, task.predecessors,
                                    states[task.namespace_name], &waiting)) {
      ++summary.waiting;
      log_debug("{} in namespace {} (job {} task {}) waits for jobs {}", task.reference,
                task.namespace_name, task.job_id, task.task_id, jobs::format_predecessors(waiting));
      continue;
    }
    if (!may_act()) {
      ++summary.failed;
      continue;
    }
    auto patched = client_.patch(kube::resources::kPods, task.namespace_name, task.name,
                                 kube::PatchType::JsonPatch, ungate_patch(task));
    if (!patched) {
      if (!patched.error().is(kube::StatusReason::NotFound)) {
        log_warning("{} in namespace {}: not released: {}", task.reference, task.namespace_name,
                    patched.error().describe());
        ++summary.failed;
      }
      continue;
    }
    log_info("{} in namespace {}: job {} task {} released (its predecessor tasks have finished)",
             task.reference, task.namespace_name, task.job_id, task.task_id);
    ++summary.released;
  }
  return summary;
}

}  // namespace k8sjobs::controller
