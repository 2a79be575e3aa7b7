// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the status page shows: qstat's JobRecords (the same records, the same state letters
// qstat prints), grouped by namespace, one row per task, with the counts the overview needs.
// Pure: built from records, so the pages are tested without a cluster.

#include <chrono>
#include <compare>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::status {

// One line of a tool's table: a task of a job (task_id 0 for a non-array job).
struct StatusRow {
  long long id = 0;
  int task_id = 0;
  bool is_array = false;
  std::string name;
  std::string owner;
  std::string state;  // qstat's letters: qw, hqw, t, r, Rr, dr, dt, Eqw, z
  std::string queue;  // task@node / continuous@node while it runs, else empty
  jobs::TimePoint submitted{};
  std::optional<jobs::TimePoint> started;
  std::string memory;                    // h_vmem asked, as given
  std::optional<long long> memory_used;  // bytes, from metrics.k8s.io while it runs
  int restarts = 0;
  std::string reason;  // why it is in Eqw, held or waiting
};

struct NamespaceStatus {
  std::string name;
  std::vector<StatusRow> rows;                // by job ID, then task
  std::map<std::string, int> tasks_by_state;  // state letters → tasks
  int jobs = 0;
  int held_jobs = 0;                     // any task held (hqw)
  int deferred_jobs = 0;                 // -a time still ahead
  int finished_last_hour = 0;            // tasks that ended within the hour before the snapshot
  std::optional<long long> memory_used;  // bytes of its running tasks, when metrics tell it
  std::vector<jobs::JobRecord> records;  // for the job pages, by job ID
};

// What the cluster's nodes offer to pods (status.allocatable, summed over the nodes).
struct ClusterCapacity {
  int nodes = 0;
  long long cpu_millis = 0;
  long long memory_bytes = 0;
};

// A task that finished, as remembered beyond the life of its Job (the snapshots seen before,
// and the accounting records the controller writes): namespace, job number, task.
struct FinishedTaskKey {
  std::string ns;
  long long id = 0;
  int task_id = 0;
  auto operator<=>(const FinishedTaskKey&) const = default;
};
using FinishedTasks = std::map<FinishedTaskKey, jobs::TimePoint>;  // → when it ended

// Memory in use per task (bytes), from metrics.k8s.io PodMetrics: the pods' job number and
// completion index (0 for a job that is not an array).
struct TaskUsageKey {
  std::string ns;
  long long id = 0;
  int index = 0;
  auto operator<=>(const TaskUsageKey&) const = default;
};
using MemoryUsage = std::map<TaskUsageKey, long long>;

// What a snapshot shows beside the jobs, each read where the cluster allows it.
struct ClusterFacts {
  std::optional<ClusterCapacity> capacity;
  std::string capacity_note;          // why there is none ("" when there is)
  std::optional<MemoryUsage> memory;  // nullopt: unknown (no metrics API)
  std::string memory_note;
  FinishedTasks finished;  // finished tasks known besides the records (any age)
};

struct StatusSnapshot {
  jobs::TimePoint taken{};
  std::map<std::string, NamespaceStatus> namespaces;
  std::optional<ClusterCapacity> capacity;
  std::string capacity_note;
  bool memory_known = false;  // metrics.k8s.io answered
  std::string memory_note;

  const NamespaceStatus* find_namespace(const std::string& name) const;
  const jobs::JobRecord* find_job(const std::string& ns, long long id) const;
};

// "Finished in the last hour" counts tasks whose end lies in (now - 1 h, now].
inline constexpr std::chrono::hours kFinishedWindow{1};

// The records of one LIST round (any namespaces), grouped; `now` decides what is deferred and
// what finished within the hour (a finished task of `records` or of `facts.finished`, counted
// once).
StatusSnapshot build_status_snapshot(std::vector<jobs::JobRecord> records, jobs::TimePoint now,
                                     const ClusterFacts& facts = {});

// The newest snapshot, shared between the thread that refreshes it and the HTTP threads.
class StatusBoard {
 public:
  void publish(StatusSnapshot snapshot);
  // Null until the first publish.
  std::shared_ptr<const StatusSnapshot> current() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const StatusSnapshot> current_;
};

}  // namespace k8sjobs::status
