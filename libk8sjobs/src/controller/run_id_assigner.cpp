// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/run_id_assigner.h"

#include <vector>

#include "k8sjobs/controller/run_id_decision.h"
#include "k8sjobs/jobs/job_id_allocator.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/log.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::controller {

kube::Result<RunIdPass> RunIdAssigner::assign(const std::string& ns,
                                              const std::function<bool()>& may_act) {
  RunIdPass pass;
  kube::ListOptions options;
  options.label_selector = std::string(translate::kManagedByLabel) + "=" +
                           translate::kManagedByValue + "," + translate::kAwaitingJobIdLabel +
                           "=true";
  options.limit = 500;
  std::vector<RunIdCandidate> waiting;
  auto listed = client_.list_pages(kube::resources::kJobs, ns, options,
                                   [&](kube::ListPage& page, bool restarted) {
                                     if (restarted) waiting.clear();
                                     for (const auto& item : page.items) {
                                       auto decided = run_waiting_for_id(item);
                                       if (!decided) {
                                         log_warning("{}", decided.error());
                                         ++pass.skipped;
                                       } else if (*decided) {
                                         waiting.push_back(std::move(**decided));
                                       }
                                     }
                                   });
  if (!listed) return unexpected(listed.error());
  jobs::JobIdAllocator allocator(client_, clock_);
  for (const auto& candidate : waiting) {
    if (!may_act()) break;
    auto id = allocator.next(candidate.namespace_name);
    if (!id) {
      log_warning("{} in namespace {}: no job number: {}", candidate.reference,
                  candidate.namespace_name, id.error().describe());
      ++pass.failed;
      continue;
    }
    auto patched = client_.patch(kube::resources::kJobs, candidate.namespace_name, candidate.name,
                                 kube::PatchType::JsonPatch, run_id_patch(candidate, *id));
    if (!patched) {
      // Changed or deleted since the LIST: job number *id stays unused; the next pass decides
      // again from the Job as it is then.
      log_warning("{} in namespace {}: not numbered: {}", candidate.reference,
                  candidate.namespace_name, patched.error().describe());
      ++pass.failed;
      continue;
    }
    log_info("{} in namespace {}: job {} (a CronJob's run), started", candidate.reference,
             candidate.namespace_name, *id);
    ++pass.numbered;
  }
  return pass;
}

}  // namespace k8sjobs::controller
