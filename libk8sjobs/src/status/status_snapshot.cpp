// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/status/status_snapshot.h"

#include <algorithm>
#include <set>

#include "k8sjobs/qstat/listing.h"
#include "k8sjobs/qstat/state.h"
#include "k8sjobs/status/cluster_usage.h"

namespace k8sjobs::status {

namespace {

std::string memory_asked(const jobs::JobRecord& job) {
  for (const auto& [name, value] : job.hard_resources)
    if (name == "h_vmem" || name == "mem_free") return value;
  return "";
}

std::string reason_of(const jobs::JobRecord& job, const jobs::TaskRecord& task,
                      const std::string& state) {
  if (!task.error_reason.empty()) return task.error_reason;
  if (!job.error_reason.empty()) return job.error_reason;
  if (state.find('h') != std::string::npos) return "held (qhold or -h)";
  if (!task.scheduling_info.empty()) return task.scheduling_info;
  return job.scheduling_info;
}

bool finished(const jobs::TaskRecord& task) {
  return task.state == jobs::JobState::Succeeded || task.state == jobs::JobState::Failed;
}

bool within_window(jobs::TimePoint end, jobs::TimePoint now) {
  return end <= now && end > now - kFinishedWindow;
}

// The completion index of a task (PodMetrics name pods by it, as the Job controller does).
int completion_index(const jobs::JobRecord& job, const jobs::TaskRecord& task) {
  if (!job.array || job.array->step <= 0) return 0;
  return (task.task_id - job.array->first) / job.array->step;
}

}  // namespace

const NamespaceStatus* StatusSnapshot::find_namespace(const std::string& name) const {
  auto found = namespaces.find(name);
  return found == namespaces.end() ? nullptr : &found->second;
}

const jobs::JobRecord* StatusSnapshot::find_job(const std::string& ns, long long id) const {
  const NamespaceStatus* space = find_namespace(ns);
  if (space == nullptr) return nullptr;
  auto found = std::lower_bound(
      space->records.begin(), space->records.end(), id,
      [](const jobs::JobRecord& record, long long wanted) { return record.id < wanted; });
  return found != space->records.end() && found->id == id ? &*found : nullptr;
}

StatusSnapshot build_status_snapshot(std::vector<jobs::JobRecord> records, jobs::TimePoint now,
                                     const ClusterFacts& facts) {
  StatusSnapshot snapshot;
  snapshot.taken = now;
  snapshot.capacity = facts.capacity;
  snapshot.capacity_note = facts.capacity_note;
  snapshot.memory_known = facts.memory.has_value();
  snapshot.memory_note = facts.memory_note;
  std::set<FinishedTaskKey> recent;
  for (const auto& [key, end] : facts.finished)
    if (within_window(end, now)) recent.insert(key);
  std::stable_sort(records.begin(), records.end(),
                   [](const jobs::JobRecord& a, const jobs::JobRecord& b) { return a.id < b.id; });
  for (auto& record : records) {
    NamespaceStatus& space = snapshot.namespaces[record.backend_namespace];
    space.name = record.backend_namespace;
    ++space.jobs;
    bool held = false;
    bool pending = false;
    for (const auto& task : record.tasks) {
      StatusRow row;
      row.id = record.id;
      row.task_id = task.task_id;
      row.is_array = record.array.has_value();
      row.name = record.name;
      row.owner = record.owner;
      row.state = qstat::state_letters(record, task);
      if (qstat::task_section(task) == qstat::TaskSection::Running)
        row.queue = qstat::queue_instance_name(record, task);
      row.submitted = record.submission_time;
      row.started = task.start_time;
      row.memory = memory_asked(record);
      if (facts.memory && !row.queue.empty()) {
        auto used = facts.memory->find(
            TaskUsageKey{record.backend_namespace, record.id, completion_index(record, task)});
        if (used != facts.memory->end()) row.memory_used = used->second;
      }
      if (finished(task) && task.end_time && within_window(*task.end_time, now))
        recent.insert(FinishedTaskKey{record.backend_namespace, record.id, task.task_id});
      row.restarts = task.restarts;
      row.reason = reason_of(record, task, row.state);
      held = held || row.state.find('h') != std::string::npos;
      pending = pending || qstat::task_section(task) == qstat::TaskSection::Pending;
      ++space.tasks_by_state[row.state];
      space.rows.push_back(std::move(row));
    }
    if (held) ++space.held_jobs;
    if (pending && record.execution_time && *record.execution_time > now) ++space.deferred_jobs;
    // What no page shows: the job's environment (it may hold secrets) and its arguments.
    record.environment.clear();
    record.submit_environment.clear();
    record.job_args.clear();
    space.records.push_back(std::move(record));
  }
  // Tools whose jobs are all gone still show what finished within the hour.
  for (const auto& key : recent) {
    NamespaceStatus& space = snapshot.namespaces[key.ns];
    space.name = key.ns;
    ++space.finished_last_hour;
  }
  if (facts.memory) {
    for (auto& [name, space] : snapshot.namespaces) {
      long long used = 0;
      for (const auto& row : space.rows) used = add_saturated(used, row.memory_used.value_or(0));
      space.memory_used = used;
    }
  }
  return snapshot;
}

void StatusBoard::publish(StatusSnapshot snapshot) {
  auto shared = std::make_shared<const StatusSnapshot>(std::move(snapshot));
  std::lock_guard lock(mutex_);
  current_ = std::move(shared);
}

std::shared_ptr<const StatusSnapshot> StatusBoard::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace k8sjobs::status
