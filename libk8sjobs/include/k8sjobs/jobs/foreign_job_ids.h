// SPDX-License-Identifier: Apache-2.0
#pragma once
// Job numbers for jobs k8sjobs did not create (the Toolforge jobs framework's): taken from the
// same counter as jsub's (jobs/job_id_allocator.h) on first sight and recorded in the ConfigMap
// `k8sjobs-foreign-ids` of the namespace, data `<metadata.uid>: "<number>"`, so a job keeps its
// number for as long as it exists (ARCHITECTURE.md, "Jobs of the Toolforge jobs framework").
//
// The record is read before the objects are listed: an entry whose uid the listing then lacks
// belonged to an object that is gone (a uid never comes back), and is forgotten with the next
// write. A write happens only when a job is new. Reading commands never fail because of the
// record: what cannot be read or written is a warning, and a job without a number is not shown.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/jobs/job_id_allocator.h"
#include "k8sjobs/jobs/toolforge_job_view.h"
#include "k8sjobs/kube/client.h"

namespace k8sjobs::jobs {

inline constexpr const char* kForeignJobIdConfigMap = "k8sjobs-foreign-ids";

// The record as read. Untrusted like every object: an entry that is not `<uid>: "<number>"`, or
// that repeats another's number, is left out and said so in `warnings`.
struct ForeignJobIds {
  bool exists = false;           // false: no ConfigMap yet
  std::string resource_version;  // what a write swaps against
  std::map<std::string, long long> ids;
  std::vector<std::string> warnings;
};

// Pure: the record of a ConfigMap as the server returned it.
ForeignJobIds decode_foreign_job_ids(const nlohmann::json& config_map);

// Pure: the merge patch that records `added` and forgets `forgotten`, swapping against
// `resource_version` (the server refuses it with Conflict when the record changed since).
nlohmann::json foreign_job_ids_patch(const std::map<std::string, long long>& added,
                                     const std::vector<std::string>& forgotten,
                                     const std::string& resource_version);

class ForeignJobIdRecord {
 public:
  ForeignJobIdRecord(kube::KubeClient& client, JobIdAllocator& allocator,
                     std::string namespace_name)
      : client_(client), allocator_(allocator), namespace_(std::move(namespace_name)) {}

  // The record now (none yet: an empty one).
  kube::Result<ForeignJobIds> read();

  // Gives each job its number: the recorded one, else a new one from the counter, recorded
  // before it is used. `before`: what read() returned before the jobs were listed. Jobs left
  // at 0 could not be given a number; `warnings` says why.
  void assign(std::vector<ForeignJob>& jobs, const ForeignJobIds& before,
              std::vector<std::string>& warnings);

 private:
  kube::KubeClient& client_;
  JobIdAllocator& allocator_;
  std::string namespace_;
};

}  // namespace k8sjobs::jobs
