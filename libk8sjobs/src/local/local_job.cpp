#include "k8sjobs/local/local_job.h"

#include <cstring>

namespace k8sjobs::local {

using nlohmann::json;

namespace {

constexpr std::pair<TaskPhase, const char*> kPhaseNames[] = {
    {TaskPhase::Pending, "pending"}, {TaskPhase::Running, "running"},
    {TaskPhase::Exited, "exited"},   {TaskPhase::Signaled, "signaled"},
    {TaskPhase::Lost, "lost"},       {TaskPhase::Error, "error"},
    {TaskPhase::Deleted, "deleted"},
};

TaskPhase phase_from_string(const std::string& text) {
  for (const auto& [phase, name] : kPhaseNames) {
    if (text == name) return phase;
  }
  throw json::other_error::create(501, "unknown task phase \"" + text + "\"", nullptr);
}

// Times are stored as milliseconds since the epoch: exact, and readable with jq.
json time_json(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}
TimePoint time_from(const json& value) {
  return TimePoint(std::chrono::milliseconds(value.get<std::int64_t>()));
}
void put_time(json& out, const char* key, const std::optional<TimePoint>& time) {
  if (time) out[key] = time_json(*time);
}
std::optional<TimePoint> get_time(const json& in, const char* key) {
  if (!in.contains(key) || in[key].is_null()) return std::nullopt;
  return time_from(in[key]);
}
json process_json(const ProcessId& process) {
  return {{"pid", process.pid}, {"start_ticks", process.start_ticks}};
}
std::optional<ProcessId> get_process(const json& in, const char* key) {
  if (!in.contains(key) || in[key].is_null()) return std::nullopt;
  return ProcessId{in[key].at("pid").get<int>(), in[key].at("start_ticks").get<std::uint64_t>()};
}
template <class T>
std::optional<T> get_optional(const json& in, const char* key) {
  if (!in.contains(key) || in[key].is_null()) return std::nullopt;
  return in[key].get<T>();
}

std::vector<std::pair<std::string, std::string>> pairs(const json& details, const char* key) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : details.value(key, json::array())) {
    out.emplace_back(item.at(0).get<std::string>(), item.at(1).get<std::string>());
  }
  return out;
}

}  // namespace

std::string_view to_string(TaskPhase phase) {
  for (const auto& [known, name] : kPhaseNames) {
    if (known == phase) return name;
  }
  return "unknown";
}

bool task_finished(TaskPhase phase) {
  return phase == TaskPhase::Exited || phase == TaskPhase::Signaled || phase == TaskPhase::Lost ||
         phase == TaskPhase::Deleted;
}

json to_json(const LocalJob& job) {
  json out{{"id", job.id},
           {"name", job.name},
           {"owner", job.owner},
           {"group", job.group},
           {"continuous", job.continuous},
           {"once", job.once},
           {"posix_priority", job.posix_priority},
           {"slots", job.slots},
           {"memory_bytes", job.memory_bytes},
           {"submission_time", time_json(job.submission_time)},
           {"max_running", job.max_running},
           {"node", job.node},
           {"held", job.held},
           {"started", job.started},
           {"details", job.details},
           {"tasks", json::array()}};
  if (job.uid) out["uid"] = *job.uid;
  if (job.gid) out["gid"] = *job.gid;
  if (job.array) {
    out["array"] = {
        {"first", job.array->first}, {"last", job.array->last}, {"step", job.array->step}};
  }
  if (job.supervisor) out["supervisor"] = process_json(*job.supervisor);
  for (const auto& task : job.tasks) {
    json item{{"task_id", task.task_id}, {"phase", std::string(to_string(task.phase))}};
    if (task.process) item["process"] = process_json(*task.process);
    put_time(item, "start_time", task.start_time);
    put_time(item, "end_time", task.end_time);
    if (task.exit_code) item["exit_code"] = *task.exit_code;
    if (task.signal) item["signal"] = *task.signal;
    if (!task.error_reason.empty()) item["error_reason"] = task.error_reason;
    put_time(item, "delete_requested", task.delete_requested);
    put_time(item, "kill_after", task.kill_after);
    out["tasks"].push_back(std::move(item));
  }
  return out;
}

LocalJob local_job_from_json(const json& in) {
  LocalJob job;
  job.id = in.at("id").get<long long>();
  job.name = in.at("name").get<std::string>();
  job.owner = in.at("owner").get<std::string>();
  job.group = in.value("group", "");
  job.uid = get_optional<int>(in, "uid");
  job.gid = get_optional<int>(in, "gid");
  job.continuous = in.value("continuous", false);
  job.once = in.value("once", false);
  job.posix_priority = in.value("posix_priority", 0);
  job.slots = in.value("slots", 1);
  job.memory_bytes = in.value("memory_bytes", std::uint64_t{0});
  job.submission_time = time_from(in.at("submission_time"));
  if (in.contains("array")) {
    const auto& array = in["array"];
    job.array = jobs::ArrayRange{array.at("first").get<int>(), array.at("last").get<int>(),
                                 array.at("step").get<int>()};
  }
  job.max_running = in.value("max_running", 0);
  job.node = in.value("node", "");
  job.held = in.value("held", false);
  job.started = in.value("started", false);
  job.supervisor = get_process(in, "supervisor");
  job.details = in.value("details", json::object());
  for (const auto& item : in.at("tasks")) {
    LocalTask task;
    task.task_id = item.at("task_id").get<int>();
    task.phase = phase_from_string(item.at("phase").get<std::string>());
    task.process = get_process(item, "process");
    task.start_time = get_time(item, "start_time");
    task.end_time = get_time(item, "end_time");
    task.exit_code = get_optional<int>(item, "exit_code");
    task.signal = get_optional<int>(item, "signal");
    task.error_reason = item.value("error_reason", "");
    task.delete_requested = get_time(item, "delete_requested");
    task.kill_after = get_time(item, "kill_after");
    job.tasks.push_back(std::move(task));
  }
  return job;
}

TaskPhase effective_phase(const LocalJob& job, const LocalTask& task, const LivenessCheck& alive,
                          TimePoint now) {
  bool supervisor_alive = job.supervisor && alive(*job.supervisor);
  switch (task.phase) {
    case TaskPhase::Running:
      // A dead leader with a live supervisor is an exit about to be recorded.
      if (supervisor_alive || (task.process && alive(*task.process))) return TaskPhase::Running;
      return TaskPhase::Lost;
    case TaskPhase::Pending:
      if (supervisor_alive) return TaskPhase::Pending;
      if (!job.started) {
        // Held at submit (-h) waits for qrls; otherwise the submitter is about to start it.
        if (job.held || now - job.submission_time < kSupervisorStartGrace)
          return TaskPhase::Pending;
      }
      return TaskPhase::Error;
    default:
      return task.phase;
  }
}

jobs::JobRecord to_job_record(const LocalJob& job, const LivenessCheck& alive, TimePoint now,
                              const std::function<bool(const LocalTask&)>& restarted) {
  jobs::JobRecord record;
  record.id = job.id;
  record.name = job.name;
  record.owner = job.owner;
  record.group = job.group;
  record.uid = job.uid;
  record.gid = job.gid;
  record.continuous = job.continuous;
  record.posix_priority = job.posix_priority;
  record.priority = normalized_priority(job.posix_priority);
  record.slots = job.slots;
  record.submission_time = job.submission_time;
  record.array = job.array;

  const json& details = job.details;
  record.account = details.value("account", "");
  record.cwd = details.value("cwd", "");
  record.stdout_path = details.value("stdout_path", "");
  record.stderr_path = details.value("stderr_path", "");
  record.merge_output = details.value("merge_output", false);
  record.hard_resources = pairs(details, "hard_resources");
  record.mail_options = details.value("mail_options", "");
  record.mail_list = details.value("mail_list", "");
  record.hard_queue = details.value("hard_queue", "");
  record.rerunnable = details.value("rerunnable", false);
  record.environment = pairs(details, "environment");
  record.job_args = details.value("job_args", std::vector<std::string>{});
  record.script_file = details.value("script_file", "");
  record.submit_environment = pairs(details, "submit_environment");
  record.backend_objects = {{"LocalJob", std::to_string(job.id)}};

  for (const auto& task : job.tasks) {
    jobs::TaskRecord out;
    out.task_id = task.task_id;
    out.start_time = task.start_time;
    out.exit_code = task.exit_code;
    out.signal = task.signal;
    out.error_reason = task.error_reason;
    TaskPhase phase = effective_phase(job, task, alive, now);
    switch (phase) {
      case TaskPhase::Pending:
        out.state = job.held ? jobs::JobState::Held : jobs::JobState::Pending;
        if (!job.held && job.started && job.max_running > 0) {
          out.scheduling_info =
              "waiting for a free slot (-tc " + std::to_string(job.max_running) + ")";
        }
        break;
      case TaskPhase::Running:
        out.node = job.node;
        if (task.delete_requested) {
          out.state = jobs::JobState::Deleting;
        } else if (job.held) {
          out.state = jobs::JobState::Held;
        } else if (job.continuous && restarted && restarted(task)) {
          out.state = jobs::JobState::Restarted;
          out.restarts = 1;
        } else {
          out.state = jobs::JobState::Running;
        }
        break;
      case TaskPhase::Exited:
        out.state =
            task.exit_code.value_or(1) == 0 ? jobs::JobState::Succeeded : jobs::JobState::Failed;
        break;
      case TaskPhase::Signaled:
        out.state = jobs::JobState::Failed;
        break;
      case TaskPhase::Lost:
        out.state = jobs::JobState::Failed;
        if (out.error_reason.empty()) {
          out.error_reason = "the job's local supervisor ended before the job; exit status unknown";
        }
        break;
      case TaskPhase::Error:
        out.state = jobs::JobState::Error;
        if (out.error_reason.empty()) {
          out.error_reason = job.started ? "the job's local supervisor ended before starting it"
                                         : "the job was never started (its submitter ended early)";
        }
        break;
      case TaskPhase::Deleted:
        out.state = jobs::JobState::Failed;
        if (out.error_reason.empty()) out.error_reason = "deleted before it started";
        break;
    }
    record.tasks.push_back(std::move(out));
  }
  return record;
}

std::vector<jobs::TaskExit> task_exits(const LocalJob& job, const LivenessCheck& alive,
                                       TimePoint now) {
  std::vector<jobs::TaskExit> exits;
  for (const auto& task : job.tasks) {
    jobs::TaskExit exit;
    exit.task_id = task.task_id;
    switch (effective_phase(job, task, alive, now)) {
      case TaskPhase::Exited:
        exit.kind = jobs::TaskExit::Kind::Exited;
        exit.exit_code = task.exit_code.value_or(0);
        break;
      case TaskPhase::Signaled:
        exit.kind = jobs::TaskExit::Kind::Signaled;
        exit.signal_name = signal_name(task.signal.value_or(0));
        break;
      case TaskPhase::Error:
      case TaskPhase::Deleted:
        exit.kind = jobs::TaskExit::Kind::NeverRan;
        break;
      default:
        exit.kind = jobs::TaskExit::Kind::NoInformation;
        break;
    }
    exits.push_back(std::move(exit));
  }
  return exits;
}

std::string signal_name(int signal) {
  const char* name = signal > 0 ? sigabbrev_np(signal) : nullptr;
  if (name == nullptr) return "SIG" + std::to_string(signal);
  return name;
}

double normalized_priority(int posix_priority) {
  return (static_cast<double>(posix_priority) + 1024.0) / 2048.0;
}

}  // namespace k8sjobs::local
