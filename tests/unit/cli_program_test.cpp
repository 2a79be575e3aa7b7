// SPDX-License-Identifier: Apache-2.0
// The error boundary every command's main() goes through (cli/program.h): logging configured
// before the command runs, anything that escapes answered with one line and exit 1.
#include "k8sjobs/cli/program.h"
#include "k8sjobs/log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/fake_clock.h"

namespace k8sjobs::cli {
namespace {

struct Guarded {
  int code = -1;
  std::string out;
  std::string err;
  std::string log;
};

Guarded guarded(CommandFunction run, std::map<std::string, std::string> environment = {}) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  std::ostringstream log;
  testing::FakeClock clock;
  CommandIo io{{"-xml"}, sys::Environment(std::move(environment)), clock, in, out, err};
  Guarded result;
  result.code = run_guarded("qstat", io, run, &log);
  result.out = out.str();
  result.err = err.str();
  result.log = log.str();
  return result;
}

TEST(ProgramBoundary, ReturnsTheCommandsCodeWhenNothingEscapes) {
  auto result = guarded([](CommandIo& io) {
    io.out << "listing\n";
    return 25;
  });
  EXPECT_EQ(result.code, 25);
  EXPECT_EQ(result.out, "listing\n");
  EXPECT_EQ(result.err, "");
}

TEST(ProgramBoundary, AnExceptionBecomesOneLineAndGridEnginesFailureCode) {
  auto result = guarded([](CommandIo& io) -> int {
    io.out << "partial\n";
    throw std::invalid_argument("stoll");
  });
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "partial\n");
  EXPECT_EQ(result.err, "qstat: internal error: stoll\n");
}

TEST(ProgramBoundary, WhatIsNotAStdExceptionIsAnsweredToo) {
  auto result = guarded([](CommandIo&) -> int { throw 42; });
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "qstat: internal error: unknown exception\n");
}

TEST(ProgramBoundary, TheLineIsOneLineAndRedacted) {
  auto result = guarded([](CommandIo&) -> int {
    throw std::runtime_error("sent Authorization: Bearer s3cr3t\nthen failed");
  });
  EXPECT_EQ(result.err,
            "qstat: internal error: sent Authorization: Bearer [redacted] then failed\n");
}

TEST(ProgramBoundary, LogsGoToTheLogStreamWithTheCommandsNameNeverToStdout) {
  auto result = guarded([](CommandIo& io) {
    log_warning("insecure-skip-tls-verify is set");
    log_debug("GET /api -> 200");
    io.out << "<?xml version='1.0'?>\n";
    return 0;
  });
  EXPECT_EQ(result.out, "<?xml version='1.0'?>\n");
  EXPECT_EQ(result.log, "qstat: warning: insecure-skip-tls-verify is set\n");
}

TEST(ProgramBoundary, K8sjobsLogSetsTheLevelForEveryCommand) {
  auto result = guarded(
      [](CommandIo&) {
        log_debug("GET /api -> 200");
        return 0;
      },
      {{"K8SJOBS_LOG", "debug"}});
  EXPECT_EQ(result.log, "qstat: debug: GET /api -> 200\n");
}

TEST(ProgramBoundary, InvokedNameIsTheLastPathComponent) {
  char jsub[] = "/usr/bin/qcronsub";
  char* argv[] = {jsub, nullptr};
  EXPECT_EQ(invoked_name(1, argv, "jsub"), "qcronsub");
  char bare[] = "qstat";
  char* bare_argv[] = {bare, nullptr};
  EXPECT_EQ(invoked_name(1, bare_argv, "x"), "qstat");
  char empty[] = "";
  char* empty_argv[] = {empty, nullptr};
  EXPECT_EQ(invoked_name(1, empty_argv, "jsub"), "jsub");
  EXPECT_EQ(invoked_name(0, nullptr, "jsub"), "jsub");
}

// What escapes a thread would call std::terminate and abort (exit 134, a core dump); under
// run_program it ends with the one line and exit 1. Run in a child: it ends the process.
TEST(ProgramBoundary, AnExceptionOnAnotherThreadEndsWithTheLineNotAnAbort) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDERR_FILENO);
    char name[] = "qstat";
    char* argv[] = {name, nullptr};
    run_program("qstat", 1, argv, [](CommandIo&) {
      std::thread([] { throw std::out_of_range("stoll"); }).join();
      return 0;
    });
    std::_Exit(99);
  }
  ::close(fds[1]);
  std::string err;
  char buffer[256];
  ssize_t got = 0;
  while ((got = ::read(fds[0], buffer, sizeof buffer)) > 0) err.append(buffer, got);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(err, "qstat: internal error: stoll\n");
}

}  // namespace
}  // namespace k8sjobs::cli
