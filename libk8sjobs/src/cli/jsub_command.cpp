#include "k8sjobs/cli/jsub_command.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <ostream>

#include "k8sjobs/cli/backend_factory.h"
#include "k8sjobs/cli/commands.h"
#include "k8sjobs/cli/program.h"
#include "k8sjobs/cli/version_command.h"
#include "k8sjobs/ge/host_view.h"
#include "k8sjobs/ge/option_table.h"
#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/ge/submit_parser.h"
#include "k8sjobs/jobs/array_dependency.h"
#include "k8sjobs/jobs/predecessors.h"
#include "k8sjobs/log.h"
#include "k8sjobs/sys/host_name.h"
#include "k8sjobs/translate/image_choice.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/script_interpreters.h"
#include "k8sjobs/translate/workload.h"
#include "k8sjobs/translate/yaml_output.h"
#include "submit_settings.h"

namespace k8sjobs::cli {
namespace {

// Our own options (long, double-dash), taken out before Grid Engine's parser sees the words.
struct OwnOptions {
  bool help = false;
  bool version = false;
  bool dry_run = false;
  int verbosity = 0;
};

// Leading --help/--version/--dry-run/--verbose words only: after the first other word the
// words belong to Grid Engine's syntax (and after the program, to the job).
OwnOptions take_own_options(std::vector<std::string>& words) {
  OwnOptions own;
  auto it = words.begin();
  while (it != words.end()) {
    if (*it == "--help" || *it == "-help") {
      own.help = true;
    } else if (*it == "--version") {
      own.version = true;
    } else if (*it == "--dry-run") {
      own.dry_run = true;
    } else if (*it == "--verbose") {
      ++own.verbosity;
    } else {
      break;
    }
    it = words.erase(it);
  }
  return own;
}

std::string task_range_text(const ge::TaskRange& range) {
  return std::to_string(range.first) + "-" + std::to_string(range.last) + ":" +
         std::to_string(range.step);
}

// Errors found after the options were read went, without -stderr, to the job's error file so
// that cron sent no mail (jsub's rule). Falls back to stderr when the file cannot be written.
void report_failure(const ge::SubmitRequest& request, const std::string& message,
                    std::ostream& err) {
  // qsub reports on stderr, as Grid Engine did.
  if (!request.stderr_flag && request.mode != ge::Mode::Qsub) {
    ge::OutputPathContext context;
    ge::OutputPaths paths = ge::resolve_output_paths(request, context);
    std::ofstream file(paths.stderr_path, std::ios::app);
    if (file) {
      file << message << "\n";
      if (file.flush()) return;
    }
  }
  err << message << "\n";
}

std::string sync_line(long long id, const jobs::TaskExit& exit, bool array) {
  std::string job = std::to_string(id);
  if (array) job += "." + std::to_string(exit.task_id);
  switch (exit.kind) {
    case jobs::TaskExit::Kind::Exited:
      return "Job " + job + " exited with exit code " + std::to_string(exit.exit_code) + ".";
    case jobs::TaskExit::Kind::Signaled:
      return "Job " + job + " exited because of signal SIG" + exit.signal_name;
    case jobs::TaskExit::Kind::NeverRan:
      return "Unable to run job " + job;
    case jobs::TaskExit::Kind::NoInformation:
      break;
  }
  return "No information available on job " + job + "'s exit status.";
}

}  // namespace

int run_jsub(ge::Mode mode, CommandIo& io) {
  std::string command(ge::command_name(mode));
  std::vector<std::string> words = io.args;
  OwnOptions own = take_own_options(words);
  // -v lowers the level for this run; the log goes where run_guarded sent it.
  LoggingScope logging(command, log_level_from(io.environment, own.verbosity));

  if (own.help) {
    io.out << ge::usage_text(command)
           << "\nOptions of k8sjobs itself (before any Grid Engine option):\n"
              " --help                  print this help\n"
              " --version               print the version, commit, backend and site config\n"
              " --dry-run               print the Kubernetes object instead of submitting it\n"
              " --verbose               log what the command does on stderr; repeat for more\n";
    return 0;
  }
  if (own.version) return print_version(command, io.environment, io.out, io.err);
  auto site = site::load_site_config(io.environment);
  if (!site) {
    io.err << command << ": " << site.error().message << "\n";
    return 1;
  }

  ge::SubmitSettings settings = submit_settings_for(*site);

  auto host = ge::make_system_host_view(io.environment, io.clock);
  auto parsed = ge::parse_submit(mode, words, *host, settings);
  if (!parsed) {
    const auto& error = parsed.error();
    bool written = false;
    if (error.error_file) {
      std::ofstream file(*error.error_file, std::ios::app);
      if (file) written = static_cast<bool>(file << error.message << "\n");
    }
    if (!written) {
      if (error.usage_first && mode != ge::Mode::Qsub) {
        io.err << "usage: " << command << " [options...] program [args...]\n";
      }
      io.err << error.message << "\n";
    }
    return error.exit_code;
  }
  ge::SubmitRequest& request = *parsed;
  if (!request.quiet) {
    for (const auto& warning : request.warnings)
      io.err << command << ": warning: " << warning.message << "\n";
  }

  translate::SubmitContext context;
  context.hostname = sys::host_name();
  context.submit_time = io.clock.now();
  for (const auto& [name, value] : io.environment.all())
    context.environment.emplace_back(name, value);
  // The script's #! line and words choose its image (qsub's job script is already read). Only
  // a Kubernetes job runs in an image: the local backend reads nothing and warns of nothing.
  const bool runs_in_image =
      own.dry_run || request.verify || site->backend == site::Backend::Kubernetes;
  const auto path = translate::image_script_path(request);
  if (runs_in_image && path) {
    context.program_text = host->read_text_file(*path, translate::kScriptScanBytes);
  }
  const auto image = translate::choose_image(
      translate::image_query_of(request, context.program_text), site->images);
  if (runs_in_image && image && !image->warning.empty() && !request.quiet) {
    io.err << command << ": warning: " << image->warning << "\n";
  }

  if (own.dry_run || request.verify) {
    // The job ID is given out at submission; the dry run shows ID 0.
    translate::JobIdentity identity{0, site->namespace_for(request.user),
                                    translate::object_name(request.job_name, 0)};
    auto workload = translate::build_workload(request, *site, identity, context);
    if (!workload) {
      io.err << workload.error().message << "\n";
      return workload.error().exit_code;
    }
    io.out << "# " << command
           << " --dry-run: nothing was submitted; the job ID (0 here) is assigned on submission\n"
           << "# image " << image->image << " (" << image->summary() << ")\n"
           << translate::to_yaml({workload->object});
    return 0;
  }

  auto backend = open_backend(*site, io.environment, io.clock, request.user);
  if (!backend) {
    report_failure(request, "Unable to run job: " + backend.error().message + "\nExiting.", io.err);
    return backend.error().exit_code;
  }
  if (!request.hold_jid.empty() || !request.hold_jid_ad.empty()) {
    // Grid Engine's qmaster resolved -hold_jid and -hold_jid_ad at submission, against the
    // user's own jobs (finished ones still known included); a word naming none refuses the job.
    if (!request.hold_jid_ad.empty() && !request.array) {
      report_failure(request,
                     "Unable to run job: " + std::string(jobs::kArrayHoldNeedsArray) + "\nExiting.",
                     io.err);
      return 1;
    }
    jobs::JobQuery own_jobs;
    own_jobs.users = {request.user};
    own_jobs.include_finished = true;
    auto listed = (*backend)->list(own_jobs);
    if (!listed) {
      report_failure(request, "Unable to run job: " + listed.error().message + "\nExiting.",
                     io.err);
      return listed.error().exit_code;
    }
    // Only k8sjobs' own jobs can be waited for: k8sjobs-controller follows them by their labels,
    // and would take another system's job (the Toolforge jobs framework's) as already gone.
    std::erase_if(listed->records,
                  [](const jobs::JobRecord& record) { return !record.managed_by.empty(); });
    auto resolved = jobs::resolve_hold_jid(request.hold_jid, listed->records);
    auto resolved_ad = jobs::resolve_hold_jid(request.hold_jid_ad, listed->records);
    Expected<Done, std::string> arrays = Done{};
    if (resolved_ad && !request.hold_jid_ad.empty()) {
      std::optional<jobs::ArrayRange> range;
      if (request.array)
        range = jobs::ArrayRange{static_cast<int>(request.array->first),
                                 static_cast<int>(request.array->last),
                                 static_cast<int>(request.array->step)};
      arrays = jobs::check_array_predecessors(range, *resolved_ad, listed->records);
    }
    const std::string* refusal = !resolved      ? &resolved.error()
                                 : !resolved_ad ? &resolved_ad.error()
                                 : !arrays      ? &arrays.error()
                                                : nullptr;
    if (refusal != nullptr) {
      report_failure(request, "Unable to run job: " + *refusal + "\nExiting.", io.err);
      return 1;
    }
    request.predecessors = std::move(*resolved);
    request.array_predecessors = std::move(*resolved_ad);
  }
  // Only -once can meet an active job of the same name; the time costs a read of the zone file.
  std::string already_active = request.once ? "[" + host->ctime_now() + "] there is a job named '" +
                                                  request.job_name + "' already active"
                                            : std::string();
  auto receipt = (*backend)->submit(request, context, already_active);
  if (!receipt) {
    report_failure(request, receipt.error().message, io.err);
    return receipt.error().exit_code;
  }

  if (!request.quiet) {
    for (const auto& warning : receipt->warnings)
      io.err << command << ": warning: " << warning << "\n";
  }
  if (request.terse) {
    io.out << receipt->id;
    if (request.array) io.out << "." << task_range_text(*request.array);
    io.out << "\n";
  } else if (!request.quiet) {
    if (request.array) {
      io.out << "Your job-array " << receipt->id << "." << task_range_text(*request.array) << " (\""
             << request.job_name << "\") has been submitted\n";
    } else {
      io.out << "Your job " << receipt->id << " (\"" << request.job_name
             << "\") has been submitted\n";
    }
  }
  io.out.flush();
  if (!request.sync) return 0;

  auto exits = (*backend)->wait(*receipt);
  if (!exits) {
    io.err << command << ": " << exits.error().message << "\n";
    return 1;
  }
  int code = 0;
  for (const auto& exit : *exits) {
    std::string line = sync_line(receipt->id, exit, request.array.has_value());
    bool failure = exit.kind != jobs::TaskExit::Kind::Exited || exit.exit_code != 0;
    // Grid Engine 8.1.9 prints the non-zero results on stderr.
    (failure ? io.err : io.out) << line << "\n";
    if (code == 0 && failure) code = exit.kind == jobs::TaskExit::Kind::Exited ? exit.exit_code : 1;
  }
  return code;
}

int jsub_main(int argc, char** argv) {
  // One program under two names, like Toolforge's: qcronsub is jsub -once.
  if (invoked_name(argc, argv, "jsub") == "qcronsub") {
    return run_program(
        "qcronsub", argc, argv, [](CommandIo& io) { return run_jsub(ge::Mode::Qcronsub, io); },
        ProcessEnd::WithoutTeardown);
  }
  return run_program(
      "jsub", argc, argv, [](CommandIo& io) { return run_jsub(ge::Mode::Jsub, io); },
      ProcessEnd::WithoutTeardown);
}

int qsub_main(int argc, char** argv) {
  return run_program(
      "qsub", argc, argv, [](CommandIo& io) { return run_jsub(ge::Mode::Qsub, io); },
      ProcessEnd::WithoutTeardown);
}

int jstart_main(int argc, char** argv) {
  return run_program(
      "jstart", argc, argv, [](CommandIo& io) { return run_jsub(ge::Mode::Jstart, io); },
      ProcessEnd::WithoutTeardown);
}

}  // namespace k8sjobs::cli
