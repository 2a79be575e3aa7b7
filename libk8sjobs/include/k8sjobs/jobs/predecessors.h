// SPDX-License-Identifier: Apache-2.0
#pragma once
// -hold_jid: the jobs a job waits for. Resolved once, at submission, as Grid Engine's qmaster
// did (job numbers, names and name patterns against the submitting user's own jobs, finished
// ones still listed included), written as job numbers into the k8sjobs.io/hold-jid annotation,
// and read back from it by qstat and k8sjobs-controller. The annotation comes from the cluster
// and anyone with write access to the namespace can edit it: reading it never throws, and a
// value that is not a list of job numbers is reported, not guessed at.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::jobs {

// At most this many predecessors per job (a pattern naming more is refused at submission; an
// annotation with more is unreadable).
inline constexpr std::size_t kMaxPredecessors = 1000;

// The job numbers `wanted` names among `own_jobs` (the user's jobs as qstat -s z lists them):
// a number names the job with that number, a word with *, ? or [ every job whose name matches
// it (fnmatch), any other word every job of that name. Ascending, each once. Error: Grid
// Engine's qmaster message for the first entry that names no job, `denied: job "X" not found`.
Expected<std::vector<long long>, std::string> resolve_hold_jid(
    const std::vector<std::string>& wanted, const std::vector<JobRecord>& own_jobs);

// "12,13": the annotation's value.
std::string format_predecessors(const std::vector<long long>& ids);
// The annotation's value read back: job numbers separated by commas, ascending order not
// required, duplicates dropped. Error: why it is not such a list (quoted safely).
Expected<std::vector<long long>, std::string> parse_predecessors(std::string_view text);

struct PredecessorMark {
  std::vector<long long> ids;             // empty: no (readable) annotation
  std::optional<std::string> unreadable;  // the annotation is there but not a list of numbers
};
// k8sjobs.io/hold-jid of a Job or Deployment.
PredecessorMark read_predecessors(const nlohmann::json& object);
// The same for any annotation holding job numbers (-hold_jid_ad's: jobs/array_dependency.h).
PredecessorMark read_predecessor_annotation(const nlohmann::json& object, const char* key);

// What qstat -j shows of dependencies across a listing, as Grid Engine kept them: a job's
// jid_predecessor_list holds only the predecessors that have not finished yet (a finished or
// vanished one is dropped), and a job that others still wait for lists them in
// jid_successor_list. `finished_listed`: the listing includes finished jobs (qstat -s z).
void link_dependencies(std::vector<JobRecord>& records, bool finished_listed);

}  // namespace k8sjobs::jobs
