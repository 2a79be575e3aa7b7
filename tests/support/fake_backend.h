#pragma once
// A JobBackend that keeps jobs in a vector, for command tests: it answers list/remove/hold/
// release the way the Kubernetes backend does (owners, finished jobs, running vs pending,
// already deleting, single array tasks refused) and records every call.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/jobs/backend.h"

namespace k8sjobs::testing {

class FakeBackend final : public jobs::JobBackend {
 public:
  struct Removal {
    long long id = 0;
    std::vector<int> tasks;
    bool force = false;
  };

  std::vector<jobs::JobRecord> jobs;
  std::vector<std::string> warnings;               // what list() reports besides the jobs
  std::optional<jobs::BackendError> list_error;    // list() fails with this when set
  std::optional<jobs::BackendError> change_error;  // remove/hold/release fail with this
  bool single_tasks_removable = false;             // Kubernetes: false

  std::vector<acct::AccountingRecord> accounting;      // what read_accounting() returns
  std::vector<std::string> accounting_warnings;        // and the lines it skipped
  std::optional<jobs::BackendError> accounting_error;  // read_accounting() fails with this

  std::vector<jobs::JobQuery> queries;
  std::vector<Removal> removals;
  std::vector<long long> holds;
  std::vector<long long> releases;

  Expected<jobs::SubmitReceipt, jobs::SubmitFailure> submit(const ge::SubmitRequest&,
                                                            const translate::SubmitContext&,
                                                            const std::string&) override {
    return unexpected(jobs::SubmitFailure{"the fake backend does not submit", 1});
  }
  Expected<std::vector<jobs::TaskExit>, jobs::BackendError> wait(
      const jobs::SubmitReceipt&) override {
    return unexpected(jobs::BackendError{"the fake backend does not wait", 1});
  }

  Expected<jobs::AccountingListing, jobs::BackendError> read_accounting(
      const jobs::AccountingFilter& keep) override {
    if (accounting_error) return unexpected(*accounting_error);
    jobs::AccountingListing listing{{}, accounting_warnings};
    for (const auto& record : accounting)
      if (keep(record)) listing.records.push_back(record);
    return listing;
  }

  Expected<jobs::JobListing, jobs::BackendError> list(const jobs::JobQuery& query) override {
    queries.push_back(query);
    if (list_error) return unexpected(*list_error);
    bool everybody = query.users.empty() ||
                     std::find(query.users.begin(), query.users.end(), "*") != query.users.end();
    std::vector<jobs::JobRecord> selected;
    for (const auto& job : jobs) {
      if (!everybody &&
          std::find(query.users.begin(), query.users.end(), job.owner) == query.users.end())
        continue;
      if (finished(job) && !query.include_finished) continue;
      selected.push_back(job);
    }
    return jobs::JobListing{std::move(selected), warnings};
  }

  Expected<jobs::DeleteResult, jobs::BackendError> remove(const jobs::JobRecord& job,
                                                          const std::vector<int>& tasks,
                                                          bool force) override {
    removals.push_back({job.id, tasks, force});
    if (change_error) return unexpected(*change_error);
    jobs::JobRecord* stored = find(job.id);
    if (stored == nullptr) return jobs::DeleteResult::NotFound;
    if (!tasks.empty() && !single_tasks_removable)
      return unexpected(jobs::BackendError{"single tasks cannot be deleted", 1});
    bool deleting = std::any_of(stored->tasks.begin(), stored->tasks.end(),
                                [](const auto& t) { return t.state == jobs::JobState::Deleting; });
    if (deleting && !force) return jobs::DeleteResult::AlreadyDeleting;
    bool running = false;
    auto selected = [&](const jobs::TaskRecord& task) {
      return tasks.empty() || std::find(tasks.begin(), tasks.end(), task.task_id) != tasks.end();
    };
    for (auto& task : stored->tasks) {
      if (!selected(task)) continue;
      if (is_running(task)) {
        running = true;
        task.state = jobs::JobState::Deleting;
      }
    }
    // Tasks that never started are gone at once.
    std::erase_if(stored->tasks, [&](const jobs::TaskRecord& task) {
      return selected(task) && task.state != jobs::JobState::Deleting;
    });
    if (stored->tasks.empty()) std::erase_if(jobs, [&](const auto& j) { return j.id == job.id; });
    return running ? jobs::DeleteResult::Registered : jobs::DeleteResult::Deleted;
  }

  Expected<Done, jobs::BackendError> hold(const jobs::JobRecord& job) override {
    holds.push_back(job.id);
    return set_held(job.id, true);
  }
  Expected<Done, jobs::BackendError> release(const jobs::JobRecord& job) override {
    releases.push_back(job.id);
    return set_held(job.id, false);
  }

  jobs::JobRecord* find(long long id) {
    auto it = std::find_if(jobs.begin(), jobs.end(), [id](const auto& j) { return j.id == id; });
    return it == jobs.end() ? nullptr : &*it;
  }

 private:
  static bool is_running(const jobs::TaskRecord& task) {
    return task.state == jobs::JobState::Running || task.state == jobs::JobState::Restarted ||
           task.state == jobs::JobState::Starting || task.state == jobs::JobState::Deleting;
  }
  static bool finished(const jobs::JobRecord& job) {
    return std::all_of(job.tasks.begin(), job.tasks.end(), [](const auto& task) {
      return task.state == jobs::JobState::Succeeded || task.state == jobs::JobState::Failed;
    });
  }

  Expected<Done, jobs::BackendError> set_held(long long id, bool held) {
    if (change_error) return unexpected(*change_error);
    jobs::JobRecord* stored = find(id);
    if (stored == nullptr) return unexpected(jobs::BackendError{"no such job", 1});
    for (auto& task : stored->tasks) {
      if (held && task.state == jobs::JobState::Pending) task.state = jobs::JobState::Held;
      if (!held && task.state == jobs::JobState::Held) task.state = jobs::JobState::Pending;
    }
    return Done{};
  }
};

}  // namespace k8sjobs::testing
