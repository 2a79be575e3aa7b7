#include "k8sjobs/qstat/toolforge_messages.h"

#include <algorithm>
#include <optional>

#include "k8sjobs/qstat/state.h"

namespace k8sjobs::qstat {

JobStatusAnswer format_job_status(const std::string& name, const jobs::JobRecord* job, bool verbose,
                                  bool quiet, const TimeZone& zone) {
  bool running = false;
  std::optional<jobs::TimePoint> since;
  if (job != nullptr) {
    for (const jobs::TaskRecord& task : job->tasks) {
      if (task_section(task) != TaskSection::Running) continue;
      running = true;
      const jobs::TimePoint start = task.start_time.value_or(job->submission_time);
      since = since ? std::min(*since, start) : start;
    }
  }
  JobStatusAnswer answer;
  if (job == nullptr) {
    answer.exit_code = 0;
    if (verbose) answer.out = "No job '" + name + "' is currently queued or running.\n";
    return answer;
  }
  answer.exit_code = running ? 1 : 2;
  if (quiet) return answer;
  const std::string id = std::to_string(job->id);
  if (!verbose) {
    answer.out = id + "\n";
  } else if (running) {
    answer.out = "Job '" + name + "' has been running since " + format_xml_time(*since, zone) +
                 " as id " + id + "\n";
  } else {
    answer.out = "Job '" + name + "' is pending as id " + id + "\n";
  }
  return answer;
}

std::string format_jstop_missing(const std::string& name) {
  return "No job '" + name + "' is currently queued or running\n";
}

}  // namespace k8sjobs::qstat
