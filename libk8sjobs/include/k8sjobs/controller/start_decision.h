// SPDX-License-Identifier: Apache-2.0
#pragma once
// What k8sjobs-controller does with one Job or Deployment at one moment: pure, so every case is
// a unit test (object + its predecessors' states + now → action). The object comes from the cluster
// and is untrusted: it is acted on only when k8sjobs made it (jobs::verify_owner_identity) and
// every field it reads has the expected type; anything else is skipped with a reason the controller
// logs.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/controller/dependency_state.h"

namespace k8sjobs::controller {

using TimePoint = std::chrono::system_clock::time_point;

enum class StartAction {
  None,     // nothing to do, now or later (running, finished, no -a, held by its user)
  Skip,     // not ours or not readable: `reason` says why (logged as a warning)
  Wait,     // suspended until `due`
  Release,  // its time has come and its predecessors have finished: unsuspend it
  Blocked,  // -hold_jid: waits for the jobs in `pending` to finish (or their states are unknown)
};

struct StartDecision {
  StartAction action = StartAction::None;
  std::string reason;  // Skip: the warning; otherwise a few words for debug logs
  std::optional<TimePoint> due;
  std::vector<long long> pending;  // Blocked: the predecessors it still waits for
  // The object, for the patch that releases it.
  bool deployment = false;
  std::string namespace_name;
  std::string name;
  std::string resource_version;
  std::string reference;  // "job/x" for log lines
};

// `deployment`: the object is an apps/v1 Deployment (suspended = 0 replicas), else a Job.
// `unfinished`: the job numbers of the object's namespace that exist and have not finished;
// nullptr when not looked up, and then an object with predecessors is Blocked on all of them
// (the caller looks them up and decides again). A user hold (k8sjobs.io/hold) always wins; with
// both -a and -hold_jid the job waits for both.
StartDecision decide_start(const nlohmann::json& object, bool deployment, TimePoint now,
                           const UnfinishedJobs* unfinished = nullptr);

// What decide_start reads of an object (metadata without managedFields, spec.suspend and
// spec.replicas, status), for objects kept until a pass has listed both kinds: a real server's
// Job is about 9 KB of JSON, most of it managedFields and the pod template, and a pass over
// 1,000 waiting jobs would otherwise hold all of it. decide_start gives the same decision on it.
nlohmann::json decision_view(nlohmann::json object);

// The JSON patch that starts it: applies only to the version decided on (a `test` of
// metadata.resourceVersion), so a qhold or qdel that came in between wins.
nlohmann::json release_patch(const StartDecision& decision);

}  // namespace k8sjobs::controller
