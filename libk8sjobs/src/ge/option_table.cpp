#include "k8sjobs/ge/option_table.h"

#include <array>
#include <cassert>
#include <string>

namespace k8sjobs::ge {
namespace {

using enum ArgKind;
using enum Disposition;

constexpr bool kJsub = true;
constexpr bool kQsub = false;

// clang-format off
constexpr std::array kOptions = {
  // jsub's own options.
  OptionSpec{OptionId::Memory, "-mem", One, "size", Translated, kJsub,
    "memory limit and request of the container (jsub's h_vmem, in KiB; default 512 MiB)",
    "memory for the job: an integer followed by k, m or g (default 512m)"},
  OptionSpec{OptionId::Once, "-once", None, "", Translated, kJsub,
    "refuse the submission while a job of that name is active; CronJobs get concurrencyPolicy Forbid",
    "only one job of this name: fail if one is already queued or running"},
  OptionSpec{OptionId::Continuous, "-continuous", None, "", Translated, kJsub,
    "a Deployment that restarts the program when it exits non-zero (implies -once)",
    "a self-restarting job on the continuous queue (default for jstart)"},
  OptionSpec{OptionId::Quiet, "-quiet", None, "", Translated, kJsub,
    "the command prints nothing when the submission succeeds",
    "print nothing if the submission succeeds"},
  OptionSpec{OptionId::Stderr, "-stderr", None, "", Translated, kJsub,
    "the command's own errors go to stderr instead of being appended to the job's .err file",
    "send errors to stderr rather than to the job's error file"},
  OptionSpec{OptionId::Umask, "-umask", One, "octal", Translated, kJsub,
    "the container sets this umask before opening its output files (default 007 for tools)",
    "umask for the output files if they do not exist yet"},
  OptionSpec{OptionId::Release, "-release", One, "release", Translated, kJsub,
    "the container image of that release (site configuration maps releases to images)",
    "operating system release the job runs on"},
  // qsub options the last jsub passed through to qsub.
  OptionSpec{OptionId::JobName, "-N", One, "name", Translated, kJsub,
    "Kubernetes object name (mapped to an RFC 1123 label); the Grid Engine name is kept as an annotation",
    "job name (default: the program's name up to its first '.')"},
  OptionSpec{OptionId::Resources, "-l", One, "resource=value,...", Translated, kJsub,
    "h_vmem/virtual_free: memory; h_data/h_rss: a memory limit as well (the smallest limit given wins); h_rt: activeDeadlineSeconds; release, image, runtime: the container image (site image rules); other resources are ignored with a warning",
    "resource requests; repeatable"},
  OptionSpec{OptionId::StdoutPath, "-o", One, "path", Translated, kJsub,
    "the container appends its stdout to this file on the shared file system (default $HOME/<name>.out)",
    "file (or directory) for the job's standard output"},
  OptionSpec{OptionId::StderrPath, "-e", One, "path", Translated, kJsub,
    "the container appends its stderr to this file on the shared file system (default $HOME/<name>.err)",
    "file (or directory) for the job's standard error"},
  OptionSpec{OptionId::Join, "-j", One, "y|n", Translated, kJsub,
    "y: stderr is appended to the stdout file",
    "merge standard error into standard output"},
  OptionSpec{OptionId::Queue, "-q", One, "queue", Translated, kJsub,
    "kept as an annotation; Kubernetes has no queues (continuous jobs always use 'continuous')",
    "queue (default task, continuous for continuous jobs)"},
  OptionSpec{OptionId::MailList, "-M", One, "address,...", Translated, kJsub,
    "kept as an annotation (default <user>@<mail domain>)",
    "mail addresses for notifications"},
  OptionSpec{OptionId::MailOptions, "-m", One, "b|e|a|s|n", Translated, kJsub,
    "kept as an annotation (e: onfinish, a: onfailure, b/s: all, n: none)",
    "when to send mail: at beginning, end, abort, suspension, or never"},
  OptionSpec{OptionId::StartTime, "-a", One, "date_time", Translated, kJsub,
    "the Job is created suspended with the annotation k8sjobs.io/start-after (UTC) and k8sjobs-controller starts it at that time (qw until then); a time already past starts it at once",
    "start the job at [[CC]YY]MMDDhhmm[.SS]"},
  OptionSpec{OptionId::Cwd, "-cwd", None, "", Translated, kJsub,
    "workingDir = the directory jsub was run from",
    "run the job in the current directory (default: home)"},
  OptionSpec{OptionId::WorkingDir, "-wd", One, "dir", Translated, kJsub,
    "workingDir = this directory",
    "run the job in this directory"},
  OptionSpec{OptionId::Hard, "-hard", None, "", Translated, kJsub,
    "resources after it are hard limits, which is what Kubernetes limits always are",
    "the following -l requests are hard requirements (the default)"},
  OptionSpec{OptionId::Soft, "-soft", None, "", AcceptedWithWarning, kJsub,
    "resources after it are soft preferences, which Kubernetes does not have: they are ignored",
    "the following -l requests are soft preferences"},
  OptionSpec{OptionId::StdinPath, "-i", One, "path", Refused, kJsub,
    "-i is not supported on Kubernetes: jobs get no standard input (only -i /dev/null is accepted)",
    "file for the job's standard input"},
  OptionSpec{OptionId::Now, "-now", One, "y|n", AcceptedWithWarning, kJsub,
    "y has no effect: Kubernetes starts the job when it can and never refuses it for being busy",
    "y: run immediately or not at all"},
  OptionSpec{OptionId::Priority, "-p", One, "priority", AcceptedWithWarning, kJsub,
    "kept as an annotation; a tool's jobs all have the same Kubernetes priority",
    "priority among your jobs, -1023..1024"},
  OptionSpec{OptionId::Sync, "-sync", One, "y|n", Translated, kJsub,
    "y: the command waits for the job to finish and exits with its exit code",
    "wait for the job to finish and exit with its exit code"},
  OptionSpec{OptionId::Variables, "-v", One, "var[=value],...", Translated, kJsub,
    "container environment variables (a name alone takes its value from the submitting environment)",
    "environment variables for the job; repeatable"},
  OptionSpec{OptionId::Binary, "-b", One, "y|n", Translated, kJsub,
    "none needed: the program always runs in place from the shared file system, as jsub's -b y did",
    "the program is a binary (y) or a script (n)"},
  // qsub options the last jsub did not accept; k8sjobs does.
  OptionSpec{OptionId::ExportAll, "-V", None, "", Translated, kQsub,
    "the submitting environment is copied into the container's environment",
    "export all environment variables to the job"},
  OptionSpec{OptionId::TaskRange, "-t", One, "n[-m[:s]]", Translated, kQsub,
    "an Indexed Job: one pod per task, SGE_TASK_ID derived from the completion index",
    "array job with tasks n to m in steps of s"},
  OptionSpec{OptionId::TaskConcurrency, "-tc", One, "max", Translated, kQsub,
    "Job parallelism: at most this many tasks run at once",
    "at most this many array tasks at the same time"},
  OptionSpec{OptionId::Terse, "-terse", None, "", Translated, kQsub,
    "the command prints only the job id",
    "print only the job id"},
  OptionSpec{OptionId::Rerunnable, "-r", One, "y|n", AcceptedWithWarning, kQsub,
    "kept as an annotation; Kubernetes recreates pods lost with their node in either case",
    "may the job be rerun after a host failure"},
  OptionSpec{OptionId::ShellPath, "-S", One, "shell", AcceptedWithWarning, kQsub,
    "ignored: the program is executed directly and its #! line chooses the interpreter",
    "interpreting shell for the job script"},
  OptionSpec{OptionId::Hold, "-h", None, "", AcceptedWithWarning, kQsub,
    "the Job is created suspended (spec.suspend: true), shown as hqw; qrls releases it",
    "submit the job on hold"},
  OptionSpec{OptionId::HoldJid, "-hold_jid", One, "job,...", Translated, kQsub,
    "IDs, names and patterns are resolved against your jobs at submission; the Job is created suspended with their IDs in the annotation k8sjobs.io/hold-jid and k8sjobs-controller starts it when all have finished, whatever their exit status (hqw until then)",
    "start only after these jobs have finished"},
  OptionSpec{OptionId::HoldJidArray, "-hold_jid_ad", One, "job,...", Translated, kQsub,
    "array jobs of the same task range only, resolved at submission like -hold_jid; each pod of the Indexed Job is created with the scheduling gate k8sjobs.io/hold-jid-ad (hqw) and k8sjobs-controller removes it when the tasks it waits for have finished, whatever their exit status",
    "array task i starts after task i of these array jobs"},
  OptionSpec{OptionId::Account, "-A", One, "account", AcceptedWithWarning, kQsub,
    "kept as an annotation; Kubernetes has no accounting string",
    "account string for accounting"},
  OptionSpec{OptionId::Project, "-P", One, "project", AcceptedWithWarning, kQsub,
    "kept as an annotation; the tool's namespace is its only project",
    "project the job belongs to"},
  OptionSpec{OptionId::ParallelEnv, "-pe", Two, "pe_name slots", Translated, kQsub,
    "CPU request and limit = the number of slots (the lowest of a range)",
    "parallel environment and number of slots (CPUs)"},
  OptionSpec{OptionId::OptionsFile, "-@", One, "file", Translated, kQsub,
    "options are read from the file at that point, as if typed there",
    "read more options from a file"},
  OptionSpec{OptionId::DirectivePrefix, "-C", One, "prefix", Translated, kQsub,
    "the prefix of the option lines read from the script (default #$; empty: none)",
    "prefix of embedded option lines in the script"},
  OptionSpec{OptionId::Clear, "-clear", None, "", Translated, kQsub,
    "options given before it (including ~/.jsubrc) are forgotten",
    "reset all options given so far to their defaults"},
  OptionSpec{OptionId::Notify, "-notify", None, "", AcceptedWithWarning, kQsub,
    "Kubernetes sends SIGTERM and waits the grace period before SIGKILL; SIGUSR1/SIGUSR2 are not sent",
    "warn the job with a signal before suspending or killing it"},
  OptionSpec{OptionId::Reservation, "-R", One, "y|n", AcceptedWithWarning, kQsub,
    "ignored: the Kubernetes scheduler has no resource reservation",
    "reserve resources for the job"},
  OptionSpec{OptionId::ShellMode, "-shell", One, "y|n", AcceptedWithWarning, kQsub,
    "ignored: the program is always executed directly",
    "start the command through a shell"},
  OptionSpec{OptionId::Verify, "-verify", None, "", Translated, kQsub,
    "the command prints what it would create instead of creating it",
    "show the job without submitting it"},
  OptionSpec{OptionId::Validation, "-w", One, "e|w|n|p|v", AcceptedWithWarning, kQsub,
    "ignored: the API server validates every job; one that cannot be scheduled stays pending",
    "validation level for the job's requests"},
  OptionSpec{OptionId::JobShare, "-js", One, "share", AcceptedWithWarning, kQsub,
    "ignored: Kubernetes has no share tree",
    "job share for the share-based scheduling policy"},
  OptionSpec{OptionId::AdvanceReservation, "-ar", One, "ar_id", Refused, kQsub,
    "-ar is not supported on Kubernetes: there are no advance reservations",
    "run in this advance reservation"},
  OptionSpec{OptionId::Checkpoint, "-ckpt", One, "ckpt_name", AcceptedWithWarning, kQsub,
    "ignored: Kubernetes cannot checkpoint a container",
    "checkpointing environment"},
  OptionSpec{OptionId::CheckpointInterval, "-c", One, "occasion", AcceptedWithWarning, kQsub,
    "ignored: Kubernetes cannot checkpoint a container",
    "when to checkpoint the job"},
  OptionSpec{OptionId::Deadline, "-dl", One, "date_time", Refused, kQsub,
    "-dl is not supported on Kubernetes: there are no deadline jobs",
    "deadline initiation time"},
  OptionSpec{OptionId::Binding, "-binding", One, "strategy", AcceptedWithWarning, kQsub,
    "ignored: CPU binding is the node's business on Kubernetes",
    "core binding strategy"},
  OptionSpec{OptionId::Jsv, "-jsv", One, "script", AcceptedWithWarning, kQsub,
    "ignored: job submission verifiers are not run",
    "job submission verifier script"},
  OptionSpec{OptionId::MasterQueue, "-masterq", One, "queue", AcceptedWithWarning, kQsub,
    "ignored: Kubernetes has no queues",
    "queue for the master task of a parallel job"},
  OptionSpec{OptionId::ContextAdd, "-ac", One, "var[=value],...", AcceptedWithWarning, kQsub,
    "ignored: job context variables are not kept",
    "add job context variables"},
  OptionSpec{OptionId::ContextDelete, "-dc", One, "var,...", AcceptedWithWarning, kQsub,
    "ignored: job context variables are not kept",
    "delete job context variables"},
  OptionSpec{OptionId::ContextSet, "-sc", One, "var[=value],...", AcceptedWithWarning, kQsub,
    "ignored: job context variables are not kept",
    "set job context variables"},
  OptionSpec{OptionId::Pty, "-pty", One, "y|n", AcceptedWithWarning, kQsub,
    "ignored: batch jobs get no terminal",
    "start the job in a pseudo terminal"},
};
// clang-format on

}  // namespace

std::span<const OptionSpec> option_table() {
  return kOptions;
}

const OptionSpec* find_option(std::string_view name) {
  for (const auto& spec : kOptions) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const OptionSpec& option_spec(OptionId id) {
  for (const auto& spec : kOptions) {
    if (spec.id == id) return spec;
  }
  assert(false && "every OptionId has a table row");
  return kOptions.front();
}

bool known_to_qsub(const OptionSpec& spec) {
  switch (spec.id) {
    case OptionId::Memory:
    case OptionId::Once:
    case OptionId::Continuous:
    case OptionId::Quiet:
    case OptionId::Stderr:
    case OptionId::Umask:
    case OptionId::Release:
      return false;
    default:
      return true;
  }
}

std::vector<std::string_view> option_words(std::string_view command) {
  std::vector<std::string_view> words;
  for (const auto& spec : kOptions) {
    if (command == "qsub" && !known_to_qsub(spec)) continue;
    words.push_back(spec.name);
  }
  return words;
}

std::string_view to_string(Disposition disposition) {
  switch (disposition) {
    case Disposition::Translated:
      return "translated";
    case Disposition::AcceptedWithWarning:
      return "accepted with a warning";
    case Disposition::Refused:
      return "refused";
  }
  return "?";
}

std::string usage_text(std::string_view command) {
  const bool qsub = command == "qsub";
  std::string out =
      "usage: " + std::string(command) +
      (qsub ? " [options...] [script [arg...]]\n\n" : " [options...] program [arg...]\n\n");
  out += "Options (Grid Engine spelling, no abbreviations):\n";
  for (const auto& spec : kOptions) {
    if (qsub && !known_to_qsub(spec)) continue;
    std::string left = " " + std::string(spec.name);
    if (!spec.metavar.empty()) left += " " + std::string(spec.metavar);
    if (left.size() < 26)
      left.resize(26, ' ');
    else
      left += "  ";
    out += left + std::string(spec.help);
    if (spec.disposition == Disposition::Refused) out += " (not supported)";
    out += "\n";
  }
  out +=
      "\nOptions end at the first word that is not an option (or after --); that word is the\n"
      "program and every later word belongs to it unchanged.\n";
  if (qsub) {
    out +=
        "qsub reads that word as a job script (from standard input without it) and runs it with\n"
        "-S, its #! line or /bin/sh; with -b y it runs the program itself.\n";
  }
  return out;
}

namespace {

// Markdown table cells must not contain a bare '|'.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string options_markdown() {
  std::string out =
      "# Grid Engine submit options in k8sjobs\n\n"
      "The table is generated from `libk8sjobs/src/ge/option_table.cpp` by\n"
      "`ge::options_markdown()`; the unit test `OptionTable.DocsAreInSync` fails when it and the\n"
      "table differ. The sections after the table are written by hand.\n\n"
      "`jsub` column: whether the last Toolforge jsub (2024) accepted the option. The others are\n"
      "qsub options k8sjobs accepts beyond it (the last jsub answered them with\n"
      "`jsub: error: unrecognized arguments: ...`).\n\n"
      "| option | argument | jsub | k8sjobs | on Kubernetes | help |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& spec : kOptions) {
    out += "| `" + cell(spec.name) + "` | ";
    out += spec.metavar.empty() ? std::string("") : "`" + cell(spec.metavar) + "`";
    out += " | ";
    out += spec.known_to_jsub ? "yes" : "no";
    out += " | " + std::string(to_string(spec.disposition)) + " | " + cell(spec.kubernetes) +
           " | " + cell(spec.help) + " |\n";
  }
  return out;
}

}  // namespace k8sjobs::ge
