// SPDX-License-Identifier: Apache-2.0
#pragma once
// The lean form of a listing: what qstat's tables print (default, -f, -xml without -r) and
// nothing else. A JobRecord is about 720 bytes before its strings, vectors and details (the
// submit environment alone is several hundred bytes of heap); at 100,000 jobs the records were
// most of qstat's memory. Here a job is TableJob (fixed fields, about 100 bytes), its tasks
// are TableTasks in one vector, and every string (name, owner, node) is a std::string_view
// into the table's StringArena, whose blocks never move.
//
// What only `qstat -j` and `-r` print (paths, resources, environment, predecessors) is not
// here: those options list full JobRecords (JobBackend::list).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::jobs {

// Copies of strings in large blocks: one allocation per 64 KiB, not one per string. A view
// handed out stays valid as long as the arena lives (moving the arena keeps the blocks).
class StringArena {
 public:
  static constexpr std::size_t kBlockBytes = std::size_t{64} << 10;
  std::string_view store(std::string_view text);
  // Bytes held in blocks (for tests and the memory model).
  std::size_t allocated_bytes() const { return allocated_; }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;  // free space in the last block
  std::size_t left_ = 0;
  std::size_t allocated_ = 0;
};

// A task as the tables show it.
struct TableTask {
  TimePoint start_time{};
  std::string_view node;  // where it runs; empty when not scheduled
  int task_id = 0;
  JobState state = JobState::Pending;
  bool deleting_while_starting = false;
  bool has_start_time = false;

  std::optional<TimePoint> start() const {
    return has_start_time ? std::optional<TimePoint>(start_time) : std::nullopt;
  }
};

// `task` as a table row; its node is kept in `strings`.
TableTask lean_task(const TaskRecord& task, StringArena& strings);

// A job as the tables show it. Its tasks are JobTable::tasks[first_task, first_task+task_count).
struct TableJob {
  long long id = 0;
  double priority = 0.0;
  std::string_view name;
  std::string_view owner;
  TimePoint submission_time{};
  ArrayRange array;  // valid when is_array
  int slots = 1;
  std::uint32_t first_task = 0;
  std::uint32_t task_count = 0;
  bool is_array = false;
  bool continuous = false;
};

struct JobTable {
  std::vector<TableJob> jobs;
  std::vector<TableTask> tasks;
  StringArena strings;

  std::span<const TableTask> tasks_of(const TableJob& job) const {
    return {tasks.data() + job.first_task, job.task_count};
  }
  // Appends a job with the table fields of `record` (strings copied into the arena).
  void add(const JobRecord& record);
};

// The tables' fields of each record, in the same order.
JobTable table_of(const std::vector<JobRecord>& records);

}  // namespace k8sjobs::jobs
