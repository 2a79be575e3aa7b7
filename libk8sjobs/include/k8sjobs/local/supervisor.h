#pragma once
// The per-job supervisor of the local backend: a small detached process (not the submitting
// command, which returns at once) that starts the job's tasks, records how each ended, and
// finishes deletions. One per job; it ends when every task has ended.
//
// Plain fork() rather than Boost.Process: the supervisor is our own C++ code running in the
// forked intermediate (Boost.Process can only exec a program), and the tasks need setsid,
// setpgid and setrlimit between fork and exec, which plain fork/exec says directly.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/local/local_job.h"
#include "k8sjobs/local/mail_notifier.h"
#include "k8sjobs/local/state_store.h"

namespace k8sjobs::local {

// How to start one task: what execve() gets.
struct TaskLaunch {
  int task_id = 0;
  std::vector<std::string> argv;  // /bin/sh -c <launcher> k8sjobs-job <program> <args...>
  std::vector<std::pair<std::string, std::string>> environment;
};

// <state_dir>/jobs/<id>.launch.json: written once at submit, read by the supervisor.
struct JobLaunch {
  std::string working_dir;
  std::uint64_t memory_bytes = 0;                   // RLIMIT_AS; 0: no limit
  std::optional<std::uint64_t> time_limit_seconds;  // h_rt: SIGKILL this long after the start
  std::optional<LocalMailSettings> mail;            // -m: how to send its mail; unset: none
  std::vector<TaskLaunch> tasks;
};

nlohmann::json to_json(const JobLaunch& launch);
JobLaunch job_launch_from_json(const nlohmann::json& json);  // throws nlohmann::json::exception

// Forks the detached supervisor of job `id` (its record and launch file must exist) and
// returns its identity. The supervisor closes every inherited descriptor, so it holds none of
// the caller's locks or pipes.
Expected<ProcessId, std::string> start_supervisor(const StateStore& store, long long id);

}  // namespace k8sjobs::local
