#include "k8sjobs/local/local_job.h"

#include <cstring>
#include <limits>

#include "k8sjobs/jobs/predecessors.h"
#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::local {

using nlohmann::json;

namespace {

namespace untrusted = jobs::untrusted;

constexpr std::pair<TaskPhase, const char*> kPhaseNames[] = {
    {TaskPhase::Pending, "pending"}, {TaskPhase::Running, "running"},
    {TaskPhase::Exited, "exited"},   {TaskPhase::Signaled, "signaled"},
    {TaskPhase::Lost, "lost"},       {TaskPhase::Error, "error"},
    {TaskPhase::Deleted, "deleted"},
};

std::optional<TaskPhase> phase_from_string(const std::string& text) {
  for (const auto& [phase, name] : kPhaseNames) {
    if (text == name) return phase;
  }
  return std::nullopt;
}

// Times are stored as milliseconds since the epoch: exact, and readable with jq. Read back
// only from 1970 to 9999, which a time_point holds without overflow.
constexpr long long kLastMillisecond = 253402300799999LL;

json time_json(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}
void put_time(json& out, const char* key, const std::optional<TimePoint>& time) {
  if (time) out[key] = time_json(*time);
}
json process_json(const ProcessId& process) {
  return {{"pid", process.pid}, {"start_ticks", process.start_ticks}};
}

// Reads the optional fields of one JSON object of a record; a bad one stays unset and is
// named in the problems.
class RecordReader {
 public:
  RecordReader(const json& object, std::string where, std::vector<std::string>& problems)
      : object_(object), where_(std::move(where)), problems_(problems) {}

  bool present(const char* key) const {
    const json* value = untrusted::member(object_, key);
    return value != nullptr && !value->is_null();
  }

  std::optional<TimePoint> time(const char* key) {
    if (!present(key)) return std::nullopt;
    auto millis = untrusted::integer_member(object_, key, 0, kLastMillisecond);
    if (!millis) return bad(key, "is not a time (milliseconds since 1970)"), std::nullopt;
    return TimePoint(std::chrono::milliseconds(*millis));
  }

  std::optional<int> integer(const char* key, int min, int max) {
    if (!present(key)) return std::nullopt;
    auto number = untrusted::integer_member(object_, key, min, max);
    if (!number) {
      bad(key, "is not a number from " + std::to_string(min) + " to " + std::to_string(max));
      return std::nullopt;
    }
    return static_cast<int>(*number);
  }

  // Process ids 0 and 1 would make kill(-pid) signal the caller's process group or every
  // process it may signal: only real process group leaders are accepted.
  std::optional<ProcessId> process(const char* key) {
    if (!present(key)) return std::nullopt;
    const json& value = untrusted::object_member(object_, key);
    auto pid = untrusted::integer_member(value, "pid", 2, std::numeric_limits<int>::max());
    auto ticks =
        untrusted::integer_member(value, "start_ticks", 0, std::numeric_limits<long long>::max());
    if (!pid || !ticks) return bad(key, "is not a process {pid, start_ticks}"), std::nullopt;
    return ProcessId{static_cast<int>(*pid), static_cast<std::uint64_t>(*ticks)};
  }

  void boolean(const char* key, bool& out) {
    if (!present(key)) return;
    if (auto value = untrusted::bool_member(object_, key)) {
      out = *value;
    } else {
      bad(key, "is not true or false");
    }
  }

  void string(const char* key, std::string& out) {
    if (!present(key)) return;
    if (auto value = untrusted::string_member(object_, key)) {
      out = std::move(*value);
    } else {
      bad(key, "is not a string");
    }
  }

 private:
  void bad(const char* key, const std::string& what) {
    problems_.push_back(where_ + "\"" + key + "\" " + what);
  }

  const json& object_;
  std::string where_;
  std::vector<std::string>& problems_;
};

// "predecessors" / "array_predecessors": the same rules as the cluster's k8sjobs.io/hold-jid
// annotation: job numbers, at most kMaxPredecessors of them. nullopt when absent or unreadable
// (then said in `problems`: not waited for).
std::optional<std::vector<long long>> read_job_numbers(const json& in, const char* key,
                                                       std::vector<std::string>& problems) {
  auto found = in.find(key);
  if (found == in.end()) return std::nullopt;
  const json& listed = *found;
  bool readable = listed.is_array() && listed.size() <= jobs::kMaxPredecessors;
  std::vector<long long> ids;
  if (readable) {
    for (const auto& item : listed) {
      if (!item.is_number_integer() || item.get<long long>() < 1) {
        readable = false;
        break;
      }
      ids.push_back(item.get<long long>());
    }
  }
  if (!readable) {
    problems.push_back("\"" + std::string(key) +
                       "\" is not a list of job numbers (not waited for)");
    return std::nullopt;
  }
  return ids;
}

}  // namespace

std::string_view to_string(TaskPhase phase) {
  for (const auto& [known, name] : kPhaseNames) {
    if (known == phase) return name;
  }
  return "unknown";
}

bool waits_for_array_predecessors(const LocalJob& job, const LocalTask& task) {
  return !job.array_predecessors.empty() && !task.array_released;
}

bool waits_for_predecessors(const LocalJob& job) {
  return !job.predecessors.empty() && !job.predecessors_done;
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
           {"details", jobs::to_json(job.details)},
           {"tasks", json::array()}};
  if (job.uid) out["uid"] = *job.uid;
  if (job.gid) out["gid"] = *job.gid;
  if (job.array) {
    out["array"] = {
        {"first", job.array->first}, {"last", job.array->last}, {"step", job.array->step}};
  }
  if (job.supervisor) out["supervisor"] = process_json(*job.supervisor);
  put_time(out, "start_after", job.start_after);
  if (!job.predecessors.empty()) {
    out["predecessors"] = job.predecessors;
    out["predecessors_done"] = job.predecessors_done;
  }
  if (!job.array_predecessors.empty()) out["array_predecessors"] = job.array_predecessors;
  if (!job.mail_sent.empty()) out["mail_sent"] = job.mail_sent;
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
    if (task.array_released) item["array_released"] = true;
    out["tasks"].push_back(std::move(item));
  }
  return out;
}

Expected<DecodedLocalJob, std::string> local_job_from_json(const json& in) {
  if (!in.is_object()) return unexpected(std::string("is not a JSON object"));
  DecodedLocalJob decoded;
  LocalJob& job = decoded.job;
  auto& problems = decoded.problems;
  // The identity: what qstat shows and qdel acts on.
  auto id = untrusted::integer_member(in, "id", 1, std::numeric_limits<long long>::max());
  if (!id) return unexpected(std::string("\"id\" is not a job number"));
  job.id = *id;
  auto name = untrusted::string_member(in, "name");
  if (!name) return unexpected(std::string("\"name\" is not a string"));
  job.name = std::move(*name);
  auto owner = untrusted::string_member(in, "owner");
  if (!owner || owner->empty()) return unexpected(std::string("\"owner\" is not a user name"));
  job.owner = std::move(*owner);
  RecordReader read(in, "", problems);
  auto submitted = untrusted::integer_member(in, "submission_time", 0, kLastMillisecond);
  if (!submitted) {
    return unexpected(std::string("\"submission_time\" is not a time (milliseconds since 1970)"));
  }
  job.submission_time = TimePoint(std::chrono::milliseconds(*submitted));
  const json* tasks = untrusted::member(in, "tasks");
  if (tasks == nullptr || !tasks->is_array() || tasks->empty() ||
      static_cast<long long>(tasks->size()) > untrusted::kMaxArrayTasks) {
    return unexpected("\"tasks\" is not a list of 1 to " +
                      std::to_string(untrusted::kMaxArrayTasks) + " tasks");
  }

  read.string("group", job.group);
  job.uid = read.integer("uid", 0, std::numeric_limits<int>::max());
  job.gid = read.integer("gid", 0, std::numeric_limits<int>::max());
  read.boolean("continuous", job.continuous);
  read.boolean("once", job.once);
  job.posix_priority = read.integer("posix_priority", -1023, 1024).value_or(0);
  job.slots = read.integer("slots", 1, static_cast<int>(untrusted::kMaxArrayTasks)).value_or(1);
  if (read.present("memory_bytes")) {
    if (auto bytes = untrusted::integer_member(in, "memory_bytes", 0,
                                               std::numeric_limits<long long>::max())) {
      job.memory_bytes = static_cast<std::uint64_t>(*bytes);
    } else {
      problems.push_back("\"memory_bytes\" is not a number of bytes");
    }
  }
  if (read.present("array")) {
    // The same rules as the details' task range.
    auto range = jobs::job_details_from_untrusted_json(json{{"array", in["array"]}});
    if (range.details.array) {
      job.array = range.details.array;
    } else {
      problems.insert(problems.end(), range.problems.begin(), range.problems.end());
    }
  }
  job.max_running =
      read.integer("max_running", 0, static_cast<int>(untrusted::kMaxArrayTasks)).value_or(0);
  read.string("node", job.node);
  read.boolean("held", job.held);
  read.boolean("started", job.started);
  job.supervisor = read.process("supervisor");
  job.start_after = read.time("start_after");
  if (auto ids = read_job_numbers(in, "predecessors", problems)) job.predecessors = std::move(*ids);
  if (auto ids = read_job_numbers(in, "array_predecessors", problems))
    job.array_predecessors = std::move(*ids);
  read.boolean("predecessors_done", job.predecessors_done);
  if (read.present("mail_sent")) {
    // Marks of mail already sent; one that is not readable would at worst send a mail again.
    const json& marks = in["mail_sent"];
    bool readable = marks.is_array() && marks.size() <= 3 * untrusted::kMaxArrayTasks;
    std::set<std::string> sent;
    for (const auto& mark : readable ? marks : json::array()) {
      auto text = mark.is_string() ? mark.get<std::string>() : std::string();
      const std::size_t dot = text.find('.');
      if (dot == std::string::npos || dot == 0 || text.size() != dot + 2 ||
          !untrusted::parse_decimal(text.substr(0, dot), 0, std::numeric_limits<int>::max()) ||
          std::string_view("bea").find(text.back()) == std::string_view::npos) {
        readable = false;
        break;
      }
      sent.insert(std::move(text));
    }
    if (readable) {
      job.mail_sent = std::move(sent);
    } else {
      problems.push_back("\"mail_sent\" is not a list of mail marks (\"<task>.<b|e|a>\")");
    }
  }
  if (read.present("details")) {
    auto details = jobs::job_details_from_untrusted_json(in["details"]);
    job.details = std::move(details.details);
    for (auto& problem : details.problems) problems.push_back("\"details\": " + problem);
  }
  for (const auto& item : *tasks) {
    if (!item.is_object()) return unexpected(std::string("a task is not a JSON object"));
    LocalTask task;
    auto task_id = untrusted::integer_member(item, "task_id", 0, std::numeric_limits<int>::max());
    if (!task_id) return unexpected(std::string("a task's \"task_id\" is not a task number"));
    task.task_id = static_cast<int>(*task_id);
    auto phase_name = untrusted::string_member(item, "phase");
    auto phase = phase_name ? phase_from_string(*phase_name) : std::nullopt;
    if (!phase) {
      return unexpected("task " + std::to_string(task.task_id) + ": \"phase\" " +
                        untrusted::quoted(phase_name.value_or("")) + " is not a task phase");
    }
    task.phase = *phase;
    RecordReader read_task(item, "task " + std::to_string(task.task_id) + ": ", problems);
    task.process = read_task.process("process");
    task.start_time = read_task.time("start_time");
    task.end_time = read_task.time("end_time");
    task.exit_code = read_task.integer("exit_code", 0, 255);
    task.signal = read_task.integer("signal", 1, 255);
    read_task.string("error_reason", task.error_reason);
    task.delete_requested = read_task.time("delete_requested");
    task.kill_after = read_task.time("kill_after");
    read_task.boolean("array_released", task.array_released);
    job.tasks.push_back(std::move(task));
  }
  return decoded;
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

  jobs::apply_job_details(job.details, record);
  record.execution_time = job.start_after;
  if (!job.predecessors_done) record.predecessor_jobs = job.predecessors;
  record.array_predecessor_jobs = job.array_predecessors;
  record.backend_objects = {{"LocalJob", std::to_string(job.id)}};

  for (const auto& task : job.tasks) {
    jobs::TaskRecord out;
    out.task_id = task.task_id;
    out.start_time = task.start_time;
    out.end_time = task.end_time;
    out.exit_code = task.exit_code;
    out.signal = task.signal;
    out.error_reason = task.error_reason;
    TaskPhase phase = effective_phase(job, task, alive, now);
    switch (phase) {
      case TaskPhase::Pending:
        out.state =
            job.held || waits_for_predecessors(job) || waits_for_array_predecessors(job, task)
                ? jobs::JobState::Held
                : jobs::JobState::Pending;
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
