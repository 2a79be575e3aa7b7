#include "k8sjobs/local/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "json_bytes.h"
#include "k8sjobs/acct/record_builder.h"
#include "k8sjobs/jobs/array_dependency.h"
#include "k8sjobs/local/accounting_file.h"
#include "k8sjobs/local/process_info.h"

namespace k8sjobs::local {

using nlohmann::json;

// argv, environment and working directory are stored byte for byte (json_bytes.h).
json to_json(const JobLaunch& launch) {
  json tasks = json::array();
  for (const auto& task : launch.tasks) {
    json argv = json::array();
    for (const auto& word : task.argv) argv.push_back(detail::bytes_json(word));
    json env = json::array();
    for (const auto& [name, value] : task.environment) {
      env.push_back(json::array({detail::bytes_json(name), detail::bytes_json(value)}));
    }
    tasks.push_back({{"task_id", task.task_id}, {"argv", argv}, {"env", env}});
  }
  json out{{"working_dir", detail::bytes_json(launch.working_dir)},
           {"memory_bytes", launch.memory_bytes},
           {"tasks", tasks}};
  if (launch.time_limit_seconds) out["time_limit_seconds"] = *launch.time_limit_seconds;
  if (launch.mail) out["mail"] = to_json(*launch.mail);
  return out;
}

JobLaunch job_launch_from_json(const json& in) {
  JobLaunch launch;
  launch.working_dir = detail::bytes_from_json(in.at("working_dir"));
  launch.memory_bytes = in.at("memory_bytes").get<std::uint64_t>();
  if (in.contains("time_limit_seconds")) {
    launch.time_limit_seconds = in["time_limit_seconds"].get<std::uint64_t>();
  }
  // Unreadable mail settings cost the mail, not the job.
  if (in.contains("mail")) launch.mail = local_mail_settings_from_json(in["mail"]);
  for (const auto& item : in.at("tasks")) {
    TaskLaunch task;
    task.task_id = item.at("task_id").get<int>();
    for (const auto& word : item.at("argv")) task.argv.push_back(detail::bytes_from_json(word));
    for (const auto& pair : item.at("env")) {
      task.environment.emplace_back(detail::bytes_from_json(pair.at(0)),
                                    detail::bytes_from_json(pair.at(1)));
    }
    launch.tasks.push_back(std::move(task));
  }
  return launch;
}

namespace {

constexpr timespec kTick{0, 200'000'000};  // how often the supervisor looks at the record

TimePoint now() {
  return std::chrono::system_clock::now();
}

// What a task's child process reports through its close-on-exec pipe when it cannot exec.
struct ChildFailure {
  int stage = 0;  // 1 stdin/log, 2 chdir, 3 setrlimit, 4 exec
  int error = 0;
};

struct StartResult {
  pid_t pid = -1;
  std::string error;  // set: the task could not be started (Grid Engine's Eqw)
};

[[noreturn]] void report_and_exit(int fd, int stage) {
  ChildFailure failure{stage, errno};
  ssize_t ignored = ::write(fd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

// Starts one task in its own process group, its stdin /dev/null, its stdout and stderr the
// job's log (the launcher redirects them to the output files at once; the log keeps what the
// shell says before that), in the working directory, with the memory limit.
StartResult start_task(const JobLaunch& launch, const TaskLaunch& task, const std::string& log) {
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : task.environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> argv;
  for (const auto& word : task.argv) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return {-1, std::string("pipe: ") + std::strerror(errno)};
  pid_t pid = ::fork();
  if (pid < 0) {
    int error = errno;
    ::close(report[0]);
    ::close(report[1]);
    return {-1, std::string("fork: ") + std::strerror(error)};
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) {
      report_and_exit(report[1], 1);
    }
    if (in > 2) ::close(in);
    if (out > 2) ::close(out);
    if (::chdir(launch.working_dir.c_str()) != 0) report_and_exit(report[1], 2);
    if (launch.memory_bytes > 0) {
      rlimit limit{static_cast<rlim_t>(launch.memory_bytes),
                   static_cast<rlim_t>(launch.memory_bytes)};
      if (::setrlimit(RLIMIT_AS, &limit) != 0) report_and_exit(report[1], 3);
    }
    ::execve(argv[0], argv.data(), envp.data());
    report_and_exit(report[1], 4);
  }
  // Also here, so a kill(-pgid) right after fork cannot miss it.
  ::setpgid(pid, pid);
  ::close(report[1]);
  ChildFailure failure;
  ssize_t got;
  do {
    got = ::read(report[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got != static_cast<ssize_t>(sizeof failure)) return {pid, ""};  // exec succeeded
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::string why = std::strerror(failure.error);
  switch (failure.stage) {
    case 1:
      return {-1, "error: can't open /dev/null or " + log + ": " + why};
    case 2:
      return {-1, "error: can't chdir to " + launch.working_dir + ": " + why};
    case 3:
      return {-1, "error: can't set the memory limit: " + why};
    default:
      return {-1, "error: can't execute " + task.argv.front() + ": " + why};
  }
}

// -hold_jid: whether every predecessor has finished (a job whose record is gone, deleted or
// cleaned away, counts as finished, as in Grid Engine). Called under the records lock.
bool predecessors_finished(const StateStore& store, const LocalJob& job) {
  for (long long id : job.predecessors) {
    auto predecessor = store.read(id);
    if (!predecessor) continue;
    for (const auto& task : predecessor->tasks) {
      if (!task_finished(effective_phase(*predecessor, task, process_alive, now()))) return false;
    }
  }
  return true;
}

// -hold_jid_ad: the tasks of the job's array predecessors that have finished, read once per
// pass of the loop whatever the number of waiting tasks (a predecessor that is gone is left out:
// finished). Called under the records lock.
std::map<long long, jobs::PredecessorTasks> array_predecessor_states(const StateStore& store,
                                                                     const LocalJob& job) {
  std::map<long long, jobs::PredecessorTasks> states;
  for (long long id : job.array_predecessors) {
    auto predecessor = store.read(id);
    if (!predecessor) continue;
    jobs::PredecessorTasks tasks;
    tasks.range = predecessor->array.value_or(jobs::ArrayRange{0, 0, 0});
    tasks.all_finished = true;
    for (const auto& task : predecessor->tasks) {
      if (task_finished(effective_phase(*predecessor, task, process_alive, now())))
        tasks.finished.insert(task.task_id);
      else
        tasks.all_finished = false;
    }
    states.emplace(id, std::move(tasks));
  }
  return states;
}

bool has_pending(const LocalJob& job) {
  for (const auto& task : job.tasks) {
    if (task.phase == TaskPhase::Pending) return true;
  }
  return false;
}

// Appends the accounting record of a task that just ended (qacct). A failure costs the record
// only: the job's own state is already written.
void account_task(const StateStore& store, const LocalJob& job, int task_id) {
  const auto never_alive = [](const ProcessId&) { return false; };
  const jobs::JobRecord record = to_job_record(job, never_alive, now(), nullptr);
  for (const auto& task : record.tasks) {
    if (task.task_id != task_id) continue;
    acct::AccountingRecord accounted =
        acct::record_of_task(record, task, "local/" + std::to_string(job.id));
    accounted.hostname = job.node;
    (void)AccountingFile(store.dir()).append({accounted});
  }
}

int supervise_loop(StateStore& store, long long id) {
  sigset_t child_signal;
  sigemptyset(&child_signal);
  sigaddset(&child_signal, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &child_signal, nullptr);

  std::optional<JobLaunch> launch;
  if (auto text = store.read_launch(id)) {
    try {
      launch = job_launch_from_json(*text);
    } catch (const json::exception&) {
    }
  }
  // -m: Grid Engine's mails at each task's begin, end or abort (nullptr: none asked for).
  const auto mail = launch ? sendmail_notifier(launch->mail, launch->time_limit_seconds) : nullptr;
  std::map<pid_t, int> running;  // process group leader -> task id
  std::set<pid_t> killed;
  const std::string log = store.log_path(id).string();

  for (;;) {
    // Start what may start and finish deletions whose grace period is over, under the lock
    // so a concurrent qdel or qhold is never overwritten.
    bool pending = false;
    {
      auto lock = store.lock_records();
      if (!lock) return 1;
      auto job = store.read(id);
      if (!job) {
        for (const auto& [pid, task] : running) ::kill(-pid, SIGKILL);
        return 1;
      }
      bool changed = false;
      if (waits_for_predecessors(*job) && predecessors_finished(store, *job)) {
        job->predecessors_done = true;
        changed = true;
      }
      // -a and -hold_jid: nothing starts before its time and its predecessors' ends.
      const bool may_start = !job->held && !waits_for_predecessors(*job) &&
                             (!job->start_after || *job->start_after <= now());
      std::optional<std::map<long long, jobs::PredecessorTasks>> array_states;
      for (auto& task : job->tasks) {
        if (task.phase != TaskPhase::Pending || !may_start) continue;
        if (job->max_running > 0 && static_cast<int>(running.size()) >= job->max_running) break;
        // -hold_jid_ad: task by task, as their predecessor tasks end.
        if (waits_for_array_predecessors(*job, task)) {
          if (!array_states) array_states = array_predecessor_states(store, *job);
          // A record without its range (damaged) has nothing to match: the task starts.
          if (job->array && !jobs::array_task_may_start(*job->array, task.task_id,
                                                        job->array_predecessors, *array_states))
            continue;
          task.array_released = true;
        }
        const TaskLaunch* how = nullptr;
        if (launch) {
          for (const auto& candidate : launch->tasks) {
            if (candidate.task_id == task.task_id) how = &candidate;
          }
        }
        changed = true;
        if (how == nullptr) {
          task.phase = TaskPhase::Error;
          task.error_reason = "error: the job's launch description is missing or damaged";
          continue;
        }
        StartResult started = start_task(*launch, *how, log);
        if (started.pid < 0) {
          task.phase = TaskPhase::Error;
          task.error_reason = started.error;
          continue;
        }
        auto stat = read_process_stat(started.pid);
        task.phase = TaskPhase::Running;
        task.process = ProcessId{started.pid, stat ? stat->start_ticks : 0};
        task.start_time = now();
        running[started.pid] = task.task_id;
      }
      for (const auto& task : job->tasks) {
        if (task.phase != TaskPhase::Running || !task.process) continue;
        if (!running.contains(task.process->pid)) continue;
        // qdel's grace period is over, or h_rt (a hard limit: Grid Engine sent SIGKILL).
        bool deleted = task.kill_after && *task.kill_after <= now();
        bool overtime =
            launch && launch->time_limit_seconds && task.start_time &&
            *task.start_time + std::chrono::seconds(*launch->time_limit_seconds) <= now();
        if ((deleted || overtime) && killed.insert(task.process->pid).second) {
          ::kill(-task.process->pid, SIGKILL);
        }
      }
      if (changed && !store.write(*job)) return 1;
      pending = has_pending(*job);
    }

    // Reap every task that ended. WNOWAIT first: while the leader is an unreaped zombie its
    // pid (and so its process group id) cannot be reused, so killing what it left behind in
    // its group is safe.
    for (;;) {
      siginfo_t info{};
      if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) break;
      pid_t pid = info.si_pid;
      ::kill(-pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      auto found = running.find(pid);
      if (found == running.end()) continue;
      int task_id = found->second;
      running.erase(found);
      auto updated = store.update(id, [&](LocalJob& job) {
        for (auto& task : job.tasks) {
          if (task.task_id != task_id) continue;
          if (WIFSIGNALED(status)) {
            task.phase = TaskPhase::Signaled;
            task.signal = WTERMSIG(status);
          } else {
            task.phase = TaskPhase::Exited;
            task.exit_code = WEXITSTATUS(status);
          }
          task.end_time = now();
        }
        return true;
      });
      if (!updated) return 1;
      if (*updated) account_task(store, **updated, task_id);
    }

    if (mail) mail->notify(store, id, now());
    if (running.empty() && !pending) return 0;
    ::sigtimedwait(&child_signal, nullptr, &kTick);
  }
}

[[noreturn]] void supervise(StateStore store, long long id) {
  // Start from a clean slate: default signal dispositions (ignored signals would survive
  // into the job's exec), nothing blocked.
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal != SIGKILL && signal != SIGSTOP) ::signal(signal, SIG_DFL);
  }
  int code = 70;
  try {
    code = supervise_loop(store, id);
  } catch (...) {
  }
  // _exit: no atexit handlers or static destructors of the command that forked us.
  ::_exit(code);
}

}  // namespace

Expected<ProcessId, std::string> start_supervisor(const StateStore& store, long long id) {
  int channel[2];
  if (::pipe2(channel, O_CLOEXEC) != 0) {
    return unexpected(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  pid_t middle = ::fork();
  if (middle < 0) {
    int error = errno;
    ::close(channel[0]);
    ::close(channel[1]);
    return unexpected(std::string("cannot fork: ") + std::strerror(error));
  }
  if (middle == 0) {
    // Keep nothing the caller had open: its locks, and pipes a parent may wait on for EOF.
    int out = channel[1];
    if (out > 3) ::close_range(3, static_cast<unsigned>(out) - 1, 0);
    ::close_range(static_cast<unsigned>(out) + 1, ~0U, 0);
    ::setsid();
    if (::chdir("/") != 0) ::_exit(1);
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      if (null > 2) ::close(null);
    }
    pid_t supervisor = ::fork();
    if (supervisor == 0) {
      ::close(out);
      supervise(store, id);
    }
    ssize_t ignored = ::write(out, &supervisor, sizeof supervisor);
    (void)ignored;
    ::_exit(supervisor < 0 ? 1 : 0);
  }
  ::close(channel[1]);
  pid_t supervisor = -1;
  ssize_t got;
  do {
    got = ::read(channel[0], &supervisor, sizeof supervisor);
  } while (got < 0 && errno == EINTR);
  ::close(channel[0]);
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  if (got != static_cast<ssize_t>(sizeof supervisor) || supervisor <= 0) {
    return unexpected(std::string("cannot start the job's supervisor process"));
  }
  auto stat = read_process_stat(supervisor);
  return ProcessId{supervisor, stat ? stat->start_ticks : 0};
}

}  // namespace k8sjobs::local
