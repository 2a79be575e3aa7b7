// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/run_id_decision.h"

#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;

namespace {

// A label key as a JSON pointer token ('/' is "~1").
std::string pointer_token(const std::string& key) {
  std::string token;
  for (char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

bool has_cronjob_owner(const json& metadata) {
  for (const auto& owner : untrusted::array_member(metadata, "ownerReferences")) {
    if (untrusted::string_or(owner, "kind") == "CronJob" &&
        untrusted::string_or(owner, "apiVersion") == "batch/v1")
      return true;
  }
  return false;
}

}  // namespace

Expected<std::optional<RunIdCandidate>, std::string> run_waiting_for_id(const json& job) {
  if (!jobs::awaits_job_id(job)) return std::optional<RunIdCandidate>();
  const json& metadata = untrusted::object_member(job, "metadata");
  if (untrusted::member(metadata, "deletionTimestamp") != nullptr)
    return std::optional<RunIdCandidate>();
  RunIdCandidate candidate;
  candidate.reference = untrusted::object_reference(job, "job");
  candidate.name = untrusted::string_or(metadata, "name");
  candidate.namespace_name = untrusted::string_or(metadata, "namespace");
  candidate.resource_version = untrusted::string_or(metadata, "resourceVersion");
  const auto refuse =
      [&](const std::string& why) -> Expected<std::optional<RunIdCandidate>, std::string> {
    return unexpected("not numbering " + candidate.reference + ": " + why);
  };
  const json* managed =
      untrusted::member(untrusted::object_member(metadata, "labels"), translate::kManagedByLabel);
  if (managed == nullptr || !managed->is_string() || *managed != translate::kManagedByValue)
    return refuse(std::string("label ") + translate::kManagedByLabel + " is not k8sjobs");
  if (candidate.name.empty() || candidate.namespace_name.empty() ||
      candidate.resource_version.empty())
    return refuse("metadata.name, namespace or resourceVersion is missing");
  if (!has_cronjob_owner(metadata)) return refuse("no CronJob owns it");
  const json& spec = untrusted::object_member(job, "spec");
  if (untrusted::bool_member(spec, "suspend") != true)
    return refuse("it is not suspended (it may have started without a number)");
  if (untrusted::member(untrusted::object_member(job, "status"), "startTime") != nullptr)
    return refuse("it has already started once");
  const json& template_metadata =
      untrusted::object_member(untrusted::object_member(spec, "template"), "metadata");
  const json* template_labels = untrusted::member(template_metadata, "labels");
  if (template_labels == nullptr || !template_labels->is_object())
    return refuse("its pod template has no labels to carry the number");
  return std::optional<RunIdCandidate>(std::move(candidate));
}

json run_id_patch(const RunIdCandidate& candidate, long long id) {
  const std::string job_id = pointer_token(translate::kJobIdLabel);
  const std::string number = std::to_string(id);
  return json::array(
      {{{"op", "test"},
        {"path", "/metadata/resourceVersion"},
        {"value", candidate.resource_version}},
       {{"op", "add"}, {"path", "/metadata/labels/" + job_id}, {"value", number}},
       {{"op", "remove"},
        {"path", "/metadata/labels/" + pointer_token(translate::kAwaitingJobIdLabel)}},
       {{"op", "add"}, {"path", "/spec/template/metadata/labels/" + job_id}, {"value", number}},
       {{"op", "replace"}, {"path", "/spec/suspend"}, {"value", false}}});
}

}  // namespace k8sjobs::controller
