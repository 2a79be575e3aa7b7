// SPDX-License-Identifier: Apache-2.0
#pragma once
// qacct's two outputs, in Grid Engine's layout (pure):
// - `qacct -j`: per record a rule of 62 '=' and one "%-13.12s%-20s" line per accounting
//   field (qname ... maxvmem, then arid, ar_sub_time and category as Son of Grid Engine);
// - the summary: "Total System Usage" (or an OWNER column with -o) over the WALLCLOCK, UTIME,
//   STIME, CPU, MEMORY, IO and IOW totals.

#include <string>
#include <vector>

#include "k8sjobs/acct/accounting_record.h"
#include "k8sjobs/qstat/time_format.h"

namespace k8sjobs::acct {

// The records, in the order given, as qacct -j prints them.
std::string format_job_records(const std::vector<AccountingRecord>& records,
                               const qstat::TimeZone& zone);

// The summary. `by_owner`: one row per owner (sorted), as qacct -o prints it; else one row of
// totals under "Total System Usage".
std::string format_summary(const std::vector<AccountingRecord>& records, bool by_owner);

// maxvmem as Grid Engine prints memory: "1.500G", "12.000M", "4.000K", "512.000".
std::string format_memory(long long bytes);

}  // namespace k8sjobs::acct
