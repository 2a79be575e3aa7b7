#pragma once
// The local backend's record of one job, as stored in <state_dir>/jobs/<id>.json, and how it
// becomes the backend-neutral JobRecord. Pure: whether a process is still alive comes in as a
// function, so the state mapping is tested without processes.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::local {

using TimePoint = std::chrono::system_clock::time_point;

// A process as the kernel identifies it over time: the pid plus its start time (clock ticks
// since boot, /proc/<pid>/stat field 22), so a reused pid is not mistaken for ours.
struct ProcessId {
  int pid = 0;
  std::uint64_t start_ticks = 0;
  bool operator==(const ProcessId&) const = default;
};

enum class TaskPhase {
  Pending,   // not started yet (held, waiting for -tc room, or the supervisor is starting)
  Running,   // started: `process` is its process group leader
  Exited,    // ended with `exit_code`
  Signaled,  // ended by `signal`
  Lost,      // ended while nobody watched (its supervisor died): no exit status known
  Error,     // could not be started (Eqw): `error_reason`
  Deleted,   // deleted before it started
};
std::string_view to_string(TaskPhase phase);

struct LocalTask {
  int task_id = 0;  // 0 for a non-array job
  TaskPhase phase = TaskPhase::Pending;
  std::optional<ProcessId> process;  // the process group leader while Running
  std::optional<TimePoint> start_time;
  std::optional<TimePoint> end_time;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string error_reason;
  // qdel: when it was asked, and when the supervisor sends SIGKILL if TERM was not enough.
  std::optional<TimePoint> delete_requested;
  std::optional<TimePoint> kill_after;
  // -hold_jid_ad: the supervisor saw the predecessor tasks it waits for finished (until then a
  // pending task of such a job is held by them: hqw).
  bool array_released = false;
  bool operator==(const LocalTask&) const = default;
};

struct LocalJob {
  long long id = 0;
  std::string name;
  std::string owner;
  std::string group;
  std::optional<int> uid;
  std::optional<int> gid;
  bool continuous = false;
  bool once = false;
  int posix_priority = 0;
  int slots = 1;
  std::uint64_t memory_bytes = 0;
  TimePoint submission_time;
  std::optional<jobs::ArrayRange> array;
  int max_running = 0;  // -tc; 0: no limit
  std::string node;     // the host it runs on
  // Held: qhold (processes stopped) or -h (not started until qrls). `started` says whether a
  // supervisor was ever launched, so release knows whether to start one.
  bool held = false;
  bool started = false;
  // -a: no task starts before this time (qw until then).
  std::optional<TimePoint> start_after;
  // -hold_jid, resolved at submission: no task starts before every one of these jobs has
  // finished (or is gone). The supervisor sets `predecessors_done` when it sees that; until then
  // the job is held by them (hqw).
  std::vector<long long> predecessors;
  bool predecessors_done = false;
  // -hold_jid_ad, resolved at submission: task i waits for the tasks of these array jobs that
  // Grid Engine's rule names (jobs/array_dependency.h).
  std::vector<long long> array_predecessors;
  std::optional<ProcessId> supervisor;
  std::vector<LocalTask> tasks;
  // Details for qstat -j, in the same codec as the Kubernetes backend's annotation.
  jobs::JobDetails details;
  // -m mail the supervisor has sent, or tried to ("<task>.<b|e|a>", local/mail_notifier.h):
  // an event marked here is never sent again.
  std::set<std::string> mail_sent;

  bool operator==(const LocalJob&) const = default;
};

nlohmann::json to_json(const LocalJob& job);
// A record as read from its file, which its user can edit: the job, and what was read with
// defaults (e.g. `"slots" is not a number from 1 to 100000`).
struct DecodedLocalJob {
  LocalJob job;
  std::vector<std::string> problems;
};
// Error: why the record is not a job at all (its id, name, owner, submission time or tasks are
// not what k8sjobs writes). Never throws.
Expected<DecodedLocalJob, std::string> local_job_from_json(const nlohmann::json& json);

// Is this process (pid and start time) still the one we started?
using LivenessCheck = std::function<bool(const ProcessId&)>;

// A task that is over: it will never run (again).
bool task_finished(TaskPhase phase);

// Held by -hold_jid: some predecessor had not finished when the supervisor last looked.
bool waits_for_predecessors(const LocalJob& job);
// -hold_jid_ad: whether this pending task still waits for predecessor tasks.
bool waits_for_array_predecessors(const LocalJob& job, const LocalTask& task);

// How long a submission may go without a supervisor before the job counts as abandoned (the
// submitting command died between writing the record and starting the supervisor).
inline constexpr std::chrono::seconds kSupervisorStartGrace{60};

// The record as qstat sees it now. A Running task whose process is gone is shown as finished
// (Lost: Failed without exit status); a Pending task whose supervisor is gone as Error (Eqw).
// `restarted(task)`: whether a running continuous job's program has been restarted.
jobs::JobRecord to_job_record(const LocalJob& job, const LivenessCheck& alive, TimePoint now,
                              const std::function<bool(const LocalTask&)>& restarted);

// The effective phase of a task once dead processes are accounted for (see to_job_record).
TaskPhase effective_phase(const LocalJob& job, const LocalTask& task, const LivenessCheck& alive,
                          TimePoint now);

// -sync y: how each task ended (call when every task is finished or Error).
std::vector<jobs::TaskExit> task_exits(const LocalJob& job, const LivenessCheck& alive,
                                       TimePoint now);

// "KILL" for 9; "SIG<n>" when the number has no name.
std::string signal_name(int signal);

// qstat's "prior" figure from -p: 0.5 for the default 0, from 0 (-1023) to 1 (1024).
double normalized_priority(int posix_priority);

}  // namespace k8sjobs::local
