// SPDX-License-Identifier: Apache-2.0
// The sendmail(8) sender against fake sendmail programs that the tests write: what the program
// gets (argv, standard input, environment), its refusals, a program that is missing, one that
// never ends, one that stops reading early.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "k8sjobs/mail/sendmail_sender.h"
#include "support/temp_dir.h"

namespace k8sjobs {
namespace {

namespace fs = std::filesystem;
using mail::SendmailSender;
using mail::SendmailSettings;

class SendmailSenderTest : public ::testing::Test {
 protected:
  // A fake sendmail: `body` after a #!/bin/sh line, executable.
  fs::path program(const std::string& body) const {
    return dir.write("sendmail", "#!/bin/sh\n" + body, fs::perms::owner_all);
  }
  SendmailSettings settings(const fs::path& path) const {
    SendmailSettings out;
    out.program = path.string();
    out.from = "k8sjobs@example.org";
    out.environment = {{"PATH", "/usr/bin:/bin"}, {"GIVEN", "yes"}};
    out.timeout = std::chrono::seconds(20);
    return out;
  }

  testing::TempDir dir;
};

TEST_F(SendmailSenderTest, RunsTheProgramWithTheRecipientAndTheMessageOnStdin) {
  const fs::path out = dir.path();
  auto path = program("printf '%s\\n' \"$@\" > '" + (out / "argv").string() + "'\ncat > '" +
                      (out / "stdin").string() + "'\nprintf '%s|%s' \"$GIVEN\" " +
                      "\"${HOME-unset}\" > '" + (out / "env").string() + "'\n");
  SendmailSender sender(settings(path));
  auto sent = sender.send("-a@example.org", "Subject: x\r\n\r\nline 1\r\n.\r\nline 3\r\n");
  ASSERT_TRUE(sent) << sent.error();
  EXPECT_EQ(*sent, "accepted by " + path.string());
  // -i: a lone "." is text; "--": a recipient that looks like an option is still a recipient.
  EXPECT_EQ(testing::read_file(out / "argv"), "-i\n-f\nk8sjobs@example.org\n--\n-a@example.org\n");
  EXPECT_EQ(testing::read_file(out / "stdin"), "Subject: x\n\nline 1\n.\nline 3\n");
  // Exactly the environment given: nothing of this process (its HOME) leaks.
  EXPECT_EQ(testing::read_file(out / "env"), "yes|unset");
}

TEST_F(SendmailSenderTest, WithoutASenderNoDashF) {
  const fs::path argv = dir.path() / "argv";
  auto path = program("printf '%s\\n' \"$@\" > '" + argv.string() + "'\ncat >/dev/null\n");
  SendmailSettings plain = settings(path);
  plain.from.clear();
  ASSERT_TRUE(SendmailSender(plain).send("alice", "x\r\n"));
  EXPECT_EQ(testing::read_file(argv), "-i\n--\nalice\n");
}

TEST_F(SendmailSenderTest, ANonZeroExitIsAnErrorWithWhatTheProgramSaid) {
  auto path =
      program("cat >/dev/null\necho 'sendmail: fatal: queue file write error' >&2\nexit 75\n");
  auto sent = SendmailSender(settings(path)).send("a@example.org", "x\r\n");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error(),
            path.string() + " exited with status 75: sendmail: fatal: queue file write error");
}

TEST_F(SendmailSenderTest, KilledBySignalIsAnError) {
  auto path = program("kill -9 $$\n");
  auto sent = SendmailSender(settings(path)).send("a@example.org", "x\r\n");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error(), path.string() + " was killed by signal 9");
}

TEST_F(SendmailSenderTest, AMissingProgramIsAnError) {
  auto sent = SendmailSender(settings(dir.path() / "no-sendmail")).send("a@example.org", "x\r\n");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error(),
            "cannot run " + (dir.path() / "no-sendmail").string() + ": No such file or directory");
}

TEST_F(SendmailSenderTest, AProgramStillRunningAtTheTimeoutIsKilled) {
  // The sleep is the program's child in its process group: the timeout kills both, so the
  // send returns at the timeout, not when the sleep would end.
  auto path = program("cat >/dev/null\nsleep 60\n");
  SendmailSettings slow = settings(path);
  slow.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  auto sent = SendmailSender(slow).send("a@example.org", "x\r\n");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error(), path.string() + " did not finish within 300 ms; it was killed");
  EXPECT_LT(took, std::chrono::seconds(20));
}

TEST_F(SendmailSenderTest, AProgramThatStopsReadingDoesNotKillTheCaller) {
  // More than a pipe holds, to a program that reads none of it: the writes fail with EPIPE
  // (no SIGPIPE reaches this process) and the exit status decides.
  auto path = program("exit 0\n");
  auto sent = SendmailSender(settings(path)).send("a@example.org", std::string(1 << 20, 'x'));
  ASSERT_TRUE(sent) << sent.error();
  auto refuses = program("exit 1\n");
  EXPECT_FALSE(SendmailSender(settings(refuses)).send("a@example.org", std::string(1 << 20, 'x')));
}

TEST_F(SendmailSenderTest, UnusablePrograms) {
  EXPECT_EQ(mail::sendmail_unusable(program("exit 0\n").string()), "");
  EXPECT_EQ(mail::sendmail_unusable((dir.path() / "none").string()),
            (dir.path() / "none").string() + " not found");
  auto plain = dir.write("plain", "not a program\n");
  EXPECT_EQ(mail::sendmail_unusable(plain.string()), plain.string() + " is not executable");
  EXPECT_EQ(mail::sendmail_unusable(dir.path().string()),
            dir.path().string() + " is not a program");
  EXPECT_EQ(mail::sendmail_unusable("sendmail"), "'sendmail' is not an absolute path");
}

}  // namespace
}  // namespace k8sjobs
