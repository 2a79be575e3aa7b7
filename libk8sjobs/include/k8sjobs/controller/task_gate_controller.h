// SPDX-License-Identifier: Apache-2.0
#pragma once
// -hold_jid_ad: the I/O around task_gate_decision.h. One pass LISTs the pods labelled
// k8sjobs.io/array-hold=true (those of jobs submitted with -hold_jid_ad), then the predecessor
// Jobs they name (one label-selected LIST per namespace), and removes the gate of each pod whose
// predecessor tasks have all finished. Everything comes from the cluster as it is now, so a
// restarted or newly elected controller needs nothing from its predecessor. Run every retry
// period by the controller's loop, as Grid Engine's scheduler looked at its pending tasks every
// scheduling interval.

#include <string>

#include "k8sjobs/controller/start_controller.h"
#include "k8sjobs/kube/client.h"

namespace k8sjobs::controller {

struct GatePassSummary {
  int released = 0;  // gates removed
  int waiting = 0;   // tasks whose predecessor tasks have not all finished
  int skipped = 0;   // pods with the gate that cannot be read (logged)
  int failed = 0;    // patches refused, or not the leader any more
};

class TaskGateController {
 public:
  // `client` must outlive it.
  explicit TaskGateController(kube::KubeClient& client);

  // One pass over namespace `ns` ("" for all namespaces).
  kube::Result<GatePassSummary> reconcile(const std::string& ns, const MayAct& may_act);

 private:
  kube::KubeClient& client_;
};

}  // namespace k8sjobs::controller
