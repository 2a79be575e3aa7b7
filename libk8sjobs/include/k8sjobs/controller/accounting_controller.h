// SPDX-License-Identifier: Apache-2.0
#pragma once
// Writing the accounting records of finished Jobs before their TTL removes them (qacct): the
// I/O around decide_accounting and fill_shard.
// 1. LIST k8sjobs' Jobs and pods of the scope; decide which finished Jobs lack
//    k8sjobs.io/accounted and build their records.
// 2. Per namespace, add the records to the month's last shard (k8sjobs-acct-YYYYMM-N), as an
//    update of the version read (409 Conflict: read again and retry), or create the next shard
//    when it is full. A record's data key is derived from the Job's uid and the task, so a
//    record written again (a crash before step 3) is the same key, never a second record.
// 3. Annotate each Job k8sjobs.io/accounted so later passes skip it.
// Only the leader writes (`may_act` is asked before each write).

#include <string>

#include "k8sjobs/controller/accounting_decision.h"
#include "k8sjobs/controller/start_controller.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

struct AccountingPassSummary {
  int jobs = 0;     // Jobs accounted (annotated)
  int records = 0;  // records added to shards
  int failed = 0;   // writes that failed (tried again next pass)
};

class AccountingController {
 public:
  // `client` and `clock` must outlive it.
  AccountingController(kube::KubeClient& client, sys::Clock& clock)
      : client_(client), clock_(clock) {}

  // One pass over namespace `ns` ("" for all namespaces).
  kube::Result<AccountingPassSummary> reconcile(const std::string& ns, const MayAct& may_act);

 private:
  // Stores `records` in namespace `ns`'s shards of the current month; false when a write
  // failed (logged).
  bool store(const std::string& ns, std::vector<acct::AccountingRecord> records,
             const MayAct& may_act, AccountingPassSummary& summary);

  kube::KubeClient& client_;
  sys::Clock& clock_;
};

}  // namespace k8sjobs::controller
