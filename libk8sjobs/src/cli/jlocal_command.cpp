// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/cli/jlocal_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "k8sjobs/cli/commands.h"
#include "k8sjobs/cli/program.h"
#include "k8sjobs/cli/version_command.h"

namespace k8sjobs::cli {

const char* const kJlocalUsage = "usage: jlocal COMMAND [ARGS...]\n";

JlocalPlan plan_jlocal(const std::vector<std::string>& args) {
  JlocalPlan plan;
  if (args.empty() || args[0].empty()) return plan;
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-help")) {
    plan.action = JlocalPlan::Action::Help;
    return plan;
  }
  if (args.size() == 1 && args[0] == "--version") {
    plan.action = JlocalPlan::Action::Version;
    return plan;
  }
  plan.action = JlocalPlan::Action::Run;
  plan.argv = args;
  return plan;
}

JlocalStartFailure jlocal_start_failure(const std::string& program, int error_number) {
  if (error_number == ENOENT || error_number == ENOTDIR) {
    return {"jlocal: " + program + ": command not found\n", 127};
  }
  return {"jlocal: " + program + ": " + std::strerror(error_number) + "\n", 126};
}

namespace {

int run_jlocal(CommandIo& io) {
  const JlocalPlan plan = plan_jlocal(io.args);
  switch (plan.action) {
    case JlocalPlan::Action::Help:
      io.out << kJlocalUsage
             << "  --help     print this help\n"
                "  --version  print the version and the site config in use\n"
                "\n"
                "Runs COMMAND with ARGS on this host, with your environment, as Toolforge's\n"
                "jlocal did from cron: not on the grid, not on Kubernetes. Its exit status is\n"
                "jlocal's; 127 when COMMAND is not found, 126 when it cannot be run.\n";
      return 0;
    case JlocalPlan::Action::Version:
      return print_version("jlocal", io.environment, io.out, io.err);
    case JlocalPlan::Action::UsageError:
      io.err << kJlocalUsage;
      return 2;
    case JlocalPlan::Action::Run:
      break;
  }
  // The program replaces this process: argv byte for byte, the environment as it is, and
  // stdin, stdout and stderr as cron gave them.
  std::vector<char*> argv;
  argv.reserve(plan.argv.size() + 1);
  for (const auto& word : plan.argv) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  io.out.flush();
  io.err.flush();
  std::cout.flush();
  ::execvp(argv[0], argv.data());
  const auto failure = jlocal_start_failure(plan.argv[0], errno);
  io.err << failure.message;
  return failure.exit_code;
}

}  // namespace

int jlocal_main(int argc, char** argv) {
  return run_program("jlocal", argc, argv, [](CommandIo& io) { return run_jlocal(io); });
}

}  // namespace k8sjobs::cli
