#include "k8sjobs/cli/qhold_command.h"
#include "k8sjobs/cli/commands.h"
#include "k8sjobs/cli/program.h"

#include <algorithm>
#include <ostream>
#include <set>

#include "job_lookup.h"
#include "k8sjobs/cli/version_command.h"
#include "k8sjobs/qstat/qdel_format.h"
#include "k8sjobs/qstat/state.h"

namespace k8sjobs::cli {

namespace {

struct HoldOptions {
  bool help = false;
  bool version = false;
  std::vector<std::string> targets;
};

std::string command_name(HoldAction action) {
  return action == HoldAction::Hold ? "qhold" : "qrls";
}

Expected<HoldOptions, std::string> parse_hold_options(const std::vector<std::string>& words) {
  HoldOptions options;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "-help" || word == "--help") {
      options.help = true;
    } else if (word == "--version") {
      options.version = true;
    } else if (word == "-h") {
      // -h u|o|s: Kubernetes has one kind of hold, so the three are the same here.
      if (i + 1 >= words.size()) return unexpected("ERROR! -h option must have argument");
      const std::string& kind = words[++i];
      if (kind.empty() || kind.find_first_not_of("uos") != std::string::npos)
        return unexpected("invalid option argument \"" + kind + "\"");
    } else if (word.size() > 1 && word[0] == '-') {
      return unexpected("invalid option argument \"" + word + "\"");
    } else {
      for (auto& target : detail::split_list(word)) options.targets.push_back(target);
    }
  }
  return options;
}

bool is_held(const jobs::TaskRecord& task) {
  return task.state == jobs::JobState::Held;
}

bool active_task(const jobs::TaskRecord& task) {
  return qstat::task_section(task) != qstat::TaskSection::Finished;
}

}  // namespace

std::string qhold_usage(HoldAction action) {
  const bool hold = action == HoldAction::Hold;
  return "usage: " + command_name(action) +
         " [options] job_task_list\n"
         "   [-h {u|o|s}]                 hold type to " +
         (hold ? "set" : "remove") +
         " (all the same on Kubernetes)\n"
         "   [-help]                      print this help\n"
         "   [--version]                  print the version and the site config in use\n"
         "\n"
         "job_task_list  {job_id|job_name}[,{job_id|job_name} ...]\n";
}

int run_qhold(HoldAction action, CommandIo& io) {
  return run_qhold(action, io, make_command_context(io));
}

int run_qhold(HoldAction action, CommandIo& io, const CommandContext& context) {
  const std::string command = command_name(action);
  auto parsed = parse_hold_options(io.args);
  if (!parsed) {
    io.err << qhold_usage(action) << "error: " << parsed.error() << "\n";
    return 1;
  }
  if (parsed->help) {
    io.out << qhold_usage(action);
    return 0;
  }
  if (parsed->version) return print_version(command, io.environment, io.out, io.err);
  if (parsed->targets.empty()) {
    io.err << qhold_usage(action);
    io.out << "ERROR! no option argument\n";
    return 1;
  }
  auto backend = context.open_backend();
  if (!backend) return report_backend_error(command, backend.error(), io.err);
  auto listed = (*backend)->list(jobs::JobQuery{});
  if (!listed) return report_backend_error(command, listed.error(), io.err);
  detail::print_warnings(command, listed->warnings, io.err);

  bool failed = false;
  std::set<long long> handled;
  auto act_on = [&](const jobs::JobRecord& job) {
    if (!handled.insert(job.id).second) return;
    if (job.owner != context.user) {
      // Grid Engine's qalter refusal (MSG_SGETEXT_MUST_BE_JOB_OWN_TO_SUS).
      io.out << "denied: \"" << context.user << "\" must be at least owner of job " << job.id
             << " to change job attributes\n";
      failed = true;
      return;
    }
    std::vector<const jobs::TaskRecord*> changing;
    for (const auto& task : job.tasks) {
      if (!active_task(task)) continue;
      if (action == HoldAction::Hold ? !is_held(task) : is_held(task)) changing.push_back(&task);
    }
    if (changing.empty()) return;  // Grid Engine says nothing when the hold does not change
    if (action == HoldAction::Hold && detail::has_running_task(job)) {
      io.err << command << ": job " << job.id
             << " is already running; on Kubernetes a hold would stop it, so it was left "
                "alone (qdel stops a job)\n";
      failed = true;
      return;
    }
    auto changed = action == HoldAction::Hold ? (*backend)->hold(job) : (*backend)->release(job);
    if (!changed) {
      report_backend_error(command, changed.error(), io.err);
      failed = true;
      return;
    }
    if (!job.array) {
      io.out << "modified hold of job " << job.id << "\n";
      return;
    }
    for (const auto* task : changing)
      io.out << "modified hold of job-array task " << job.id << "." << task->task_id << "\n";
  };

  for (const auto& target : parsed->targets) {
    bool found = false;
    if (auto id = detail::job_number(target)) {
      const jobs::JobRecord* job = detail::find_job(listed->records, *id);
      if (job != nullptr && detail::is_active(*job)) {
        found = true;
        act_on(*job);
      }
    } else {
      // A name selects only the caller's jobs, as for qdel.
      for (const auto& job : listed->records) {
        if (job.name != target || job.owner != context.user || !detail::is_active(job)) continue;
        found = true;
        act_on(job);
      }
    }
    if (!found) {
      qstat::QdelOutcome missing;
      missing.kind = qstat::QdelOutcome::Kind::JobDoesNotExist;
      missing.text = target;
      io.out << qstat::format_qdel_answer(missing);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

int qhold_main(int argc, char** argv) {
  return run_program("qhold", argc, argv,
                     [](CommandIo& io) { return run_qhold(HoldAction::Hold, io); });
}

int qrls_main(int argc, char** argv) {
  return run_program("qrls", argc, argv,
                     [](CommandIo& io) { return run_qhold(HoldAction::Release, io); });
}

}  // namespace k8sjobs::cli
