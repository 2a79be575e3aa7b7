// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/acct/record_filter.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/qstat/qdel_format.h"

namespace k8sjobs::acct {

namespace {

bool job_matches(const std::string& selector, const AccountingRecord& record) {
  if (selector.empty()) return true;
  if (auto number = jobs::untrusted::parse_job_number(selector)) return record.jobnumber == *number;
  if (selector.find_first_of("*?[") != std::string::npos)
    return qstat::qdel_pattern_matches(selector, record.jobname);
  return record.jobname == selector;
}

// What -b, -e and -d compare: when the job started (its end, else its submission, when it
// never started).
std::optional<TimePoint> reference_time(const AccountingRecord& record) {
  if (record.start_time) return record.start_time;
  if (record.end_time) return record.end_time;
  return record.qsub_time;
}

}  // namespace

bool matches(const RecordFilter& filter, const AccountingRecord& record) {
  if (filter.job && !job_matches(*filter.job, record)) return false;
  if (filter.owner && record.owner != *filter.owner) return false;
  if (filter.begin || filter.end) {
    auto when = reference_time(record);
    if (!when) return false;
    if (filter.begin && *when < *filter.begin) return false;
    if (filter.end && *when > *filter.end) return false;
  }
  return true;
}

std::vector<AccountingRecord> select_records(std::vector<AccountingRecord> records,
                                             const RecordFilter& filter) {
  std::vector<AccountingRecord> selected;
  std::set<std::string> seen;
  for (auto& record : records) {
    if (!matches(filter, record)) continue;
    if (!seen.insert(record.key).second) continue;
    selected.push_back(std::move(record));
  }
  std::stable_sort(
      selected.begin(), selected.end(), [](const AccountingRecord& a, const AccountingRecord& b) {
        const auto a_end = a.end_time.value_or(TimePoint{});
        const auto b_end = b.end_time.value_or(TimePoint{});
        return std::tie(a_end, a.jobnumber, a.taskid) < std::tie(b_end, b.jobnumber, b.taskid);
      });
  return selected;
}

}  // namespace k8sjobs::acct
