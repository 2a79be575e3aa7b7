// SPDX-License-Identifier: Apache-2.0
// The built jlocal: runs the command on this host with the caller's environment, argv byte for
// byte, its exit status passed through, and the shell's codes when it cannot start it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/command_runner.h"
#include "support/hex.h"
#include "support/temp_dir.h"

namespace k8sjobs::testing {
namespace {

CommandOutput jlocal(std::vector<std::string> args,
                     std::map<std::string, std::string> environment = {}) {
  CommandSpec spec;
  spec.program = built_command("jlocal/jlocal");
  spec.args = std::move(args);
  environment.emplace("PATH", "/usr/bin:/bin");
  spec.environment = std::move(environment);
  spec.timeout = std::chrono::seconds(30);
  return run_command(spec);
}

TEST(JlocalE2E, ArgvAndEnvironmentReachTheCommandByteForByte) {
  std::string every_byte;
  for (int byte = 1; byte <= 255; ++byte) every_byte.push_back(static_cast<char>(byte));
  const std::vector<std::string> words = {"\xff\xfe", "", "$(HOME) `id` $$", every_byte, "--help"};
  std::vector<std::string> args = {built_command("tests/k8sjobs_print_argv_hex").string()};
  args.insert(args.end(), words.begin(), words.end());
  auto result = jlocal(args, {{"RAW", "a\x80 b"}, {"HOME", "/nonexistent"}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string expected;
  for (const auto& word : words) expected += "arg " + hex(word) + "\n";
  EXPECT_EQ(result.out.rfind(expected, 0), 0u) << result.out;
  EXPECT_NE(result.out.find("\nenv " + hex("RAW=a\x80 b") + "\n"), std::string::npos) << result.out;
  EXPECT_EQ(result.err, "");
}

TEST(JlocalE2E, ExitStatusIsTheCommandsAndPathIsSearched) {
  EXPECT_EQ(jlocal({"sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(jlocal({"true"}).exit_code, 0);
  auto echoed = jlocal({"echo", "hello"});
  EXPECT_EQ(echoed.out, "hello\n");
  // Killed by a signal: the runner reports 128+N, as a shell would.
  EXPECT_EQ(jlocal({"sh", "-c", "kill -TERM $$"}).exit_code, 128 + 15);
}

TEST(JlocalE2E, ACommandThatCannotStartGetsTheShellsCodesAndOneLine) {
  auto missing = jlocal({"no-such-command-k8sjobs", "x"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_EQ(missing.err, "jlocal: no-such-command-k8sjobs: command not found\n");
  EXPECT_EQ(missing.out, "");
  TempDir dir;
  auto not_executable = dir.write("data.txt", "hello\n");
  auto denied = jlocal({not_executable.string()});
  EXPECT_EQ(denied.exit_code, 126);
  EXPECT_EQ(denied.err, "jlocal: " + not_executable.string() + ": Permission denied\n");
  auto usage = jlocal({});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_EQ(usage.err, "usage: jlocal COMMAND [ARGS...]\n");
  auto help = jlocal({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out.rfind("usage: jlocal COMMAND [ARGS...]\n", 0), 0u);
}

}  // namespace
}  // namespace k8sjobs::testing
