// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where a process meets the library: every command's main() is one call to its *_main function
// (commands.h), which hands its run function to run_program. run_program builds the CommandIo
// from argv and the environment, points diagnostics at stderr (redacted, K8SJOBS_LOG) before
// anything can log, runs the command, and turns whatever escapes it into one line,
// "<command>: internal error: <what>", and Grid Engine's failure exit code: never an abort,
// a core dump or a stack trace, not even for an exception thrown on another thread.

#include <string_view>

#include "k8sjobs/cli/command_io.h"

namespace k8sjobs::cli {

// Grid Engine's commands exit 1 when they fail for a reason of their own.
inline constexpr int kInternalErrorExitCode = 1;

using CommandFunction = int (*)(CommandIo& io);

// How the process ends once the command has returned. The submit commands start on every
// crontab tick and skip the runtime's teardown (process_exit.h).
enum class ProcessEnd { Return, WithoutTeardown };

// Runs `run` for the process: the body of main().
int run_program(std::string_view command, int argc, char** argv, CommandFunction run,
                ProcessEnd end = ProcessEnd::Return);

// The error boundary on its own, for run_program and for tests: configures logging on `io.err`'s
// behalf (stderr, or `log_stream` when given), runs `run`, and answers anything it throws on
// io.err. Returns the command's exit code.
int run_guarded(std::string_view command, CommandIo& io, CommandFunction run,
                std::ostream* log_stream = nullptr);

// The one line for an exception that escaped a command, redacted like every log line.
std::string internal_error_line(std::string_view command, std::string_view what);

// The command's name as it was invoked: argv[0]'s last path component, or `fallback`.
std::string_view invoked_name(int argc, char** argv, std::string_view fallback);

}  // namespace k8sjobs::cli
