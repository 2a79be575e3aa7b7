// SPDX-License-Identifier: Apache-2.0
// jlocal's decisions: what it runs, and what it says when it cannot.
#include <gtest/gtest.h>

#include <cerrno>

#include "k8sjobs/cli/jlocal_command.h"

namespace k8sjobs::cli {
namespace {

using Action = JlocalPlan::Action;

TEST(Jlocal, RunsEveryWordAsGivenOptionsOnlyAlone) {
  EXPECT_EQ(plan_jlocal({}).action, Action::UsageError);
  EXPECT_EQ(plan_jlocal({""}).action, Action::UsageError);
  EXPECT_EQ(plan_jlocal({"--help"}).action, Action::Help);
  EXPECT_EQ(plan_jlocal({"--version"}).action, Action::Version);
  auto run = plan_jlocal({"/bin/echo", "--help", "a b", "\xff"});
  EXPECT_EQ(run.action, Action::Run);
  EXPECT_EQ(run.argv, (std::vector<std::string>{"/bin/echo", "--help", "a b", "\xff"}));
  // The first word is the command, even when it looks like an option.
  auto odd = plan_jlocal({"--help", "x"});
  EXPECT_EQ(odd.action, Action::Run);
  EXPECT_EQ(odd.argv.front(), "--help");
}

TEST(Jlocal, StartFailuresAreTheShellsCodes) {
  auto missing = jlocal_start_failure("nope", ENOENT);
  EXPECT_EQ(missing.message, "jlocal: nope: command not found\n");
  EXPECT_EQ(missing.exit_code, 127);
  auto denied = jlocal_start_failure("/etc/passwd", EACCES);
  EXPECT_EQ(denied.message, "jlocal: /etc/passwd: Permission denied\n");
  EXPECT_EQ(denied.exit_code, 126);
}

}  // namespace
}  // namespace k8sjobs::cli
