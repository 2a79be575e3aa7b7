#pragma once
// JobRecords for the qstat renderer tests: every JobState, arrays with tasks done, running
// and pending, long names, several users.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "k8sjobs/jobs/job_record.h"
#include "support/build_paths.h"
#include "support/golden_file.h"
#include "support/temp_dir.h"

namespace k8sjobs::qstat::fixtures {

using jobs::ArrayRange;
using jobs::JobRecord;
using jobs::JobState;
using jobs::TaskRecord;

// 2021-07-02 10:46:14 UTC
inline jobs::TimePoint at(int seconds_after = 0) {
  return jobs::TimePoint(std::chrono::seconds(1625222774 + seconds_after));
}

inline TaskRecord task(int id, JobState state, std::string node = "", int started_after = -1) {
  TaskRecord t;
  t.task_id = id;
  t.state = state;
  t.node = std::move(node);
  if (started_after >= 0) t.start_time = at(started_after);
  return t;
}

inline JobRecord job(long long id, std::string name, std::string owner, double priority,
                     std::vector<TaskRecord> tasks, int submitted_after = 0) {
  JobRecord j;
  j.id = id;
  j.name = std::move(name);
  j.owner = std::move(owner);
  j.group = j.owner;
  j.priority = priority;
  j.submission_time = at(submitted_after);
  j.tasks = std::move(tasks);
  return j;
}

inline std::vector<TaskRecord> array_tasks(std::vector<std::pair<int, JobState>> states) {
  std::vector<TaskRecord> tasks;
  for (auto [id, state] : states) tasks.push_back(task(id, state));
  return tasks;
}

// A cluster with one job or task in every state.
inline std::vector<JobRecord> mixed_jobs() {
  std::vector<JobRecord> jobs;
  jobs.push_back(job(42, "hostname", "alice", 0.5, {task(0, JobState::Running, "node-1", 60)}));

  JobRecord array = job(43, "arr", "alice", 0.5, {}, 5);
  array.array = ArrayRange{1, 10, 1};
  array.tasks = array_tasks({{1, JobState::Succeeded},
                             {2, JobState::Failed},
                             {5, JobState::Pending},
                             {6, JobState::Pending},
                             {7, JobState::Pending},
                             {9, JobState::Pending},
                             {10, JobState::Pending}});
  array.tasks.push_back(task(3, JobState::Running, "node-2", 100));
  array.tasks.push_back(task(4, JobState::Running, "node-1", 101));
  array.tasks.push_back(task(8, JobState::Error));
  jobs.push_back(array);

  JobRecord error = job(44, "badimage", "bob", 0.5, {task(0, JobState::Error)}, 10);
  error.tasks[0].error_reason = "ImagePullBackOff: Back-off pulling image \"nope:latest\"";
  jobs.push_back(error);

  jobs.push_back(job(45, "waiter", "carol", 0.5, {task(0, JobState::Held)}, 20));
  jobs.push_back(job(46, "starting", "alice", 0.5, {task(0, JobState::Starting, "node-2", 200)}));

  JobRecord continuous =
      job(47, "webservice", "alice", 0.5, {task(0, JobState::Restarted, "node-3", 300)});
  continuous.continuous = true;
  continuous.tasks[0].restarts = 2;
  jobs.push_back(continuous);

  jobs.push_back(job(48, "deleting", "bob", 0.5, {task(0, JobState::Deleting, "node-1", 400)}));
  JobRecord dt = job(49, "delstart", "bob", 0.5, {task(0, JobState::Deleting, "node-2", 410)});
  dt.tasks[0].deleting_while_starting = true;
  jobs.push_back(dt);

  jobs.push_back(job(50, "averyveryverylongjobname", "averyverylongusername", 0.75,
                     {task(0, JobState::Pending)}, 30));

  JobRecord done = job(51, "finished", "alice", 0.5, {task(0, JobState::Succeeded)}, 40);
  done.tasks[0].exit_code = 0;
  jobs.push_back(done);
  JobRecord failed = job(52, "crashed", "alice", 0.5, {task(0, JobState::Failed)}, 41);
  failed.tasks[0].exit_code = 3;
  jobs.push_back(failed);

  JobRecord stepped = job(53, "stepped", "carol", 0.5, {}, 50);
  stepped.array = ArrayRange{1, 9, 2};
  stepped.tasks = array_tasks({{1, JobState::Pending},
                               {3, JobState::Pending},
                               {5, JobState::Pending},
                               {9, JobState::Pending}});
  stepped.tasks.push_back(task(7, JobState::Running, "node-3", 500));
  jobs.push_back(stepped);
  return jobs;
}

// A job with every -j field set.
inline JobRecord detailed_job() {
  JobRecord j = job(1234, "cron-3", "tools.foo", 0.5, {task(0, JobState::Running, "node-7", 90)});
  j.group = "tools.foo";
  j.uid = 52503;
  j.gid = 52503;
  j.account = "sge";
  j.cwd = "/data/project/foo";
  j.stdout_path = "/data/project/foo/cron-3.out";
  j.stderr_path = "/data/project/foo/cron-3.err";
  j.merge_output = true;
  j.hard_resources = {{"h_vmem", "524288k"}, {"release", "buster"}};
  j.mail_options = "a";
  j.mail_list = "tools.foo@toolforge.org";
  j.hard_queue = "task";
  j.rerunnable = true;
  j.posix_priority = -5;
  j.environment = {{"TERM", "NONE"}, {"LANG", "C.UTF-8"}};
  j.job_args = {"--verbose", "a b"};
  j.script_file = "/usr/bin/python3";
  j.submit_environment = {{"SGE_O_HOME", "/data/project/foo"},
                          {"SGE_O_LOGNAME", "tools.foo"},
                          {"SGE_O_PATH", "/usr/local/bin:/usr/bin:/bin"},
                          {"SGE_O_SHELL", "/bin/bash"},
                          {"SGE_O_WORKDIR", "/data/project/foo"},
                          {"SGE_O_HOST", "tools-sgebastion-10"}};
  j.tasks[0].cpu_time = std::chrono::seconds(3725);
  j.tasks[0].max_memory_bytes = 25948160;  // 24.746M
  return j;
}

inline std::string golden(const std::string& name) {
  return testing::read_file(std::string(K8SJOBS_TEST_DATA_DIR) + "/qstat/golden/" + name);
}

// Compares with tests/data/qstat/golden/<name> (support/golden_file.h).
inline void expect_golden(const std::string& name, const std::string& actual) {
  testing::expect_golden_file(std::string(K8SJOBS_TEST_DATA_DIR) + "/qstat/golden/" + name, actual,
                              "--gtest_filter='Qstat*'");
}

}  // namespace k8sjobs::qstat::fixtures
