#include "k8sjobs/cli/job_command.h"
#include "k8sjobs/cli/commands.h"
#include "k8sjobs/cli/program.h"

#include <algorithm>
#include <ostream>

#include "job_lookup.h"
#include "k8sjobs/cli/version_command.h"
#include "k8sjobs/qstat/qdel_format.h"
#include "k8sjobs/qstat/toolforge_messages.h"

namespace k8sjobs::cli {

namespace {

// The caller's queued or running jobs called `name`, oldest first; the listing's warnings go
// to `err`.
Expected<std::vector<jobs::JobRecord>, jobs::BackendError> active_jobs_named(
    jobs::JobBackend& backend, const std::string& command, const std::string& caller,
    const std::string& name, std::ostream& err) {
  jobs::JobQuery query;
  query.users = {caller};
  auto listed = backend.list(query);
  if (!listed) return unexpected(listed.error());
  detail::print_warnings(command, listed->warnings, err);
  std::vector<jobs::JobRecord> named;
  for (auto& job : listed->records) {
    if (job.name == name && job.owner == caller && detail::is_active(job))
      named.push_back(std::move(job));
  }
  std::sort(named.begin(), named.end(),
            [](const jobs::JobRecord& a, const jobs::JobRecord& b) { return a.id < b.id; });
  return named;
}

}  // namespace

int run_job(CommandIo& io) {
  return run_job(io, make_command_context(io));
}

int run_job(CommandIo& io, const CommandContext& context) {
  if (io.args.size() == 1 && (io.args[0] == "--help" || io.args[0] == "-help")) {
    io.out << "usage: job [-v|-q] <jobname>\n"
              "  -v         say whether the job is running or queued, and since when\n"
              "  -q         print nothing: the exit status alone answers\n"
              "  --help     print this help\n"
              "  --version  print the version and the site config in use\n"
              "\n"
              "Exit status: 0 no such job, 1 running, 2 queued, 3 unknown (usage, cluster).\n";
    return 0;
  }
  if (io.args.size() == 1 && io.args[0] == "--version")
    return print_version("job", io.environment, io.out, io.err) == 0 ? 0 : kJobUnknownExitCode;
  bool verbose = false;
  bool quiet = false;
  std::string name;
  for (const auto& word : io.args) {
    if (word == "-v") {
      verbose = true;
    } else if (word == "-q") {
      quiet = true;
    } else if (name.empty() && !word.empty() && word[0] != '-') {
      name = word;
    } else {
      name.clear();
      break;
    }
  }
  if (name.empty()) {
    io.err << "usage: job [-v|-q] <jobname>\n";
    return kJobUnknownExitCode;
  }
  auto backend = context.open_backend();
  if (!backend) {
    report_backend_error("job", backend.error(), io.err);
    return kJobUnknownExitCode;
  }
  auto named = active_jobs_named(**backend, "job", context.user, name, io.err);
  if (!named) {
    report_backend_error("job", named.error(), io.err);
    return kJobUnknownExitCode;
  }
  // Several jobs of one name: one running wins over queued ones (the answer scripts wait on).
  const jobs::JobRecord* chosen = nullptr;
  for (const auto& job : *named) {
    if (chosen == nullptr || (detail::has_running_task(job) && !detail::has_running_task(*chosen)))
      chosen = &job;
  }
  auto answer = qstat::format_job_status(name, chosen, verbose, quiet, context.zone);
  io.out << answer.out;
  return answer.exit_code;
}

int run_jstop(CommandIo& io) {
  return run_jstop(io, make_command_context(io));
}

int run_jstop(CommandIo& io, const CommandContext& context) {
  if (io.args.size() == 1 && (io.args[0] == "--help" || io.args[0] == "-help")) {
    io.out << "usage: jstop <jobname>\n"
              "  --help     print this help\n"
              "  --version  print the version and the site config in use\n"
              "\n"
              "Deletes every queued or running job of that name (qdel's answers).\n";
    return 0;
  }
  if (io.args.size() == 1 && io.args[0] == "--version")
    return print_version("jstop", io.environment, io.out, io.err);
  if (io.args.size() != 1 || io.args[0].empty() || io.args[0][0] == '-') {
    io.err << "usage: jstop <jobname>\n";
    return 1;
  }
  const std::string& name = io.args[0];
  auto backend = context.open_backend();
  if (!backend) return report_backend_error("jstop", backend.error(), io.err);
  auto named = active_jobs_named(**backend, "jstop", context.user, name, io.err);
  if (!named) return report_backend_error("jstop", named.error(), io.err);
  if (named->empty()) {
    io.err << qstat::format_jstop_missing(name);
    return 1;
  }
  // jstop was `qdel NAME`: every job of that name goes, with qdel's answers.
  int code = 0;
  for (const auto& job : *named) {
    auto removed = detail::delete_whole_job(**backend, job, context.user, false);
    if (!removed) {
      code = report_backend_error("jstop", removed.error(), io.err);
      continue;
    }
    io.out << qstat::format_qdel_answer(*removed);
    if (qstat::qdel_outcome_is_error(*removed)) code = 1;
  }
  return code;
}

int job_main(int argc, char** argv) {
  return run_program("job", argc, argv, [](CommandIo& io) { return run_job(io); });
}

int jstop_main(int argc, char** argv) {
  return run_program("jstop", argc, argv, [](CommandIo& io) { return run_jstop(io); });
}

}  // namespace k8sjobs::cli
