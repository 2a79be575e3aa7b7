// SPDX-License-Identifier: Apache-2.0
// The local backend's -m mail without processes: which events a record calls for, who gets
// them, the settings fixed at submission (and the warning), and the notifier against a state
// directory with a recording sender: each event once, also for a second notifier.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/local/mail_notifier.h"
#include "k8sjobs/local/state_store.h"
#include "k8sjobs/mail/mail_event.h"
#include "k8sjobs/site/site_config.h"
#include "support/temp_dir.h"

namespace k8sjobs::local {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mail::MailEvent;
using mail::MailEventKind;

const TimePoint kMailTime = TimePoint(std::chrono::seconds(1'800'000'000));

LocalJob job_with(const std::string& mail_options, TaskPhase phase) {
  LocalJob job;
  job.id = 12;
  job.name = "crawler";
  job.owner = "tools.alice";
  job.submission_time = kMailTime - 60s;
  job.node = "worker-1";
  job.started = true;
  job.details.mail_options = mail_options;
  job.details.mail_list = "a@example.org";
  LocalTask task;
  task.phase = phase;
  if (phase != TaskPhase::Pending && phase != TaskPhase::Error && phase != TaskPhase::Deleted) {
    task.start_time = kMailTime - 30s;
  }
  if (phase == TaskPhase::Exited) task.exit_code = 0;
  if (phase != TaskPhase::Pending && phase != TaskPhase::Running) task.end_time = kMailTime;
  job.tasks.push_back(task);
  return job;
}

std::vector<std::string> subjects(const std::vector<MailEvent>& events) {
  std::vector<std::string> out;
  for (const auto& event : events) out.push_back(mail::ge_subject(event));
  return out;
}

using Subjects = std::vector<std::string>;

TEST(LocalMailEvents, BeginWhenRunningThenEndWithTheExitStatus) {
  EXPECT_EQ(subjects(decide_local_mail_events(job_with("bea", TaskPhase::Pending), {})),
            Subjects{});
  EXPECT_EQ(subjects(decide_local_mail_events(job_with("bea", TaskPhase::Running), {})),
            Subjects{"Job 12 (crawler) Started"});
  LocalJob failed = job_with("bea", TaskPhase::Exited);
  failed.tasks[0].exit_code = 3;
  auto events = decide_local_mail_events(failed, {});
  EXPECT_EQ(subjects(events), (Subjects{"Job 12 (crawler) Started", "Job 12 (crawler) Complete"}));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].exit_status, 3);
  EXPECT_EQ(events[1].host, "worker-1");
  EXPECT_EQ(events[1].queue, "task");
  const std::string body = mail::ge_body(events[1]);
  EXPECT_NE(body.find(" Wallclock Time   = 00:00:30\n"), std::string::npos) << body;
  EXPECT_NE(body.find(" Exit Status      = 3"), std::string::npos) << body;
}

TEST(LocalMailEvents, OnlyTheLettersAskedForAndNothingMarkedSent) {
  EXPECT_EQ(subjects(decide_local_mail_events(job_with("e", TaskPhase::Exited), {})),
            Subjects{"Job 12 (crawler) Complete"});
  EXPECT_EQ(subjects(decide_local_mail_events(job_with("n", TaskPhase::Exited), {})), Subjects{});
  EXPECT_EQ(subjects(decide_local_mail_events(job_with("s", TaskPhase::Exited), {})), Subjects{});
  EXPECT_EQ(subjects(decide_local_mail_events(job_with("", TaskPhase::Exited), {})), Subjects{});
  LocalJob sent = job_with("bea", TaskPhase::Exited);
  sent.mail_sent = {"0.b"};
  EXPECT_EQ(subjects(decide_local_mail_events(sent, {})), Subjects{"Job 12 (crawler) Complete"});
  sent.mail_sent = {"0.b", "0.e"};
  EXPECT_EQ(subjects(decide_local_mail_events(sent, {})), Subjects{});
  LocalJob continuous = job_with("bea", TaskPhase::Exited);
  continuous.continuous = true;
  EXPECT_EQ(subjects(decide_local_mail_events(continuous, {})), Subjects{});
}

TEST(LocalMailEvents, KilledBySignalEndsWith128PlusTheSignal) {
  LocalJob killed = job_with("e", TaskPhase::Signaled);
  killed.tasks[0].signal = 11;
  auto events = decide_local_mail_events(killed, 3600);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MailEventKind::End);
  EXPECT_EQ(events[0].exit_status, 139);
}

TEST(LocalMailEvents, QdelOfARunningTaskIsAnAbort) {
  LocalJob deleted = job_with("ea", TaskPhase::Signaled);
  deleted.tasks[0].signal = 15;
  deleted.tasks[0].delete_requested = kMailTime - 1s;
  auto events = decide_local_mail_events(deleted, {});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(mail::ge_subject(events[0]), "Job 12 (crawler) Aborted");
  EXPECT_EQ(mail::ge_body(events[0]),
            "Job 12 (crawler) Aborted\n"
            " Exit Status      = 143\n"
            " Signal           = TERM\n"
            " User             = tools.alice\n"
            " Queue            = task@worker-1\n"
            " Host             = worker-1\n"
            " Start Time       = 01/15/2027 07:59:30\n"
            " End Time         = 01/15/2027 08:00:00\n"
            " CPU              = 00:00:00\n"
            " Max vmem         = 0.000\n"
            "failed 100 : assumedly after job because:\n"
            "job 12.1 was deleted (qdel) before it finished");
  // One that traps TERM and exits is deleted all the same.
  deleted.tasks[0].phase = TaskPhase::Exited;
  deleted.tasks[0].signal.reset();
  deleted.tasks[0].exit_code = 0;
  events = decide_local_mail_events(deleted, {});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MailEventKind::Abort);
  EXPECT_EQ(events[0].exit_status, 0);
}

TEST(LocalMailEvents, KilledAtItsTimeLimitIsAnAbort) {
  LocalJob overtime = job_with("a", TaskPhase::Signaled);
  overtime.tasks[0].signal = 9;
  auto events = decide_local_mail_events(overtime, 30);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MailEventKind::Abort);
  EXPECT_EQ(events[0].exit_status, 137);
  EXPECT_EQ(events[0].failed_text,
            "job 12.1 exceeded its run time limit (h_rt): killed after 00:00:30");
  // SIGKILL from someone else before the limit: an end, not an abort.
  EXPECT_EQ(subjects(decide_local_mail_events(overtime, 3600)), Subjects{});
  overtime.details.mail_options = "e";
  EXPECT_EQ(subjects(decide_local_mail_events(overtime, 3600)),
            Subjects{"Job 12 (crawler) Complete"});
}

TEST(LocalMailEvents, CannotStartAndDeletedBeforeItStartedAreAborts) {
  LocalJob eqw = job_with("a", TaskPhase::Error);
  eqw.tasks[0].error_reason = "error: can't chdir to /gone: No such file or directory";
  auto events = decide_local_mail_events(eqw, {});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failed_reason, "before job");
  EXPECT_EQ(events[0].failed_text,
            "job 12 failed: error: can't chdir to /gone: No such file or directory");
  EXPECT_EQ(events[0].host, "");
  // qdel of the Eqw task afterwards: the abort was already sent (same mark).
  eqw.mail_sent = {"0.a"};
  eqw.tasks[0].phase = TaskPhase::Deleted;
  EXPECT_EQ(subjects(decide_local_mail_events(eqw, {})), Subjects{});
  LocalJob deleted = job_with("ba", TaskPhase::Deleted);
  EXPECT_EQ(subjects(decide_local_mail_events(deleted, {})), Subjects{"Job 12 (crawler) Aborted"});
}

TEST(LocalMailEvents, ArrayTasksEachGetTheirOwn) {
  LocalJob array = job_with("e", TaskPhase::Exited);
  array.array = jobs::ArrayRange{1, 2, 1};
  array.tasks[0].task_id = 1;
  LocalTask second = array.tasks[0];
  second.task_id = 2;
  second.phase = TaskPhase::Running;
  second.end_time.reset();
  second.exit_code.reset();
  array.tasks.push_back(second);
  EXPECT_EQ(subjects(decide_local_mail_events(array, {})),
            Subjects{"Job-array task 12.1 (crawler) Complete"});
  array.tasks[1].phase = TaskPhase::Exited;
  array.tasks[1].exit_code = 1;
  array.mail_sent = {"1.e"};
  EXPECT_EQ(subjects(decide_local_mail_events(array, {})),
            Subjects{"Job-array task 12.2 (crawler) Complete"});
}

TEST(LocalMailRecipients, TheListOrTheOwner) {
  LocalJob job = job_with("e", TaskPhase::Exited);
  job.details.mail_list = "a@example.org, bob ,a@example.org,not an address,-x,c@example.org";
  EXPECT_EQ(local_mail_recipients(job, 20),
            (std::vector<std::string>{"a@example.org", "bob", "c@example.org"}));
  EXPECT_EQ(local_mail_recipients(job, 2), (std::vector<std::string>{"a@example.org", "bob"}));
  job.details.mail_list = "";
  EXPECT_EQ(local_mail_recipients(job, 20), (std::vector<std::string>{"tools.alice"}));
  job.details.mail_list = "not an address";
  EXPECT_EQ(local_mail_recipients(job, 20), (std::vector<std::string>{}));
}

TEST(LocalMailSettings, JsonRoundTripAndDamage) {
  LocalMailSettings settings{"/usr/sbin/sendmail",
                             "k8sjobs@example.org",
                             5,
                             {{"PATH", "/bin"}, {"HOME", std::string("/home/\xff")}}};
  EXPECT_EQ(local_mail_settings_from_json(to_json(settings)), settings);
  auto damaged = to_json(settings);
  damaged["sendmail"] = "sendmail";
  EXPECT_EQ(local_mail_settings_from_json(damaged), std::nullopt);
  EXPECT_EQ(local_mail_settings_from_json(nlohmann::json::array()), std::nullopt);
  EXPECT_EQ(local_mail_settings_from_json(nlohmann::json{{"sendmail", 1}}), std::nullopt);
}

TEST(LocalMailRecord, MailSentIsKeptAndDamageIsReported) {
  LocalJob job = job_with("e", TaskPhase::Exited);
  job.mail_sent = {"0.b", "0.e"};
  auto json = to_json(job);
  EXPECT_EQ(json["mail_sent"], nlohmann::json({"0.b", "0.e"}));
  auto back = local_job_from_json(json);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->job, job);
  EXPECT_TRUE(back->problems.empty());
  for (const auto& bad : {nlohmann::json("0.b"), nlohmann::json({"0.x"}), nlohmann::json({"b"}),
                          nlohmann::json({1}), nlohmann::json({"-1.b"})}) {
    json["mail_sent"] = bad;
    auto read = local_job_from_json(json);
    ASSERT_TRUE(read) << read.error();
    EXPECT_TRUE(read->job.mail_sent.empty()) << bad;
    EXPECT_EQ(
        read->problems,
        std::vector<std::string>{"\"mail_sent\" is not a list of mail marks (\"<task>.<b|e|a>\")"})
        << bad;
  }
}

class SubmitMailTest : public ::testing::Test {
 protected:
  SubmitMailTest() {
    request.mail_options = "bea";
    request.mail_list = {"a@example.org"};
    site.mail.default_domain = "example.org";
    site.mail.sendmail =
        dir.write("sendmail", "#!/bin/sh\nexit 0\n", fs::perms::owner_all).string();
  }
  testing::TempDir dir;
  ge::SubmitRequest request;
  site::SiteConfig site;
  std::vector<std::pair<std::string, std::string>> env{
      {"HOME", "/home/alice"}, {"SECRET", "x"}, {"USER", "alice"}};
};

TEST_F(SubmitMailTest, SettingsForTheSupervisor) {
  auto mail = submit_mail(request, site, env);
  EXPECT_EQ(mail.warning, "");
  ASSERT_TRUE(mail.settings);
  EXPECT_EQ(mail.settings->sendmail, site.mail.sendmail);
  EXPECT_EQ(mail.settings->from, "k8sjobs@example.org");
  EXPECT_EQ(mail.settings->max_recipients, 20);
  EXPECT_EQ(mail.settings->environment,
            (std::vector<std::pair<std::string, std::string>>{
                {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                {"HOME", "/home/alice"},
                {"USER", "alice"}}));
}

TEST_F(SubmitMailTest, NoSettingsWithoutMailOrForContinuousJobs) {
  request.mail_options = "n";
  EXPECT_EQ(submit_mail(request, site, env).settings, std::nullopt);
  request.mail_options = "s";  // asks for mail the local backend never sends
  EXPECT_EQ(submit_mail(request, site, env).settings, std::nullopt);
  request.mail_options = "e";
  request.continuous = true;
  EXPECT_EQ(submit_mail(request, site, env).settings, std::nullopt);
}

TEST_F(SubmitMailTest, AWarningWhenTheProgramCannotRun) {
  site.mail.sendmail = (dir.path() / "missing").string();
  auto mail = submit_mail(request, site, env);
  EXPECT_EQ(mail.settings, std::nullopt);
  EXPECT_EQ(mail.warning,
            "no mail will be sent: " + site.mail.sendmail + " not found (site key mail.sendmail)");
  request.mail_options = "s";
  EXPECT_NE(submit_mail(request, site, env).warning, "");
  request.mail_options = "n";
  EXPECT_EQ(submit_mail(request, site, env).warning, "");
  request.mail_options = "bea";
  request.continuous = true;  // gets no mail in any case
  EXPECT_EQ(submit_mail(request, site, env).warning, "");
  request.continuous = false;
  // Turned off by the site: nothing to warn about on every submission.
  request.mail_options = "bea";
  site.mail.sendmail = "";
  mail = submit_mail(request, site, env);
  EXPECT_EQ(mail.settings, std::nullopt);
  EXPECT_EQ(mail.warning, "");
}

// Records what it was given; fails for recipients named "refuse@...".
class RecordingSender : public mail::MailSender {
 public:
  explicit RecordingSender(std::vector<std::pair<std::string, std::string>>& sent) : sent_(sent) {}
  Expected<std::string, std::string> send(const std::string& recipient,
                                          const std::string& message) override {
    if (recipient.starts_with("refuse@")) return unexpected(std::string("sendmail said no"));
    sent_.emplace_back(recipient, message);
    return std::string("ok");
  }

 private:
  std::vector<std::pair<std::string, std::string>>& sent_;
};

class MailNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store.ensure()); }
  std::unique_ptr<MailNotifier> notifier() {
    LocalMailSettings settings{"/usr/sbin/sendmail", "k8sjobs@example.org", 20, {}};
    return std::make_unique<MailNotifier>(settings, std::nullopt,
                                          std::make_unique<RecordingSender>(sent));
  }
  testing::TempDir dir;
  StateStore store{dir.path() / "state"};
  std::vector<std::pair<std::string, std::string>> sent;
};

TEST_F(MailNotifierTest, EachEventOnceToEachRecipientAlsoAfterARestart) {
  LocalJob job = job_with("bea", TaskPhase::Running);
  job.details.mail_list = "a@example.org,b@example.org";
  ASSERT_TRUE(store.write(job));
  notifier()->notify(store, job.id, kMailTime);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].first, "a@example.org");
  EXPECT_EQ(sent[1].first, "b@example.org");
  const std::string& message = sent[0].second;
  EXPECT_NE(message.find("From: k8sjobs@example.org\r\nTo: a@example.org\r\n"
                         "Subject: Job 12 (crawler) Started\r\n"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("\r\n\r\nJob 12 (crawler) Started\r\n User       = tools.alice\r\n"),
            std::string::npos)
      << message;
  EXPECT_EQ(store.read(job.id)->mail_sent, std::set<std::string>{"0.b"});

  // The same notifier, then a new one (a restarted supervisor), look again: nothing new.
  auto again = notifier();
  notifier()->notify(store, job.id, kMailTime);
  again->notify(store, job.id, kMailTime);
  EXPECT_EQ(sent.size(), 2u);

  ASSERT_TRUE(store.update(job.id, [](LocalJob& stored) {
    stored.tasks[0].phase = TaskPhase::Exited;
    stored.tasks[0].exit_code = 0;
    stored.tasks[0].end_time = kMailTime;
    return true;
  }));
  again->notify(store, job.id, kMailTime);
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_NE(sent[2].second.find("Subject: Job 12 (crawler) Complete\r\n"), std::string::npos);
  EXPECT_EQ(store.read(job.id)->mail_sent, (std::set<std::string>{"0.b", "0.e"}));
  notifier()->notify(store, job.id, kMailTime);
  EXPECT_EQ(sent.size(), 4u);
}

TEST_F(MailNotifierTest, AFailureIsLoggedAndNotRepeated) {
  LocalJob job = job_with("e", TaskPhase::Exited);
  job.details.mail_list = "refuse@example.org,a@example.org";
  ASSERT_TRUE(store.write(job));
  notifier()->notify(store, job.id, kMailTime);
  notifier()->notify(store, job.id, kMailTime);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "a@example.org");
  EXPECT_EQ(testing::read_file(store.log_path(job.id)),
            "k8sjobs: mail \"Job 12 (crawler) Complete\" to refuse@example.org not sent: "
            "sendmail said no\n");
}

}  // namespace
}  // namespace k8sjobs::local
