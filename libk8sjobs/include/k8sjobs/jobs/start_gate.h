// SPDX-License-Identifier: Apache-2.0
#pragma once
// Why a suspended Job (or a Deployment at 0 replicas) does not run: its user's hold (-h,
// qhold: Grid Engine's hqw) or its -a start time still ahead (qw). Read from the object's
// annotations (translate/labels.h), which anyone with write access to the namespace can edit:
// an unreadable start time counts as no start time, so the object stays as it is (held).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::jobs {

struct StartGate {
  std::optional<TimePoint> start_after;   // k8sjobs.io/start-after, when it reads as a time
  std::optional<std::string> unreadable;  // why the annotation is there but not used
  bool user_hold = false;                 // k8sjobs.io/hold is present
};

StartGate read_start_gate(const nlohmann::json& object);

// A suspended object with this gate is held by its user (hqw), not waiting for its time (qw).
inline bool held_by_user(const StartGate& gate) {
  return gate.user_hold || !gate.start_after;
}

}  // namespace k8sjobs::jobs
