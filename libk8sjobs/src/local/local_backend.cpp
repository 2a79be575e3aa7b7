#include "k8sjobs/local/local_backend.h"
#include "k8sjobs/local/accounting_file.h"

#include <grp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/ge/values.h"
#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/local/local_job.h"
#include "k8sjobs/local/mail_notifier.h"
#include "k8sjobs/local/process_info.h"
#include "k8sjobs/local/state_store.h"
#include "k8sjobs/local/supervisor.h"
#include "k8sjobs/sys/current_user.h"
#include "k8sjobs/sys/host_name.h"
#include "k8sjobs/text/utf8.h"
#include "k8sjobs/translate/job_environment.h"

namespace k8sjobs::local {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What a Debian image's PATH is; a job without -V would otherwise have none.
constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string group_name(gid_t gid) {
  std::vector<char> buffer(16384);
  group entry{};
  group* found = nullptr;
  if (::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->gr_name;
  }
  return std::to_string(gid);
}

void set_if_absent(translate::EnvironmentList& env, const std::string& name,
                   const std::string& value) {
  for (const auto& [key, ignored] : env) {
    if (key == name) return;
  }
  env.emplace_back(name, value);
}

std::optional<std::string> find(const translate::EnvironmentList& env, const std::string& name) {
  for (const auto& [key, value] : env) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// qstat -j's fields, from the request and the job's final environment.
jobs::JobDetails job_details(const ge::SubmitRequest& request, const ge::OutputPaths& paths,
                             const translate::EnvironmentList& env, const std::string& program,
                             int slots) {
  jobs::JobDetails details =
      jobs::job_details_of(request, paths, program, request.requested_queue.value_or(""), slots);
  details.mail_options = request.mail_options;
  for (const auto& address : request.mail_list) {
    details.mail_list += (details.mail_list.empty() ? "" : ",") + address;
  }
  std::set<std::string> seen;
  for (const auto& variable : request.env_vars) {
    if (!seen.insert(variable.name).second) continue;
    if (auto value = find(env, variable.name))
      details.environment.emplace_back(variable.name, *value);
  }
  for (const auto& [label, name] : std::initializer_list<std::pair<const char*, const char*>>{
           {"sge_o_home", "SGE_O_HOME"},
           {"sge_o_log_name", "SGE_O_LOGNAME"},
           {"sge_o_path", "SGE_O_PATH"},
           {"sge_o_shell", "SGE_O_SHELL"},
           {"sge_o_tz", "SGE_O_TZ"},
           {"sge_o_mail", "SGE_O_MAIL"},
           {"sge_o_workdir", "SGE_O_WORKDIR"},
           {"sge_o_host", "SGE_O_HOST"}}) {
    if (auto value = find(env, name)) details.submit_environment.emplace_back(label, *value);
  }
  return details;
}

bool live(const ProcessId& process) {
  return process_alive(process);
}

bool restarted(const LocalTask& task) {
  return task.process && launcher_restarted(*task.process);
}

// Ended for good, or never going to start by itself (Error): what -sync y waits for.
bool settled(TaskPhase phase) {
  return task_finished(phase) || phase == TaskPhase::Error;
}

// A number of seconds from the environment; anything else (or more than a year) is ignored.
std::optional<std::uint64_t> seconds_from(const sys::Environment& env, const std::string& name) {
  auto text = env.get(name);
  if (!text) return std::nullopt;
  auto seconds = jobs::untrusted::parse_decimal(*text, 0, 366LL * 24 * 3600);
  if (!seconds) return std::nullopt;
  return static_cast<std::uint64_t>(*seconds);
}

class LocalBackend final : public jobs::JobBackend {
 public:
  LocalBackend(const site::SiteConfig& site, sys::Clock& clock, LocalBackendOptions options)
      : site_(site),
        clock_(clock),
        options_(options),
        store_(site.local.state_dir.empty() ? fs::path() : fs::absolute(site.local.state_dir)),
        hostname_(sys::host_name()) {}

  Expected<jobs::SubmitReceipt, jobs::SubmitFailure> submit(
      const ge::SubmitRequest& request, const translate::SubmitContext& context,
      const std::string& already_active_message) override;
  Expected<std::vector<jobs::TaskExit>, jobs::BackendError> wait(
      const jobs::SubmitReceipt& receipt) override;
  Expected<jobs::JobListing, jobs::BackendError> list(const jobs::JobQuery& query) override;
  Expected<jobs::DeleteResult, jobs::BackendError> remove(const jobs::JobRecord& job,
                                                          const std::vector<int>& tasks,
                                                          bool force) override;
  Expected<Done, jobs::BackendError> hold(const jobs::JobRecord& job) override;
  Expected<Done, jobs::BackendError> release(const jobs::JobRecord& job) override;
  Expected<jobs::AccountingListing, jobs::BackendError> read_accounting(
      const jobs::AccountingFilter& keep) override {
    jobs::AccountingListing listing;
    if (store_.dir().empty()) return listing;
    listing.records = AccountingFile(store_.dir()).read(listing.warnings);
    std::erase_if(listing.records, [&](const acct::AccountingRecord& r) { return !keep(r); });
    return listing;
  }

 private:
  // Records what the record's readers would otherwise have to work out again and again: a
  // task whose process died unwatched is Lost (with an end time), a task that can no longer
  // start is Error. Returns the job as now stored.
  LocalJob settle(LocalJob job);
  bool has_active_job(const std::string& name, const std::string& owner);

  site::SiteConfig site_;
  sys::Clock& clock_;
  LocalBackendOptions options_;
  StateStore store_;
  std::string hostname_;
};

LocalJob LocalBackend::settle(LocalJob job) {
  auto now = clock_.now();
  bool stale = false;
  bool supervised = job.supervisor && process_alive(*job.supervisor);
  for (const auto& task : job.tasks) {
    if (effective_phase(job, task, live, now) != task.phase) stale = true;
    // qdel's SIGKILL after the grace period is the supervisor's job; without one, whoever
    // looks next does it.
    if (!supervised && task.phase == TaskPhase::Running && task.kill_after &&
        *task.kill_after <= now && task.process && process_alive(*task.process)) {
      ::kill(-task.process->pid, SIGKILL);
    }
  }
  if (!stale) return job;
  auto updated = store_.update(job.id, [&](LocalJob& stored) {
    bool changed = false;
    for (auto& task : stored.tasks) {
      TaskPhase phase = effective_phase(stored, task, live, now);
      if (phase == task.phase) continue;
      changed = true;
      task.phase = phase;
      if (phase == TaskPhase::Lost) {
        task.end_time = now;
        task.error_reason = "the job's local supervisor ended before the job; exit status unknown";
      } else if (phase == TaskPhase::Error) {
        task.error_reason = stored.started
                                ? "the job's local supervisor ended before starting it"
                                : "the job was never started (its submitter ended early)";
      }
    }
    return changed;
  });
  if (updated && *updated) return std::move(**updated);
  return job;
}

bool LocalBackend::has_active_job(const std::string& name, const std::string& owner) {
  for (auto& job : store_.read_all()) {
    // Records hold names as displayed (state_store.cpp: not UTF-8 as U+FFFD).
    if (job.name != text::utf8_for_display(name) || job.owner != text::utf8_for_display(owner)) {
      continue;
    }
    LocalJob current = settle(std::move(job));
    for (const auto& task : current.tasks) {
      if (!task_finished(task.phase)) return true;
    }
  }
  return false;
}

Expected<jobs::SubmitReceipt, jobs::SubmitFailure> LocalBackend::submit(
    const ge::SubmitRequest& request, const translate::SubmitContext& context,
    const std::string& already_active_message) {
  auto refuse = [](const std::string& why) {
    return unexpected(jobs::SubmitFailure{"Unable to run job: " + why + "\nExiting.", 1});
  };
  auto resources = translate::job_resources(request, site_);
  if (!resources) {
    return unexpected(jobs::SubmitFailure{resources.error().message, resources.error().exit_code});
  }
  auto ready = store_.ensure();
  if (!ready) return refuse(ready.error());

  // -once: the check and the record it creates happen under one lock, so of concurrent
  // submissions of a name exactly one starts a job.
  std::optional<FileLock> once_lock;
  if (request.once) {
    auto lock = store_.lock_once();
    if (!lock) return refuse(lock.error());
    once_lock.emplace(std::move(*lock));
    if (has_active_job(request.job_name, request.user)) {
      return unexpected(jobs::SubmitFailure{already_active_message, 1});
    }
  }
  auto id = store_.next_id();
  if (!id) return refuse(id.error());

  translate::JobIdentity identity{*id, "", ""};
  std::vector<int> task_ids;
  if (request.array) {
    for (std::uint32_t task = request.array->first; task <= request.array->last;
         task += request.array->step) {
      task_ids.push_back(static_cast<int>(task));
    }
  } else {
    task_ids.push_back(0);
  }
  const std::string program =
      request.resolved_program.empty() ? request.program : request.resolved_program;
  const unsigned umask = translate::job_umask(request, site_);

  JobLaunch launch;
  launch.working_dir = request.working_dir;
  launch.memory_bytes = resources->memory_bytes;
  launch.time_limit_seconds = request.time_limit_seconds;
  // -m: the supervisor mails through sendmail as the site says now.
  SubmitMail mail = submit_mail(request, site_, context.environment);
  launch.mail = std::move(mail.settings);
  std::optional<jobs::JobDetails> details;
  for (int task_id : task_ids) {
    ge::OutputPathContext path_context;
    path_context.job_id = static_cast<std::uint64_t>(*id);
    if (request.array) path_context.task_id = static_cast<std::uint32_t>(task_id);
    path_context.hostname = hostname_;
    path_context.is_directory = [](const std::string& path) {
      std::error_code error;
      return fs::is_directory(path, error);
    };
    ge::OutputPaths paths = ge::resolve_output_paths(request, path_context);
    auto env = translate::job_environment(request, identity, context, paths);
    if (!env) return unexpected(jobs::SubmitFailure{env.error().message, env.error().exit_code});
    set_if_absent(*env, "HOSTNAME", hostname_);
    set_if_absent(*env, "PATH", kDefaultPath);
    if (request.array) {
      // The launcher derives SGE_TASK_ID from it, as in a Kubernetes Indexed Job.
      env->emplace_back(
          "JOB_COMPLETION_INDEX",
          std::to_string((static_cast<std::uint32_t>(task_id) - request.array->first) /
                         request.array->step));
    }
    if (!details) details = job_details(request, paths, *env, program, resources->slots);

    TaskLaunch task;
    task.task_id = task_id;
    task.argv = {
        "/bin/sh", "-c",
        translate::launcher_script(request, paths.stdout_path,
                                   paths.merged ? paths.stdout_path : paths.stderr_path, umask),
        "k8sjobs-job"};
    const auto words = translate::job_words(request);
    task.argv.insert(task.argv.end(), words.begin(), words.end());
    task.environment = std::move(*env);
    launch.tasks.push_back(std::move(task));
  }

  LocalJob job;
  job.id = *id;
  job.name = request.job_name;
  job.owner = request.user.empty() ? sys::current_user(sys::Environment{}) : request.user;
  job.group = group_name(::getgid());
  job.uid = static_cast<int>(::getuid());
  job.gid = static_cast<int>(::getgid());
  job.continuous = request.continuous;
  job.once = request.once;
  job.posix_priority = request.priority.value_or(0);
  job.slots = resources->slots;
  job.memory_bytes = resources->memory_bytes;
  job.submission_time = clock_.now();
  if (request.array) {
    job.array = jobs::ArrayRange{static_cast<int>(request.array->first),
                                 static_cast<int>(request.array->last),
                                 static_cast<int>(request.array->step)};
  }
  job.max_running = static_cast<int>(request.task_concurrency.value_or(0));
  job.node = hostname_;
  job.held = request.hold;
  // -a and -hold_jid (resolved by the submitting command): the supervisor waits for them.
  job.start_after = request.start_time;
  job.predecessors = request.predecessors;
  job.array_predecessors = request.array_predecessors;
  if (details) job.details = std::move(*details);
  for (int task_id : task_ids) {
    LocalTask task;
    task.task_id = task_id;
    job.tasks.push_back(std::move(task));
  }

  auto wrote = store_.write_launch(job.id, to_json(launch));
  if (!wrote) return refuse(wrote.error());
  {
    // The supervisor's first act is to read the record under this lock, so it starts only
    // once the record says who it is.
    auto lock = store_.lock_records();
    if (!lock) return refuse(lock.error());
    std::string start_error;
    if (!request.hold) {
      auto supervisor = start_supervisor(store_, job.id);
      job.started = true;
      if (supervisor) {
        job.supervisor = *supervisor;
      } else {
        start_error = supervisor.error();
        for (auto& task : job.tasks) {
          task.phase = TaskPhase::Error;
          task.error_reason = start_error;
        }
      }
    }
    wrote = store_.write(job);
    if (!wrote) return refuse(wrote.error());
    if (!start_error.empty()) return refuse(start_error);
  }
  jobs::SubmitReceipt receipt;
  receipt.id = job.id;
  receipt.backend_objects = {{"LocalJob", std::to_string(job.id)}};
  if (!mail.warning.empty()) receipt.warnings.push_back(std::move(mail.warning));
  return receipt;
}

Expected<std::vector<jobs::TaskExit>, jobs::BackendError> LocalBackend::wait(
    const jobs::SubmitReceipt& receipt) {
  for (;;) {
    auto job = store_.read(receipt.id);
    if (!job) {
      return unexpected(
          jobs::BackendError{"job " + std::to_string(receipt.id) + " does not exist", 1});
    }
    LocalJob current = settle(std::move(*job));
    bool done = std::all_of(current.tasks.begin(), current.tasks.end(),
                            [](const LocalTask& task) { return settled(task.phase); });
    if (done) return task_exits(current, live, clock_.now());
    clock_.sleep_for(options_.poll_interval);
  }
}

Expected<jobs::JobListing, jobs::BackendError> LocalBackend::list(const jobs::JobQuery& query) {
  jobs::JobListing listing;
  auto& records = listing.records;
  if (store_.dir().empty() || !fs::exists(store_.jobs_dir())) return listing;
  bool everybody = query.users.empty() ||
                   std::find(query.users.begin(), query.users.end(), "*") != query.users.end();
  auto now = clock_.now();
  for (auto& stored : store_.read_all(&listing.warnings)) {
    LocalJob job = settle(std::move(stored));
    bool finished = std::all_of(job.tasks.begin(), job.tasks.end(),
                                [](const LocalTask& task) { return task_finished(task.phase); });
    if (finished) {
      TimePoint last = job.submission_time;
      for (const auto& task : job.tasks) last = std::max(last, task.end_time.value_or(last));
      if (now - last >= options_.finished_retention) {
        if (auto lock = store_.lock_records()) store_.erase(job.id);
        continue;
      }
    }
    if (!everybody &&
        std::find(query.users.begin(), query.users.end(), job.owner) == query.users.end()) {
      continue;
    }
    jobs::JobRecord record = to_job_record(job, live, now, restarted);
    if (!query.include_finished) {
      std::erase_if(record.tasks, [](const jobs::TaskRecord& task) {
        return task.state == jobs::JobState::Succeeded || task.state == jobs::JobState::Failed;
      });
      if (record.tasks.empty()) continue;
    }
    records.push_back(std::move(record));
  }
  return listing;
}

Expected<jobs::DeleteResult, jobs::BackendError> LocalBackend::remove(const jobs::JobRecord& job,
                                                                      const std::vector<int>& tasks,
                                                                      bool force) {
  bool registered = false;
  bool deleted = false;
  bool already = false;
  auto now = clock_.now();
  auto updated = store_.update(job.id, [&](LocalJob& local) {
    for (auto& task : local.tasks) {
      if (!tasks.empty() && std::find(tasks.begin(), tasks.end(), task.task_id) == tasks.end()) {
        continue;
      }
      TaskPhase phase = effective_phase(local, task, live, now);
      if (phase == TaskPhase::Pending || phase == TaskPhase::Error) {
        task.phase = TaskPhase::Deleted;
        task.end_time = now;
        deleted = true;
      } else if (phase == TaskPhase::Running) {
        if (task.delete_requested && !force) {
          already = true;
          continue;
        }
        if (!task.delete_requested) task.delete_requested = now;
        task.kill_after = force ? now : now + options_.kill_grace;
        if (task.process && process_alive(*task.process)) {
          ::kill(-task.process->pid, force ? SIGKILL : SIGTERM);
          // A held (stopped) job only acts on TERM once it runs again.
          ::kill(-task.process->pid, SIGCONT);
        }
        registered = true;
      }
    }
    return registered || deleted;
  });
  if (!updated) return unexpected(jobs::BackendError{updated.error(), 1});
  if (!*updated) return jobs::DeleteResult::NotFound;
  if (registered) return jobs::DeleteResult::Registered;
  if (deleted) return jobs::DeleteResult::Deleted;
  if (already) return jobs::DeleteResult::AlreadyDeleting;
  return jobs::DeleteResult::NotFound;
}

Expected<Done, jobs::BackendError> LocalBackend::hold(const jobs::JobRecord& job) {
  bool active = false;
  auto now = clock_.now();
  auto updated = store_.update(job.id, [&](LocalJob& local) {
    for (const auto& task : local.tasks) {
      TaskPhase phase = effective_phase(local, task, live, now);
      if (phase == TaskPhase::Pending || phase == TaskPhase::Running) active = true;
      if (phase == TaskPhase::Running && task.process && process_alive(*task.process)) {
        ::kill(-task.process->pid, SIGSTOP);
      }
    }
    if (active) local.held = true;
    return active;
  });
  if (!updated) return unexpected(jobs::BackendError{updated.error(), 1});
  if (!*updated || !active) {
    return unexpected(jobs::BackendError{"job " + std::to_string(job.id) + " does not exist", 1});
  }
  return Done{};
}

Expected<Done, jobs::BackendError> LocalBackend::release(const jobs::JobRecord& job) {
  bool active = false;
  std::string start_error;
  auto now = clock_.now();
  auto updated = store_.update(job.id, [&](LocalJob& local) {
    bool pending = false;
    for (const auto& task : local.tasks) {
      TaskPhase phase = effective_phase(local, task, live, now);
      if (phase == TaskPhase::Pending) pending = true;
      if (phase == TaskPhase::Pending || phase == TaskPhase::Running) active = true;
      if (phase == TaskPhase::Running && task.process && process_alive(*task.process)) {
        ::kill(-task.process->pid, SIGCONT);
      }
    }
    if (!active) return false;
    local.held = false;
    // Held since submit (-h): nothing runs yet. Started under the records lock, so two
    // concurrent releases cannot both start a supervisor.
    if (!local.started && pending) {
      auto supervisor = start_supervisor(store_, local.id);
      local.started = true;
      if (supervisor) {
        local.supervisor = *supervisor;
      } else {
        start_error = supervisor.error();
        for (auto& task : local.tasks) {
          if (task.phase != TaskPhase::Pending) continue;
          task.phase = TaskPhase::Error;
          task.error_reason = start_error;
        }
      }
    }
    return true;
  });
  if (!updated) return unexpected(jobs::BackendError{updated.error(), 1});
  if (!*updated || !active) {
    return unexpected(jobs::BackendError{"job " + std::to_string(job.id) + " does not exist", 1});
  }
  if (!start_error.empty()) return unexpected(jobs::BackendError{start_error, 1});
  return Done{};
}

}  // namespace

LocalBackendOptions local_backend_options(const sys::Environment& env) {
  LocalBackendOptions options;
  if (auto grace = seconds_from(env, "K8SJOBS_LOCAL_KILL_GRACE_SECONDS")) {
    options.kill_grace = std::chrono::seconds(*grace);
  }
  if (auto retention = seconds_from(env, "K8SJOBS_LOCAL_RETENTION_SECONDS")) {
    options.finished_retention = std::chrono::seconds(*retention);
  }
  return options;
}

std::unique_ptr<jobs::JobBackend> make_local_backend(const site::SiteConfig& site,
                                                     sys::Clock& clock,
                                                     const sys::Environment& env) {
  return make_local_backend(site, clock, local_backend_options(env));
}

std::unique_ptr<jobs::JobBackend> make_local_backend(const site::SiteConfig& site,
                                                     sys::Clock& clock,
                                                     LocalBackendOptions options) {
  return std::make_unique<LocalBackend>(site, clock, options);
}

}  // namespace k8sjobs::local
