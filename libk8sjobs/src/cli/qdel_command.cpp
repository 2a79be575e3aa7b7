#include "k8sjobs/cli/qdel_command.h"
#include "k8sjobs/cli/commands.h"
#include "k8sjobs/cli/program.h"

#include <algorithm>
#include <optional>
#include <ostream>
#include <set>

#include "job_lookup.h"
#include "k8sjobs/cli/version_command.h"
#include "k8sjobs/qstat/listing.h"
#include "k8sjobs/qstat/qdel_format.h"
#include "k8sjobs/qstat/state.h"

namespace k8sjobs::cli {

namespace {

using qstat::QdelOutcome;
using Kind = QdelOutcome::Kind;

struct QdelOptions {
  bool help = false;
  bool version = false;
  bool force = false;
  std::optional<std::vector<std::string>> users;  // -u
  std::vector<std::string> targets;
};

Expected<QdelOptions, std::string> parse_qdel_options(const std::vector<std::string>& words) {
  QdelOptions options;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "-help" || word == "--help") {
      options.help = true;
    } else if (word == "--version") {
      options.version = true;
    } else if (word == "-f") {
      options.force = true;
    } else if (word == "-u") {
      if (i + 1 >= words.size()) return unexpected("ERROR! -u option must have argument");
      if (!options.users) options.users.emplace();
      for (auto& user : detail::split_list(words[++i])) options.users->push_back(user);
    } else if (word.size() > 1 && word[0] == '-') {
      return unexpected("invalid option argument \"" + word + "\"");
    } else {
      options.targets.push_back(word);
    }
  }
  return options;
}

bool everybody(const std::vector<std::string>& users) {
  return std::find(users.begin(), users.end(), "*") != users.end();
}

bool owned_by(const jobs::JobRecord& job, const std::vector<std::string>& users) {
  return everybody(users) || std::find(users.begin(), users.end(), job.owner) != users.end();
}

// One qdel run: the jobs as listed once, the answers as they are produced.
class Deleter {
 public:
  Deleter(jobs::JobBackend& backend, std::vector<jobs::JobRecord> jobs, std::string caller,
          bool force, std::ostream& out, std::ostream& err)
      : backend_(backend),
        jobs_(std::move(jobs)),
        caller_(std::move(caller)),
        force_(force),
        out_(out),
        err_(err) {}

  void target(const std::string& argument, const std::vector<std::string>& owners) {
    auto parsed = qstat::parse_qdel_target(argument);
    if (!parsed) {
      answer(outcome(Kind::InvalidIdentifier, 0, argument));
      return;
    }
    if (parsed->kind == qstat::QdelTarget::Kind::JobId) {
      const jobs::JobRecord* job = detail::find_job(jobs_, parsed->job_id);
      if (job == nullptr || !detail::is_active(*job)) {
        answer(outcome(Kind::JobDoesNotExist, parsed->job_id, std::to_string(parsed->job_id)));
      } else {
        delete_job(*job, parsed->tasks);
      }
      return;
    }
    // Names and patterns select only the owners' jobs (the caller's unless -u).
    bool found = false;
    for (const auto& job : jobs_) {
      if (!detail::is_active(job) || !owned_by(job, owners)) continue;
      bool matches = parsed->kind == qstat::QdelTarget::Kind::Name
                         ? job.name == parsed->name
                         : qstat::qdel_pattern_matches(parsed->name, job.name);
      if (!matches) continue;
      found = true;
      delete_job(job, parsed->tasks);
    }
    if (!found) {
      QdelOutcome missing = outcome(Kind::NameDoesNotExist, 0, parsed->name);
      missing.users = owners;
      answer(missing);
    }
  }

  // qdel -u users without job arguments: all their jobs.
  void all_of(const std::vector<std::string>& owners) {
    bool found = false;
    for (const auto& job : jobs_) {
      if (!detail::is_active(job) || !owned_by(job, owners)) continue;
      found = true;
      delete_job(job, {});
    }
    if (!found) {
      QdelOutcome none = outcome(Kind::NoJobsForUsers, 0, "");
      none.users = owners;
      answer(none);
    }
  }

  bool failed() const { return failed_; }

 private:
  QdelOutcome outcome(Kind kind, long long job_id, std::string text) const {
    QdelOutcome result;
    result.kind = kind;
    result.user = caller_;
    result.job_id = job_id;
    result.text = std::move(text);
    return result;
  }

  void answer(const QdelOutcome& result) {
    out_ << qstat::format_qdel_answer(result);
    if (qstat::qdel_outcome_is_error(result)) failed_ = true;
  }

  void backend_failure(const jobs::BackendError& error) {
    report_backend_error("qdel", error, err_);
    failed_ = true;
  }

  void delete_job(const jobs::JobRecord& job, const std::vector<jobs::ArrayRange>& ranges) {
    if (job.owner != caller_) {
      answer(outcome(Kind::NotPermitted, job.id, ""));
      return;
    }
    if (ranges.empty()) {
      if (!handled_.insert(job.id).second) return;  // named twice: answered already
      auto removed = detail::delete_whole_job(backend_, job, caller_, force_);
      if (removed) {
        answer(*removed);
      } else {
        backend_failure(removed.error());
      }
      return;
    }
    delete_tasks(job, ranges);
  }

  // qdel 123.4-6: Grid Engine's per-task answers. Kubernetes cannot remove one index of an
  // Indexed Job, so when the ranges cover every task still there the whole job goes;
  // otherwise the backend decides (and may refuse, with a message saying why).
  void delete_tasks(const jobs::JobRecord& job, const std::vector<jobs::ArrayRange>& ranges) {
    std::vector<const jobs::TaskRecord*> selected;
    for (const auto& range : ranges) {
      bool single = range.first == range.last;
      bool any = false;
      for (int id = range.first; id <= range.last; id += range.step) {
        const jobs::TaskRecord* task = find_task(job, id);
        if (task == nullptr) {
          if (single) answer(task_missing(job.id, id));
          continue;
        }
        any = true;
        if (std::find(selected.begin(), selected.end(), task) == selected.end())
          selected.push_back(task);
      }
      if (!single && !any) answer(task_missing(job.id, range.first));
    }
    if (selected.empty()) return;
    if (!job.array) {  // "123.1" is the whole of a non-array job
      delete_job(job, {});
      return;
    }

    size_t active = static_cast<size_t>(
        std::count_if(job.tasks.begin(), job.tasks.end(), [](const jobs::TaskRecord& task) {
          return qstat::task_section(task) != qstat::TaskSection::Finished;
        }));
    Expected<jobs::DeleteResult, jobs::BackendError> removed = jobs::DeleteResult::NotFound;
    if (selected.size() == active) {
      removed = backend_.remove(job, {}, force_);
    } else {
      std::vector<int> ids;
      for (const auto* task : selected) ids.push_back(task->task_id);
      removed = backend_.remove(job, ids, force_);
    }
    if (!removed) {
      backend_failure(removed.error());
      return;
    }
    if (*removed == jobs::DeleteResult::AlreadyDeleting) {
      answer(outcome(Kind::AlreadyDeleting, job.id, ""));
      return;
    }
    if (*removed == jobs::DeleteResult::NotFound) {
      answer(outcome(Kind::JobDoesNotExist, job.id, std::to_string(job.id)));
      return;
    }
    std::vector<int> pending;
    for (const auto* task : selected) {
      if (qstat::task_section(*task) == qstat::TaskSection::Running) {
        QdelOutcome registered = outcome(Kind::TaskRegisteredForDeletion, job.id, "");
        registered.task_id = task_id_of(job, *task);
        answer(registered);
      } else {
        pending.push_back(task_id_of(job, *task));
      }
    }
    if (pending.size() == 1) {
      QdelOutcome deleted = outcome(Kind::TaskDeleted, job.id, "");
      deleted.task_id = pending.front();
      answer(deleted);
    } else if (pending.size() > 1) {
      QdelOutcome deleted = outcome(Kind::TasksDeleted, job.id, "");
      deleted.tasks = qstat::task_range_string(pending, job.array ? job.array->step : 1);
      answer(deleted);
    }
  }

  // A non-array job has one task, which Grid Engine numbers 1.
  static int task_id_of(const jobs::JobRecord& job, const jobs::TaskRecord& task) {
    return job.array ? task.task_id : 1;
  }

  static const jobs::TaskRecord* find_task(const jobs::JobRecord& job, int id) {
    for (const auto& task : job.tasks) {
      if (task_id_of(job, task) == id && qstat::task_section(task) != qstat::TaskSection::Finished)
        return &task;
    }
    return nullptr;
  }

  QdelOutcome task_missing(long long job_id, int task_id) const {
    QdelOutcome missing = outcome(Kind::TaskDoesNotExist, job_id, "");
    missing.task_id = task_id;
    return missing;
  }

  jobs::JobBackend& backend_;
  std::vector<jobs::JobRecord> jobs_;
  std::string caller_;
  bool force_;
  std::ostream& out_;
  std::ostream& err_;
  std::set<long long> handled_;
  bool failed_ = false;
};

}  // namespace

std::string qdel_usage() {
  return "usage: qdel [options] job_task_list\n"
         "   [-f]                                     force action\n"
         "   [-help]                                  print this help\n"
         "   [--version]                              print the version and the site config in "
         "use\n"
         "   [-u user_list]                           delete all jobs of users specified in "
         "list\n"
         "   job_task_list                            delete all jobs given in list\n"
         "\n"
         "job_task_list  job_tasks[ job_tasks ...]\n"
         "job_tasks      {job_id|job_name|reg_exp}[.task_id_range]\n"
         "task_id_range  task_id[-task_id[:step]][,task_id[-task_id[:step]] ...]\n"
         "user_list      {user|pattern}[,{user|pattern} ...]\n";
}

int run_qdel(CommandIo& io) {
  return run_qdel(io, make_command_context(io));
}

int run_qdel(CommandIo& io, const CommandContext& context) {
  auto parsed = parse_qdel_options(io.args);
  if (!parsed) {
    io.err << qdel_usage() << "error: " << parsed.error() << "\n";
    return 1;
  }
  const QdelOptions& options = *parsed;
  if (options.help) {
    io.out << qdel_usage();
    return 0;
  }
  if (options.version) return print_version("qdel", io.environment, io.out, io.err);
  if (options.targets.empty() && !options.users) {
    io.err << qdel_usage();
    io.out << "ERROR! no option argument\n";
    return 1;
  }
  auto backend = context.open_backend();
  if (!backend) return report_backend_error("qdel", backend.error(), io.err);
  auto listed = (*backend)->list(jobs::JobQuery{});
  if (!listed) return report_backend_error("qdel", listed.error(), io.err);
  detail::print_warnings("qdel", listed->warnings, io.err);

  std::vector<std::string> owners =
      options.users ? *options.users : std::vector<std::string>{context.user};
  Deleter deleter(**backend, std::move(listed->records), context.user, options.force, io.out,
                  io.err);
  if (options.targets.empty()) {
    deleter.all_of(owners);
  } else {
    for (const auto& target : options.targets) deleter.target(target, owners);
  }
  return deleter.failed() ? 1 : 0;
}

int qdel_main(int argc, char** argv) {
  return run_program("qdel", argc, argv, [](CommandIo& io) { return run_qdel(io); });
}

}  // namespace k8sjobs::cli
