// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/cli/program.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "k8sjobs/cli/process_exit.h"
#include "k8sjobs/log.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::cli {
namespace {

// std::terminate's handler can take no argument: the command's name for it is kept here, set
// once by run_program before anything else runs. It is the one piece of process state the
// boundary needs, and only run_program (a process has one main) writes it.
char terminating_command[64] = "k8sjobs";

std::string describe(std::exception_ptr error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
  }
  return "unknown exception";
}

// What escapes a thread, a destructor or a noexcept function ends here instead of in abort():
// one line on stderr and the failure exit code, no core dump in a cron job.
[[noreturn]] void on_terminate() noexcept {
  const std::string line =
      internal_error_line(terminating_command, describe(std::current_exception()));
  std::fflush(stdout);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  std::_Exit(kInternalErrorExitCode);
}

}  // namespace

std::string internal_error_line(std::string_view command, std::string_view what) {
  std::string line = std::string(command) + ": internal error: " + redact_secrets(what);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';  // one line, whatever the message holds
  }
  return line + "\n";
}

std::string_view invoked_name(int argc, char** argv, std::string_view fallback) {
  if (argc < 1 || argv == nullptr || argv[0] == nullptr || argv[0][0] == '\0') return fallback;
  std::string_view path(argv[0]);
  const auto slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name.empty() ? fallback : name;
}

int run_guarded(std::string_view command, CommandIo& io, CommandFunction run,
                std::ostream* log_stream) {
  try {
    LoggingScope logging(command, log_level_from(io.environment, 0), log_stream);
    return run(io);
  } catch (...) {
    io.out.flush();
    io.err << internal_error_line(command, describe(std::current_exception()));
    io.err.flush();
    return kInternalErrorExitCode;
  }
}

int run_program(std::string_view command, int argc, char** argv, CommandFunction run,
                ProcessEnd end) {
  const std::size_t length = std::min(command.size(), sizeof terminating_command - 1);
  command.copy(terminating_command, length);
  terminating_command[length] = '\0';
  std::set_terminate(on_terminate);

  int code = kInternalErrorExitCode;
  {
    sys::SystemClock clock;
    CommandIo io{std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc),
                 sys::Environment::from_process(),
                 clock,
                 std::cin,
                 std::cout,
                 std::cerr};
    code = run_guarded(command, io, run);
  }
  if (end == ProcessEnd::WithoutTeardown) exit_without_teardown(code);
  std::cout.flush();
  return code;
}

}  // namespace k8sjobs::cli
