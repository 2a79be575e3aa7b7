// SPDX-License-Identifier: Apache-2.0
#pragma once
// jlocal COMMAND [ARGS...]: Toolforge's "run this on the cron host itself, not on the grid".
// The decision (help, version, usage error, or what to run) is pure; jlocal_main does the
// exec.

#include <string>
#include <vector>

namespace k8sjobs::cli {

struct JlocalPlan {
  enum class Action { Help, Version, UsageError, Run } action = Action::UsageError;
  std::vector<std::string> argv;  // Run: the program (looked up in PATH) and its arguments
};

JlocalPlan plan_jlocal(const std::vector<std::string>& args);

// What jlocal prints and returns when the program cannot be started (errno from execvp): a
// missing program is 127, one that is there but cannot run is 126, as sh(1) says.
struct JlocalStartFailure {
  std::string message;  // one line, ending in '\n'
  int exit_code;
};
JlocalStartFailure jlocal_start_failure(const std::string& program, int error_number);

extern const char* const kJlocalUsage;

}  // namespace k8sjobs::cli
