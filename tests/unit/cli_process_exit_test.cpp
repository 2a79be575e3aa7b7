// The submit commands end with exit_without_teardown(): the exit code and everything written to
// the standard streams must survive skipping the runtime's teardown.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "k8sjobs/cli/process_exit.h"

namespace k8sjobs::cli {
namespace {

struct Ended {
  int exit_code = -1;
  std::string out;
};

// Runs exit_without_teardown in a child whose stdout is a pipe, so both std::cout and stdio's
// stdout are fully buffered, as when cron or a script reads jsub's output.
Ended end_child(int code) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  std::cout.flush();
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDOUT_FILENO);
    std::cout << "Your job 1 (\"x\") has been submitted\n";
    std::printf("and stdio");
    exit_without_teardown(code);
  }
  ::close(fds[1]);
  Ended ended;
  char buffer[256];
  ssize_t got = 0;
  while ((got = ::read(fds[0], buffer, sizeof buffer)) > 0) ended.out.append(buffer, got);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (WIFEXITED(status)) ended.exit_code = WEXITSTATUS(status);
  return ended;
}

TEST(ExitWithoutTeardown, EndsWithTheCodeAfterFlushingWhatWasWritten) {
  for (int code : {0, 1, 25}) {
    Ended ended = end_child(code);
    EXPECT_EQ(ended.exit_code, code);
    EXPECT_EQ(ended.out, "Your job 1 (\"x\") has been submitted\nand stdio");
  }
}

}  // namespace
}  // namespace k8sjobs::cli
