// SPDX-License-Identifier: Apache-2.0
#pragma once
// The local backend's accounting: <state_dir>/accounting, one JSON record per line
// (acct/accounting_record.h), appended by the supervisor as each task ends and read by qacct.
// Unlike the job records it is never pruned: it is the history qacct reports, as Grid
// Engine's $SGE_ROOT/default/common/accounting was.

#include <filesystem>
#include <string>
#include <vector>

#include "k8sjobs/acct/accounting_record.h"
#include "k8sjobs/expected.h"

namespace k8sjobs::local {

class AccountingFile {
 public:
  explicit AccountingFile(std::filesystem::path state_dir)
      : path_(std::move(state_dir) / "accounting") {}
  const std::filesystem::path& path() const { return path_; }

  // Appends the records in one write(2) under an flock(2) of the file, so concurrent
  // supervisors never interleave their lines.
  Expected<Done, std::string> append(const std::vector<acct::AccountingRecord>& records) const;
  // Every record; a line that is not one goes to `warnings` as
  // "ignoring accounting line N: <reason>". A missing file is no record.
  std::vector<acct::AccountingRecord> read(std::vector<std::string>& warnings) const;

 private:
  std::filesystem::path path_;
};

}  // namespace k8sjobs::local
