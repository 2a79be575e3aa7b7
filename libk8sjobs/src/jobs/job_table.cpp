// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/job_table.h"

#include "k8sjobs/jobs/backend.h"

#include <algorithm>
#include <cstring>

namespace k8sjobs::jobs {

std::string_view StringArena::store(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > left_) {
    // A string longer than a quarter block gets a block of its own, so that the free space
    // of the current one is not thrown away for it.
    if (text.size() > kBlockBytes / 4) {
      auto own = std::make_unique<char[]>(text.size());
      std::memcpy(own.get(), text.data(), text.size());
      std::string_view stored(own.get(), text.size());
      // Keep the current block last: it still has room.
      blocks_.insert(blocks_.end() - (blocks_.empty() ? 0 : 1), std::move(own));
      allocated_ += text.size();
      return stored;
    }
    blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
    next_ = blocks_.back().get();
    left_ = kBlockBytes;
    allocated_ += kBlockBytes;
  }
  std::memcpy(next_, text.data(), text.size());
  std::string_view stored(next_, text.size());
  next_ += text.size();
  left_ -= text.size();
  return stored;
}

TableTask lean_task(const TaskRecord& task, StringArena& strings) {
  TableTask lean;
  lean.task_id = task.task_id;
  lean.state = task.state;
  lean.deleting_while_starting = task.deleting_while_starting;
  lean.has_start_time = task.start_time.has_value();
  if (task.start_time) lean.start_time = *task.start_time;
  lean.node = strings.store(task.node);  // empty stays empty, without a block
  return lean;
}

void JobTable::add(const JobRecord& record) {
  TableJob job;
  job.id = record.id;
  job.priority = record.priority;
  job.name = strings.store(record.name);
  job.owner = strings.store(record.owner);
  job.submission_time = record.submission_time;
  job.is_array = record.array.has_value();
  if (record.array) job.array = *record.array;
  job.slots = record.slots;
  job.continuous = record.continuous;
  job.first_task = static_cast<std::uint32_t>(tasks.size());
  job.task_count = static_cast<std::uint32_t>(record.tasks.size());
  for (const TaskRecord& task : record.tasks) tasks.push_back(lean_task(task, strings));
  jobs.push_back(job);
}

JobTable table_of(const std::vector<JobRecord>& records) {
  JobTable table;
  table.jobs.reserve(records.size());
  for (const JobRecord& record : records) table.add(record);
  return table;
}

Expected<JobTableListing, BackendError> JobBackend::list_table(const JobQuery& query) {
  auto listed = list(query);
  if (!listed) return unexpected(listed.error());
  return JobTableListing{table_of(listed->records), std::move(listed->warnings)};
}

}  // namespace k8sjobs::jobs
