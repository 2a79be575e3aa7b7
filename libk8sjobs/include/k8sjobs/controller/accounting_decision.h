// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the controller's accounting pass writes (pure): which finished Jobs are not accounted
// yet and their records, and how new records fill a shard (acct/accounting_shards.h).

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/acct/accounting_record.h"
#include "k8sjobs/acct/accounting_shards.h"

namespace k8sjobs::controller {

// Set on a Job once its records are stored: later passes skip it.
inline constexpr const char* kAccountedAnnotation = "k8sjobs.io/accounted";

struct AccountingItem {
  std::string namespace_name;
  std::string job_name;
  std::vector<acct::AccountingRecord> records;
};

// The finished k8sjobs Jobs among `jobs` (as LISTed, with their `pods`) that do not carry
// kAccountedAnnotation, each with its records (keyed "<namespace>/<Job uid>/<task>"), by
// namespace and job number. Jobs whose identity is not proven are skipped, as qstat does.
std::vector<AccountingItem> decide_accounting(const std::vector<nlohmann::json>& jobs,
                                              const std::vector<nlohmann::json>& pods);

struct ShardFill {
  std::vector<std::pair<std::string, std::string>> added;  // data key, encoded record
  std::vector<acct::AccountingRecord> left;                // for the next shard: this one is full
  int already = 0;  // keys the shard holds already (an earlier pass)
};
// Adds to a shard whose data is `data` what it does not hold yet, while it stays within
// `limit` bytes (an empty shard takes at least one record).
ShardFill fill_shard(const nlohmann::json& data, const std::vector<acct::AccountingRecord>& records,
                     std::size_t limit = acct::kShardDataLimit);

}  // namespace k8sjobs::controller
