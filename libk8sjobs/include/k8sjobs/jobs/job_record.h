#pragma once
// A job as qstat, qdel, job and jstop see it, whatever the backend: the Kubernetes backend
// derives it from Jobs, Deployments and Pods; the local backend from its state directory.
// Renderers (qstat's formats) take only this, so they are tested without any backend.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace k8sjobs::jobs {

using TimePoint = std::chrono::system_clock::time_point;

// Grid Engine's view of a job or task. The state letters qstat prints are derived from this
// (see state_letters()).
enum class JobState {
  Pending,    // qw: waiting to be scheduled
  Held,       // hqw: suspended/held (qhold, -h)
  Starting,   // t: scheduled, container starting
  Running,    // r
  Restarted,  // Rr: a continuous job running again after its program exited
  Deleting,   // dr (running) / dt (starting): deletion requested, not gone yet
  Error,      // Eqw: image pull failure, crash loop, failed create, config error
  Succeeded,  // finished with exit code 0 (qstat -s z)
  Failed,     // finished with a non-zero exit code or a signal (qstat -s z)
};

struct ArrayRange {
  int first = 1;
  int last = 1;
  int step = 1;
  bool operator==(const ArrayRange&) const = default;
};

struct TaskRecord {
  int task_id = 0;  // 0 for the single task of a non-array job
  JobState state = JobState::Pending;
  bool deleting_while_starting = false;  // dt rather than dr
  std::optional<TimePoint> start_time;
  std::optional<TimePoint> end_time;  // when it finished, where known (accounting)
  std::string node;                   // where it runs
  std::optional<int> exit_code;
  std::optional<int> signal;
  int restarts = 0;
  std::string error_reason;     // for Eqw: the Kubernetes cause, e.g. ImagePullBackOff: ...
  std::string scheduling_info;  // e.g. the pod's Unschedulable message
  // Usage when known (local backend; metrics on Kubernetes if available).
  std::optional<std::chrono::seconds> cpu_time;
  std::optional<long long> max_memory_bytes;
};

struct JobRecord {
  long long id = 0;
  std::string name;   // the original Grid Engine name (-N), not the Kubernetes object name
  std::string owner;  // Unix user that submitted
  std::string group;
  std::optional<int> uid;
  std::optional<int> gid;
  bool continuous = false;  // jstart: queue "continuous", else "task"
  double priority = 0.0;    // the figure qstat prints in "prior"
  int posix_priority = 0;   // -p
  int slots = 1;            // CPUs
  TimePoint submission_time;
  std::optional<ArrayRange> array;  // -t
  std::vector<TaskRecord> tasks;    // one per task still known (non-array: exactly one)

  // Details for qstat -j, each printed only when set.
  std::string account;
  std::string cwd;
  std::string stdout_path;
  std::string stderr_path;
  bool merge_output = false;                                        // -j y
  std::vector<std::pair<std::string, std::string>> hard_resources;  // h_vmem=1G, h_rt=300, ...
  std::string mail_options;                                         // -m
  std::string mail_list;                                            // -M
  std::string hard_queue;                                           // -q
  bool rerunnable = false;                                          // -r y
  std::vector<std::pair<std::string, std::string>> environment;     // -v / -V values
  std::vector<std::string> job_args;
  std::string script_file;  // the program
  std::string image_rule;   // k8sjobs' own line: which image rule chose the image, and why
  std::vector<std::pair<std::string, std::string>>
      submit_environment;                         // SGE_O_HOME, ... as sge_o_home
  std::string error_reason;                       // job-level error (failed create, quota)
  std::string scheduling_info;                    // job-level scheduling message
  std::optional<TimePoint> execution_time;        // -a: not to start before this
  std::vector<long long> predecessor_jobs;        // -hold_jid, resolved to job ids
  std::vector<std::string> predecessor_requests;  // -hold_jid as given (qstat -j's "(req)")
  std::vector<long long> successor_jobs;          // jobs waiting for this one (link_dependencies)
  std::vector<long long> array_predecessor_jobs;  // -hold_jid_ad, resolved to job ids
  std::vector<std::string> array_predecessor_requests;  // -hold_jid_ad as given

  // Backend bookkeeping: what qdel/qhold act on. Never printed.
  std::string backend_namespace;
  std::vector<std::pair<std::string, std::string>> backend_objects;  // (kind, name)
  // Empty: a k8sjobs job. Else the system that made it ("toolforge-jobs-framework"): qdel
  // deletes its object only while it has `backend_uid`; qhold/qrls leave it alone.
  std::string managed_by;
  std::string backend_uid;
};

}  // namespace k8sjobs::jobs
