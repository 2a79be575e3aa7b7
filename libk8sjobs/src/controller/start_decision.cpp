// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/start_decision.h"

#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/predecessors.h"
#include "k8sjobs/jobs/start_gate.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;

namespace {

bool condition_true(const json& object, const std::string& type) {
  for (const auto& condition :
       untrusted::array_member(untrusted::object_member(object, "status"), "conditions")) {
    if (untrusted::string_or(condition, "type") == type &&
        untrusted::string_or(condition, "status") == "True")
      return true;
  }
  return false;
}

StartDecision with(StartDecision decision, StartAction action, std::string reason) {
  decision.action = action;
  decision.reason = std::move(reason);
  return decision;
}

}  // namespace

StartDecision decide_start(const json& object, bool deployment, TimePoint now,
                           const UnfinishedJobs* unfinished) {
  StartDecision decision;
  decision.deployment = deployment;
  decision.reference = untrusted::object_reference(object, deployment ? "deployment" : "job");
  const json& metadata = untrusted::object_member(object, "metadata");
  decision.name = untrusted::string_or(metadata, "name");
  decision.namespace_name = untrusted::string_or(metadata, "namespace");
  decision.resource_version = untrusted::string_or(metadata, "resourceVersion");

  if (jobs::awaits_job_id(object))
    return with(decision, StartAction::None, "waits for its job number (run_id_decision.h)");
  auto identity = jobs::verify_owner_identity(object);
  if (!identity)
    return with(decision, StartAction::Skip,
                "ignoring " + decision.reference + ": " + identity.error());
  if (decision.namespace_name.empty() || decision.resource_version.empty()) {
    return with(
        decision, StartAction::Skip,
        "ignoring " + decision.reference + ": metadata.namespace or resourceVersion is missing");
  }
  if (untrusted::member(metadata, "deletionTimestamp") != nullptr)
    return with(decision, StartAction::None, "being deleted");

  const jobs::StartGate gate = jobs::read_start_gate(object);
  if (gate.unreadable) {
    return with(decision, StartAction::Skip,
                "ignoring " + decision.reference + ": " + *gate.unreadable + " (left as it is)");
  }
  const jobs::PredecessorMark predecessors = jobs::read_predecessors(object);
  if (predecessors.unreadable) {
    return with(
        decision, StartAction::Skip,
        "ignoring " + decision.reference + ": " + *predecessors.unreadable + " (left as it is)");
  }
  if (!gate.start_after && predecessors.ids.empty())
    return with(decision, StartAction::None, "no start time and no predecessors");

  const json& spec = untrusted::object_member(object, "spec");
  if (deployment) {
    const json* replicas = untrusted::member(spec, "replicas");
    if (replicas == nullptr || !replicas->is_number_integer()) {
      return with(decision, StartAction::None, "spec.replicas is not an integer");
    }
    if (replicas->get<long long>() != 0) return with(decision, StartAction::None, "started");
  } else {
    const auto suspend = untrusted::bool_member(spec, "suspend");
    if (!suspend || !*suspend) return with(decision, StartAction::None, "not suspended");
    if (condition_true(object, "Complete") || condition_true(object, "Failed"))
      return with(decision, StartAction::None, "finished");
  }
  if (gate.user_hold) return with(decision, StartAction::None, "held by its user");
  if (!predecessors.ids.empty()) {
    if (unfinished == nullptr) {
      decision.pending = predecessors.ids;
      return with(decision, StartAction::Blocked,
                  "waits for jobs " + jobs::format_predecessors(predecessors.ids) +
                      " (states not looked up)");
    }
    decision.pending = pending_predecessors(predecessors.ids, *unfinished);
    if (!decision.pending.empty()) {
      return with(decision, StartAction::Blocked,
                  "waits for jobs " + jobs::format_predecessors(decision.pending));
    }
    if (!gate.start_after) {
      return with(decision, StartAction::Release,
                  "jobs " + jobs::format_predecessors(predecessors.ids) + " have finished");
    }
  }
  decision.due = gate.start_after;
  if (*gate.start_after > now) {
    return with(decision, StartAction::Wait,
                "waits until " + text::format_rfc3339(*gate.start_after));
  }
  return with(decision, StartAction::Release,
              "start time " + text::format_rfc3339(*gate.start_after) + " has come");
}

json decision_view(json object) {
  if (!object.is_object()) return object;
  json view = json::object();
  for (const char* key : {"apiVersion", "kind", "status"}) {
    if (auto found = object.find(key); found != object.end()) view[key] = std::move(*found);
  }
  if (auto metadata = object.find("metadata"); metadata != object.end()) {
    if (metadata->is_object()) metadata->erase("managedFields");
    view["metadata"] = std::move(*metadata);
  }
  if (auto spec = object.find("spec"); spec != object.end()) {
    if (spec->is_object()) {
      json lean = json::object();
      for (const char* key : {"suspend", "replicas"}) {
        if (auto found = spec->find(key); found != spec->end()) lean[key] = std::move(*found);
      }
      view["spec"] = std::move(lean);
    } else {
      view["spec"] = std::move(*spec);
    }
  }
  return view;
}

json release_patch(const StartDecision& decision) {
  json patch = json::array();
  patch.push_back({{"op", "test"},
                   {"path", "/metadata/resourceVersion"},
                   {"value", decision.resource_version}});
  if (decision.deployment) {
    patch.push_back({{"op", "replace"}, {"path", "/spec/replicas"}, {"value", 1}});
  } else {
    patch.push_back({{"op", "replace"}, {"path", "/spec/suspend"}, {"value", false}});
  }
  return patch;
}

}  // namespace k8sjobs::controller
