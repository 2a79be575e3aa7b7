// SPDX-License-Identifier: Apache-2.0
// -m/-M on the embedded default: the built commands on the local backend, with mail.sendmail
// pointing at a fake sendmail that files each message it is given (its argv first) in
// home/outbox. Begin and end mails with Grid Engine's subjects to the -M recipients, the exit
// status of a failing job, the abort mails of qdel, h_rt and a job that cannot start, and the
// warning when the program is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/command_runner.h"
#include "support/local_command.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class LocalMailEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(outbox());
    // Written under a temporary name and renamed, so the test never reads half a message.
    sendmail =
        home.write("bin/sendmail",
                   "#!/bin/sh\n"
                   "tmp=$(mktemp '" +
                       (outbox() / ".mail.XXXXXX").string() +
                       "') || exit 75\n"
                       "{ printf 'argv:'; printf ' %s' \"$@\"; printf '\\n'; cat; } > \"$tmp\"\n"
                       "mv \"$tmp\" '" +
                       outbox().string() + "/mail'\"${tmp##*.mail}\"\n",
                   fs::perms::owner_all);
    configure(sendmail.string());
  }

  void configure(const std::string& program) const {
    home.write("no-config.yaml",
               "backend: local\nmail:\n  from: k8sjobs@example.org\n"
               "  sendmail: '" +
                   program + "'\n");
  }

  fs::path outbox() const { return home.path() / "outbox"; }

  CommandOutput run(const std::string& command, std::vector<std::string> args) const {
    return run_local_command(home, command, std::move(args));
  }

  std::vector<std::string> mails() const {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(outbox())) {
      if (entry.path().filename().string().starts_with("mail")) {
        found.push_back(read_file(entry.path()));
      }
    }
    return found;
  }

  // Waits until `count` mails were handed to sendmail and returns them in the order of their
  // subjects' kinds: Started, Complete, Aborted.
  std::vector<std::string> wait_for_mails(std::size_t count) const {
    std::vector<std::string> found;
    EXPECT_TRUE(wait_until(
        [&] {
          found = mails();
          return found.size() >= count;
        },
        kEventDeadline, std::to_string(count) + " mails to reach sendmail"));
    auto rank = [](const std::string& mail) {
      return contains(mail, " Started\n") ? 0 : contains(mail, " Complete\n") ? 1 : 2;
    };
    std::sort(found.begin(), found.end(),
              [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
    return found;
  }

  std::string running_job(const std::string& name) const {
    std::string listing;
    EXPECT_TRUE(wait_until(
        [&] {
          listing = run("qstat/qstat", {}).out;
          return contains(listing, " " + name + " ") && contains(listing, " r ");
        },
        kEventDeadline, name + " to run"));
    return listing;
  }

  TempDir home;
  fs::path sendmail;
};

TEST_F(LocalMailEndToEnd, BeginAndEndMailsReachTheRecipients) {
  auto submitted = run("jsub/jsub", {"-m", "bea", "-M", "a@example.org,b@example.org", "-N",
                                     "hello", "/bin/sh", "-c", "exit 0"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(submitted.err, "");
  auto found = wait_for_mails(4);
  ASSERT_EQ(found.size(), 4u);
  // One message per recipient and event; sendmail is told the recipient and the sender.
  int to_a = 0;
  for (const auto& mail : found) {
    const bool a = contains(mail, "argv: -i -f k8sjobs@example.org -- a@example.org\n");
    EXPECT_TRUE(a || contains(mail, "argv: -i -f k8sjobs@example.org -- b@example.org\n")) << mail;
    EXPECT_TRUE(contains(mail, a ? "\nTo: a@example.org\n" : "\nTo: b@example.org\n")) << mail;
    EXPECT_TRUE(contains(mail, "\nFrom: k8sjobs@example.org\n")) << mail;
    EXPECT_FALSE(contains(mail, "\r")) << "sendmail reads LF line ends";
    to_a += a ? 1 : 0;
  }
  EXPECT_EQ(to_a, 2);
  EXPECT_TRUE(contains(found[0], "\nSubject: Job 1 (hello) Started\n")) << found[0];
  EXPECT_TRUE(contains(found[0], "\n\nJob 1 (hello) Started\n User       = tools.alice\n"))
      << found[0];
  EXPECT_TRUE(contains(found[2], "\nSubject: Job 1 (hello) Complete\n")) << found[2];
  EXPECT_TRUE(contains(found[2], " Exit Status      = 0\n")) << found[2];
  // Each event is recorded as sent in the job's record.
  EXPECT_TRUE(wait_until(
      [&] {
        auto record = nlohmann::json::parse(read_file(home.path() / "state/jobs/1.json"));
        return record.value("mail_sent", nlohmann::json()) == nlohmann::json({"0.b", "0.e"});
      },
      kEventDeadline, "the record to mark both mails sent"));
  // The supervisor has ended (the job is finished and both events sent): nothing more comes.
  EXPECT_TRUE(wait_until([&] { return run("qstat/qstat", {}).out.empty(); }, kEventDeadline,
                         "the job to finish"));
  EXPECT_EQ(mails().size(), 4u);
}

TEST_F(LocalMailEndToEnd, AFailingJobsEndMailHasItsExitStatus) {
  auto submitted = run(
      "jsub/jsub", {"-m", "e", "-M", "a@example.org", "-N", "fails", "/bin/sh", "-c", "exit 3"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  auto found = wait_for_mails(1);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(contains(found[0], "\nSubject: Job 1 (fails) Complete\n")) << found[0];
  EXPECT_TRUE(contains(found[0], " Exit Status      = 3\n")) << found[0];
}

TEST_F(LocalMailEndToEnd, QdelOfARunningJobSendsAnAbortMail) {
  auto submitted =
      run("jsub/jsub", {"-m", "a", "-M", "a@example.org", "-N", "sleeper", "/bin/sleep", "60"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  running_job("sleeper");
  EXPECT_TRUE(mails().empty());
  ASSERT_EQ(run("qdel/qdel", {"1"}).exit_code, 0);
  auto found = wait_for_mails(1);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(contains(found[0], "\nSubject: Job 1 (sleeper) Aborted\n")) << found[0];
  EXPECT_TRUE(contains(found[0], " Signal           = TERM\n")) << found[0];
  EXPECT_TRUE(contains(found[0], "job 1.1 was deleted (qdel) before it finished")) << found[0];
}

TEST_F(LocalMailEndToEnd, AJobKilledAtItsHrtSendsAnAbortMail) {
  auto submitted = run("jsub/jsub", {"-m", "ea", "-M", "a@example.org", "-l", "h_rt=0:0:1", "-N",
                                     "overtime", "/bin/sleep", "60"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  auto found = wait_for_mails(1);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(contains(found[0], "\nSubject: Job 1 (overtime) Aborted\n")) << found[0];
  EXPECT_TRUE(contains(found[0], " Exit Status      = 137\n")) << found[0];
  EXPECT_TRUE(
      contains(found[0], "job 1.1 exceeded its run time limit (h_rt): killed after 00:00:01"))
      << found[0];
}

TEST_F(LocalMailEndToEnd, AJobThatCannotStartSendsAnAbortMail) {
  // Held at submission, its working directory removed, then released: the supervisor cannot
  // chdir (Eqw).
  const fs::path gone = home.path() / "gone";
  fs::create_directories(gone);
  auto submitted = run("jsub/jsub", {"-h", "-m", "a", "-M", "a@example.org", "-wd", gone.string(),
                                     "-N", "nowhere", "/bin/true"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  fs::remove(gone);
  ASSERT_EQ(run("qdel/qrls", {"1"}).exit_code, 0);
  auto found = wait_for_mails(1);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(contains(found[0], "\nSubject: Job 1 (nowhere) Aborted\n")) << found[0];
  EXPECT_TRUE(contains(
      found[0], "failed before job because:\njob 1 failed: error: can't chdir to " + gone.string()))
      << found[0];
}

TEST_F(LocalMailEndToEnd, AMissingProgramIsAWarningAndTheJobStillRuns) {
  const std::string missing = (home.path() / "no/sendmail").string();
  configure(missing);
  const std::string warning =
      "warning: no mail will be sent: " + missing + " not found (site key mail.sendmail)\n";
  auto submitted = run("jsub/jsub", {"-m", "bea", "-N", "hello", "/bin/true"});
  EXPECT_EQ(submitted.exit_code, 0);
  EXPECT_EQ(submitted.out, "Your job 1 (\"hello\") has been submitted\n");
  EXPECT_EQ(submitted.err, "jsub: " + warning);
  auto script = home.write("job.sh", "#!/bin/sh\ntrue\n", fs::perms::owner_all);
  auto queued = run("qsub/qsub", {"-m", "e", script.string()});
  EXPECT_EQ(queued.exit_code, 0);
  EXPECT_EQ(queued.err, "qsub: " + warning);
  // -m n asks for none; a site that turned local mail off (empty) is not warned about.
  EXPECT_EQ(run("jsub/jsub", {"-m", "n", "/bin/true"}).err, "");
  configure("");
  EXPECT_EQ(run("jsub/jsub", {"-m", "bea", "/bin/true"}).err, "");
}

}  // namespace
}  // namespace k8sjobs::testing
