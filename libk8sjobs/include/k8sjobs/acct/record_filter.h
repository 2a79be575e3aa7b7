// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which accounting records a qacct run reports (pure): -j job id, name or pattern, -o owner,
// -b/-e/-d time bounds on the start time, as Grid Engine's qacct selects them.

#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/acct/accounting_record.h"

namespace k8sjobs::acct {

struct RecordFilter {
  // -j: a job number, a job name, or a pattern with * ? [set] (qdel's wildcards). Unset: every
  // job. "" (-j without an argument) also selects every job.
  std::optional<std::string> job;
  std::optional<std::string> owner;  // -o owner
  std::optional<TimePoint> begin;    // -b: started at or after
  std::optional<TimePoint> end;      // -e: started before (or at)
};

bool matches(const RecordFilter& filter, const AccountingRecord& record);

// The records that match, ordered by end time, job number and task (the order Grid Engine's
// accounting file had them in). Records with the same key count once (a record written
// twice, e.g. into two shards after a crash, is reported once).
std::vector<AccountingRecord> select_records(std::vector<AccountingRecord> records,
                                             const RecordFilter& filter);

}  // namespace k8sjobs::acct
