// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the status page shows: qstat's JobRecords (the same records, the same state letters
// qstat prints), grouped by namespace, one row per task, with the counts the overview needs.
// Pure: built from records, so the pages are tested without a cluster.

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
  std::string memory;  // h_vmem asked, as given
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
  std::vector<jobs::JobRecord> records;  // for the job pages, by job ID
};

struct StatusSnapshot {
  jobs::TimePoint taken{};
  std::map<std::string, NamespaceStatus> namespaces;

  const NamespaceStatus* find_namespace(const std::string& name) const;
  const jobs::JobRecord* find_job(const std::string& ns, long long id) const;
};

// The records of one LIST round (any namespaces), grouped; `now` decides what is deferred.
StatusSnapshot build_status_snapshot(std::vector<jobs::JobRecord> records, jobs::TimePoint now);

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
