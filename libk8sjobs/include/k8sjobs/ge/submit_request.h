#pragma once
// A parsed jsub / jstart / qcronsub submission: everything the translation to Kubernetes
// needs, with jsub's defaults already applied. Produced only by ge::parse_submit.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8sjobs/ge/values.h"

namespace k8sjobs::ge {

enum class Mode {
  Jsub,
  Jstart,    // jsub -continuous (which implies -once)
  Qcronsub,  // jsub -once
  Qsub,      // Grid Engine's qsub: a job script (-b n) by default, Grid Engine's defaults
};
std::string_view command_name(Mode mode);  // "jsub", "jstart", "qcronsub", "qsub"

enum class WorkingDirMode {
  Home,      // default: the user's home
  Cwd,       // -cwd: the directory the command ran in
  Explicit,  // -wd dir
};

// Where one option occurrence came from, for messages and `qstat -j`-like displays.
struct OptionOrigin {
  enum class Source { Jsubrc, CommandLine, OptionsFile, ScriptDirective };
  std::string option;               // "-mem"
  std::vector<std::string> values;  // as given (two for -pe)
  Source source = Source::CommandLine;
  std::string file;  // empty for the command line
  int line = 0;      // 1-based; 0 for the command line
  // "command line", "/data/project/alice/.jsubrc:3", "/data/project/alice/run.sh:2 (#$)"
  std::string where() const;
  bool operator==(const OptionOrigin&) const = default;
};

// An option that was accepted but has no (or less) effect on Kubernetes.
struct SubmitWarning {
  std::string option;   // "-p"
  std::string message;  // "-p has no effect on Kubernetes: ..."
  bool operator==(const SubmitWarning&) const = default;
};

struct EnvVar {
  std::string name;
  std::string value;
  bool from_environment = false;  // -v NAME (no '='): copied from the submitting environment
  bool operator==(const EnvVar&) const = default;
};

struct SubmitRequest {
  Mode mode = Mode::Jsub;

  // Who and where: captured once, so translation never asks the host.
  std::string user;        // tools.alice
  std::string home;        // /data/project/alice
  std::string submit_cwd;  // absolute directory the command ran in

  // Name: -N, else the program's basename up to its first '.' ("/x/foo.bar.sh" -> "foo").
  std::string job_name;
  bool job_name_given = false;

  // The program and its words, byte for byte as received.
  std::string program;                    // as typed: "jobs/run.sh", "php"
  std::string resolved_program;           // absolute: "/data/project/alice/jobs/run.sh"
  std::vector<std::string> program_args;  // everything after the program, unchanged
  std::optional<bool> binary;             // -b as given (jsub ran every program in place)
  // qsub without -b y: the job script as it was read at submission (the file, or standard
  // input; then program and resolved_program are "STDIN"), and the interpreter that runs it:
  // -S, else the script's #! line (its interpreter and at most one argument), else /bin/sh.
  // The job runs `<interpreter...> <spooled copy of script> <program_args...>`.
  std::optional<std::string> script;
  std::vector<std::string> interpreter;

  // Resources.
  std::uint64_t memory_kib = 524288;  // final h_vmem exactly as jsub sent it ("-l h_vmem=<k>k")
  bool memory_given = false;          // -mem or -l h_vmem/virtual_free used
  std::optional<std::uint32_t> cpus;  // from -pe NAME N (the lowest slot count of a range)
  std::optional<ParallelEnvironment> parallel_environment;
  std::optional<std::uint64_t> time_limit_seconds;  // -l h_rt
  std::string release;  // always set: -release / -l release=, else the default
  bool release_given = false;
  std::optional<std::string> requested_image;      // -l image=NAME (translate/image_choice.h)
  std::optional<std::string> requested_runtime;    // -l runtime=NAME
  std::vector<ResourceRequest> ignored_resources;  // -l requests with no Kubernetes meaning
  std::vector<ResourceRequest> soft_resources;     // -l after -soft (ignored)

  // Behaviour.
  bool once = false;         // -once, jstart, qcronsub
  bool continuous = false;   // -continuous, jstart
  bool quiet = false;        // -quiet
  bool terse = false;        // -terse
  bool stderr_flag = false;  // -stderr
  bool sync = false;         // -sync y
  bool verify = false;       // -verify
  bool hold = false;         // -h
  // -a: not to start before this time (the Job is created suspended while it is ahead).
  std::optional<std::chrono::system_clock::time_point> start_time;
  // -hold_jid: the job IDs, names and name patterns as given (every -hold_jid adds to them).
  std::vector<std::string> hold_jid;
  // What they named when the job was submitted (jobs::resolve_hold_jid, against the user's own
  // jobs): the jobs this one waits for, ascending, each once. Empty until then.
  std::vector<long long> predecessors;
  // -hold_jid_ad: the same for array dependencies (task i waits for task i of these array jobs),
  // as given and as resolved at submission.
  std::vector<std::string> hold_jid_ad;
  std::vector<long long> array_predecessors;
  std::optional<unsigned> umask;  // -umask; nullopt: the site default (007 for tools)

  // Output. Raw as given (relative paths, ~, $JOB_ID...); see ge/output_paths.h for the
  // final file names.
  std::optional<std::string> stdout_path;  // -o
  std::optional<std::string> stderr_path;  // -e
  bool join = false;                       // -j y

  WorkingDirMode working_dir_mode = WorkingDirMode::Home;
  std::string working_dir;  // absolute: home, submit_cwd, or -wd resolved against submit_cwd

  // Queue: "task", or "continuous" for continuous jobs; -q as given for the others.
  std::string queue = "task";
  std::optional<std::string> requested_queue;  // -q as given

  // Mail (-M default: <user>@<mail domain>, as jsub sent it).
  std::vector<std::string> mail_list;
  bool mail_list_given = false;
  std::string mail_options;  // -m letters ("abe", "n"); empty if not given

  std::vector<EnvVar> env_vars;  // -v, in order; a later setting of a name replaces it
  bool export_all = false;       // -V

  std::optional<TaskRange> array;                 // -t
  std::optional<std::uint32_t> task_concurrency;  // -tc

  std::optional<bool> rerunnable;      // -r
  std::optional<std::string> shell;    // -S
  std::optional<int> priority;         // -p
  std::optional<std::string> account;  // -A
  std::optional<std::string> project;  // -P

  std::vector<SubmitWarning> warnings;         // one per option (and value) that has less effect
  std::vector<OptionOrigin> origins;           // every option applied, in the order applied
  std::optional<std::string> directives_file;  // the script whose #$ lines were read
};

}  // namespace k8sjobs::ge
