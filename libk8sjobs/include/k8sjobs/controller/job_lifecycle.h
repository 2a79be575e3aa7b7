// SPDX-License-Identifier: Apache-2.0
#pragma once
// Submissions, completions and failures as the controller's watch sees them, for the
// k8sjobs_jobs_{submitted,completed,failed}_total counters of /metrics. Pure: watch events in,
// what changed out. It remembers, per object uid, whether the object had finished, so:
// - the first LIST of a watch (SYNC events) counts nothing: those jobs were submitted and
//   finished before this process looked;
// - a new object (ADDED, or a SYNC after a relist of one never seen) is a submission;
// - a Job counts as completed or failed once, when its Complete or Failed condition turns
//   true (a Deployment never finishes);
// - DELETED forgets the object.
// Every replica counts the same events (counters of a process, reset on restart, as
// Prometheus expects).

#include <string>
#include <unordered_map>

#include "k8sjobs/kube/client.h"

namespace k8sjobs::controller {

struct LifecycleChange {
  std::string ns;
  bool submitted = false;
  bool completed = false;
  bool failed = false;
};

class JobLifecycle {
 public:
  LifecycleChange observe(const kube::WatchEvent& event, bool deployment);

 private:
  std::unordered_map<std::string, bool> finished_by_uid_;
  bool primed_ = false;  // a watch event followed the first LIST
};

}  // namespace k8sjobs::controller
