// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/job_lifecycle.h"

#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::controller {

namespace {

using jobs::untrusted::array_member;
using jobs::untrusted::object_member;
using jobs::untrusted::string_or;
using nlohmann::json;

bool condition_true(const json& object, const char* type) {
  for (const auto& condition : array_member(object_member(object, "status"), "conditions"))
    if (string_or(condition, "type") == type && string_or(condition, "status") == "True")
      return true;
  return false;
}

}  // namespace

LifecycleChange JobLifecycle::observe(const kube::WatchEvent& event, bool deployment) {
  LifecycleChange change;
  if (event.type == "BOOKMARK") {
    primed_ = true;
    return change;
  }
  const json& metadata = object_member(event.object, "metadata");
  const std::string uid = string_or(metadata, "uid");
  change.ns = string_or(metadata, "namespace");
  const bool sync = event.type == "SYNC";
  const bool counts = !sync || primed_;
  if (!sync) primed_ = true;
  if (uid.empty()) return change;
  if (event.type == "DELETED") {
    finished_by_uid_.erase(uid);
    return change;
  }
  const bool failed = !deployment && condition_true(event.object, "Failed");
  const bool complete = !deployment && !failed && condition_true(event.object, "Complete");
  const bool finished = failed || complete;
  auto known = finished_by_uid_.find(uid);
  const bool was_finished = known != finished_by_uid_.end() && known->second;
  if (known == finished_by_uid_.end()) {
    change.submitted = counts;
    finished_by_uid_.emplace(uid, finished);
  } else {
    known->second = finished;
  }
  if (counts && finished && !was_finished) {
    change.completed = complete;
    change.failed = failed;
  }
  return change;
}

}  // namespace k8sjobs::controller
