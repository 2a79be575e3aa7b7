// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/dependency_state.h"

#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/predecessors.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;

namespace {

bool job_finished(const json& object) {
  for (const auto& condition :
       untrusted::array_member(untrusted::object_member(object, "status"), "conditions")) {
    const std::string type = untrusted::string_or(condition, "type");
    if ((type == "Complete" || type == "Failed") &&
        untrusted::string_or(condition, "status") == "True")
      return true;
  }
  return false;
}

}  // namespace

std::optional<long long> unfinished_job_number(const json& object, bool deployment) {
  auto id = jobs::verify_owner_identity(object);
  if (!id) return std::nullopt;
  if (!deployment && job_finished(object)) return std::nullopt;
  return *id;
}

std::optional<long long> ended_job_number(const json& object, bool deployment, bool deleted) {
  auto id = jobs::verify_owner_identity(object);
  if (!id) return std::nullopt;
  if (deleted || (!deployment && job_finished(object))) return *id;
  return std::nullopt;
}

std::vector<long long> pending_predecessors(const std::vector<long long>& predecessors,
                                            const UnfinishedJobs& unfinished) {
  std::vector<long long> pending;
  for (long long id : predecessors) {
    if (unfinished.contains(id)) pending.push_back(id);
  }
  return pending;
}

std::string predecessors_selector(const std::vector<long long>& ids) {
  return translate::managed_by_selector() + "," + translate::kJobIdLabel + " in (" +
         jobs::format_predecessors(ids) + ")";
}

}  // namespace k8sjobs::controller
