// SPDX-License-Identifier: Apache-2.0
#pragma once
// Numbering converted CronJobs' runs (run_id_decision.h): the I/O. One label-selected LIST of
// the runs that wait for a number, then for each a number from the namespace's counter
// (jobs::JobIdAllocator, the one jsub uses) and the tested patch. Everything it decides comes
// from the cluster as it is now: a restarted controller numbers what is still waiting. A patch
// that loses a race (the Job changed or went away) leaves a gap in the numbers, never a number
// twice.

#include <functional>
#include <string>

#include "k8sjobs/kube/client.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

struct RunIdPass {
  int numbered = 0;
  int skipped = 0;  // labelled as waiting but not fit to number (logged)
  int failed = 0;
};

class RunIdAssigner {
 public:
  // `client` and `clock` must outlive it.
  RunIdAssigner(kube::KubeClient& client, sys::Clock& clock) : client_(client), clock_(clock) {}

  // One pass over namespace `ns` ("" for all namespaces). `may_act` is asked before each write.
  kube::Result<RunIdPass> assign(const std::string& ns, const std::function<bool()>& may_act);

 private:
  kube::KubeClient& client_;
  sys::Clock& clock_;
};

}  // namespace k8sjobs::controller
