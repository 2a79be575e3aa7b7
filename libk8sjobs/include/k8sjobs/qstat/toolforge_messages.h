#pragma once
// The answers of Toolforge's `job` and `jstop` (jobutils), which were built on qstat.

#include <string>

#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/qstat/time_format.h"

namespace k8sjobs::qstat {

struct JobStatusAnswer {
  std::string out;    // stdout
  int exit_code = 0;  // 0 no such job, 1 running, 2 queued
};

// `job [-v|-q] NAME`. `job` is the named job still queued or running (nullptr when none):
// plain prints its number, -v a sentence ("has been running since <start> as id N" with the
// start as qstat -xml prints it), -q nothing. A job with any running task counts as running.
JobStatusAnswer format_job_status(const std::string& name, const jobs::JobRecord* job, bool verbose,
                                  bool quiet, const TimeZone& zone);

// jstop NAME when no such job exists: "No job 'NAME' is currently queued or running\n" for
// stderr (exit 1).
std::string format_jstop_missing(const std::string& name);

}  // namespace k8sjobs::qstat
