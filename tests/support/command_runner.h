#pragma once
// Runs a built k8sjobs command as a child process, the way a user's shell would: its own
// argv, exactly the environment given (nothing inherited), stdin from /dev/null (or given bytes),
// stdout and stderr captured separately, a time limit.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "support/build_paths.h"

namespace k8sjobs::testing {

struct CommandSpec {
  std::filesystem::path program;  // absolute, e.g. built_command("qstat/qstat")
  std::vector<std::string> args;  // without argv[0]
  std::map<std::string, std::string> environment;
  std::filesystem::path working_directory;  // empty: the test's own
  std::chrono::milliseconds timeout{60000};
  // Standard input: these bytes (a memory file, read at the child's pace); nullopt: /dev/null.
  std::optional<std::string> stdin_text;
  // A long-running child (a controller's loop) ended before its time limit, killed as the limit
  // would: once its stderr contains this text (non-empty), or once *stop is true (checked
  // every 50 ms). A test ends the child as soon as what it waits for has happened.
  std::string until_stderr_contains;
  const std::atomic<bool>* stop = nullptr;
};

struct CommandOutput {
  std::string out;
  std::string err;
  int exit_code = -1;      // the exit status, or 128+N when killed by signal N
  bool timed_out = false;  // killed after spec.timeout
  bool stopped = false;    // killed early: spec.until_stderr_contains or spec.stop
};

// Never throws for the child's failures; throws std::runtime_error if it cannot start it.
CommandOutput run_command(const CommandSpec& spec);

// A binary of this build: K8SJOBS_BINARY_DIR "/" relative (e.g. "qstat/qstat").
std::filesystem::path built_command(const std::string& relative);

// For test failure messages: the command line, exit code, stdout and stderr.
std::string describe(const CommandSpec& spec, const CommandOutput& output);

}  // namespace k8sjobs::testing
