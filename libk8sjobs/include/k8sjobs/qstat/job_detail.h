#pragma once
// qstat -j ID[,ID...]: Grid Engine's detailed job view, as text and as -xml.

#include <string>
#include <vector>

#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/qstat/time_format.h"

namespace k8sjobs::qstat {

// One block per job: 62 '=' then "label:" padded to column 28, each field only when set,
// `scheduling info:` last. The jobs are printed in the order given.
std::string render_job_detail(const std::vector<jobs::JobRecord>& jobs, const TimeZone& zone);

// qstat -j ID -xml: <detailed_job_info> in the layout of detailed_job_info.xsd
// (see tests/data/qstat/README.md for the schema relaxations it needs).
std::string render_job_detail_xml(const std::vector<jobs::JobRecord>& jobs, const TimeZone& zone);

// For stderr when none of the requested jobs exists:
// "Following jobs do not exist: \n123, 456\n". The caller decides the exit code.
std::string render_missing_jobs(const std::vector<std::string>& ids);

// "00:01:05", or "1:02:03:04" from a day on: Grid Engine's cpu time format.
std::string format_cpu_time(std::chrono::seconds cpu);
// "24.746M": Grid Engine's memory format (K, M, G, T are powers of 1024).
std::string format_memory(long long bytes);

}  // namespace k8sjobs::qstat
