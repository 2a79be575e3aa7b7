#pragma once
// Small helpers the inspection and control commands share: argument lists and job lookups.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/qstat/qdel_format.h"

namespace k8sjobs::cli::detail {

// "a,b,,c" → {"a","b","c"}: Grid Engine's list syntax (-u, -j, qhold targets).
std::vector<std::string> split_list(const std::string& text);

// A job number as typed: digits only, no sign or space, fits a long long; nullopt otherwise
// (the text is then a job name or pattern).
std::optional<long long> job_number(const std::string& text);

// What the backend's listing skipped or read with defaults: "<command>: warning: <line>".
void print_warnings(const std::string& command, const std::vector<std::string>& warnings,
                    std::ostream& err);

// Some task is running (or starting, or being deleted while running): what Grid Engine calls
// a running job.
bool has_running_task(const jobs::JobRecord& job);
// Some task has not finished yet.
bool is_active(const jobs::JobRecord& job);

const jobs::JobRecord* find_job(const std::vector<jobs::JobRecord>& jobs, long long id);

// Deletes a whole job and says so in Grid Engine's words (qdel, jstop).
Expected<qstat::QdelOutcome, jobs::BackendError> delete_whole_job(jobs::JobBackend& backend,
                                                                  const jobs::JobRecord& job,
                                                                  const std::string& caller,
                                                                  bool force);

}  // namespace k8sjobs::cli::detail
