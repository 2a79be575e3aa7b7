// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/acct/record_builder.h"

#include <algorithm>

namespace k8sjobs::acct {

namespace {

bool task_ended(const jobs::TaskRecord& task) {
  return task.state == jobs::JobState::Succeeded || task.state == jobs::JobState::Failed;
}

// "-l h_vmem=1G,h_rt=300": the resources the job was granted, as qstat -r shows them.
std::string granted_resources(const jobs::JobRecord& job) {
  if (job.hard_resources.empty()) return {};
  std::string out = "-l ";
  for (std::size_t i = 0; i < job.hard_resources.size(); ++i) {
    if (i > 0) out += ',';
    out += job.hard_resources[i].first + "=" + job.hard_resources[i].second;
  }
  return out;
}

}  // namespace

bool job_finished(const jobs::JobRecord& job) {
  return !job.continuous && !job.tasks.empty() &&
         std::all_of(job.tasks.begin(), job.tasks.end(), task_ended);
}

std::vector<AccountingRecord> records_of_finished_job(const jobs::JobRecord& job,
                                                      const std::string& source) {
  std::vector<AccountingRecord> records;
  if (!job_finished(job)) return records;
  for (const auto& task : job.tasks) records.push_back(record_of_task(job, task, source));
  return records;
}

AccountingRecord record_of_task(const jobs::JobRecord& job, const jobs::TaskRecord& task,
                                const std::string& source) {
  {
    AccountingRecord record;
    const int taskid = job.array ? task.task_id : 0;
    record.key = source + "/" + std::to_string(taskid);
    record.qname = job.continuous ? "continuous" : "task";
    record.hostname = task.node;
    record.group = job.group.empty() ? job.owner : job.group;
    record.owner = job.owner;
    record.jobname = job.name;
    record.jobnumber = job.id;
    record.taskid = taskid;
    record.account = job.account;
    record.priority = job.posix_priority;
    record.qsub_time = job.submission_time;
    record.start_time = task.start_time;
    record.end_time = task.end_time;
    if (!record.end_time && task.start_time) record.end_time = task.start_time;
    record.slots = job.slots;
    if (task.signal) {
      record.failed = 100;
      record.exit_status = 128 + *task.signal;
    } else if (task.exit_code) {
      record.exit_status = *task.exit_code;
    } else if (!task.start_time) {
      record.failed = 1;
      record.exit_status = task.state == jobs::JobState::Succeeded ? 0 : 1;
    } else {
      record.exit_status = task.state == jobs::JobState::Succeeded ? 0 : 1;
    }
    if (record.start_time && record.end_time && *record.end_time > *record.start_time) {
      record.ru_wallclock =
          std::chrono::duration_cast<std::chrono::seconds>(*record.end_time - *record.start_time)
              .count();
    }
    if (task.cpu_time) record.cpu_seconds = static_cast<double>(task.cpu_time->count());
    if (task.max_memory_bytes) record.maxvmem_bytes = *task.max_memory_bytes;
    record.granted = granted_resources(job);
    return record;
  }
}

}  // namespace k8sjobs::acct
