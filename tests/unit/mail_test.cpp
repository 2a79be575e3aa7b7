// SPDX-License-Identifier: Apache-2.0
// Grid Engine's mail: the event decision from JobRecords, the exact text of each mail, the
// batching per recipient, recipient validation and the outbox encoding (with garbage).
#include <gtest/gtest.h>

#include "k8sjobs/controller/mail_decision.h"
#include "k8sjobs/controller/mail_outbox.h"
#include "k8sjobs/mail/mail_address.h"
#include "k8sjobs/mail/mail_event.h"
#include "k8sjobs/mail/mail_message.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs {
namespace {

using controller::decide_mail_events;
using controller::MailFacts;
using jobs::JobRecord;
using jobs::JobState;
using mail::MailEvent;
using mail::MailEventKind;

std::chrono::system_clock::time_point at(const char* text) {
  return *text::parse_rfc3339(text);
}

JobRecord record(const std::string& options, JobState state) {
  JobRecord job;
  job.id = 8968283;
  job.name = "myscript.sh";
  job.owner = "alice";
  job.mail_options = options;
  jobs::TaskRecord task;
  task.state = state;
  task.node = "qb3-ad4";
  if (state != JobState::Pending) task.start_time = at("2019-11-14T00:07:00Z");
  if (state == JobState::Succeeded) task.exit_code = 0;
  job.tasks.push_back(task);
  return job;
}

MailEvent end_event() {
  MailEvent event;
  event.kind = MailEventKind::End;
  event.job_id = 8968283;
  event.job_name = "myscript.sh";
  event.user = "alice";
  event.queue = "long.q";
  event.host = "qb3-ad4";
  event.start_time = at("2019-11-14T00:07:00Z");
  event.end_time = at("2019-11-14T00:07:01Z");
  event.max_vmem_bytes = 5672796;  // 5.410M
  return event;
}

TEST(MailText, BeginIsGridEnginesExactText) {
  MailEvent event = end_event();
  event.kind = MailEventKind::Begin;
  EXPECT_EQ(mail::ge_subject(event), "Job 8968283 (myscript.sh) Started");
  EXPECT_EQ(mail::ge_body(event),
            "Job 8968283 (myscript.sh) Started\n User       = alice\n Queue      = long.q\n"
            " Host       = qb3-ad4\n Start Time = 11/14/2019 00:07:00\n");
}

TEST(MailText, EndIsGridEnginesExactText) {
  EXPECT_EQ(mail::ge_subject(end_event()), "Job 8968283 (myscript.sh) Complete");
  EXPECT_EQ(mail::ge_body(end_event()),
            "Job 8968283 (myscript.sh) Complete\n User             = alice\n"
            " Queue            = long.q@qb3-ad4\n Host             = qb3-ad4\n"
            " Start Time       = 11/14/2019 00:07:00\n End Time         = 11/14/2019 00:07:01\n"
            " User Time        = 00:00:00\n System Time      = 00:00:00\n"
            " Wallclock Time   = 00:00:01\n CPU              = 00:00:00\n"
            " Max vmem         = 5.410M\n Exit Status      = 0");
  MailEvent task = end_event();
  task.array_task = true;
  task.task_id = 2;
  EXPECT_EQ(mail::ge_subject(task), "Job-array task 8968283.2 (myscript.sh) Complete");
}

TEST(MailText, AbortAndUnknownValuesUseGridEnginesZeroForms) {
  MailEvent event = end_event();
  event.kind = MailEventKind::Abort;
  event.exit_status = 137;
  event.signal = 9;
  event.max_vmem_bytes.reset();
  event.failed_reason = "100 : assumedly after job";
  event.failed_text = "job 8968283.1 was deleted (qdel) before it finished";
  EXPECT_EQ(mail::ge_body(event),
            "Job 8968283 (myscript.sh) Aborted\n Exit Status      = 137\n Signal           = KILL\n"
            " User             = alice\n Queue            = long.q@qb3-ad4\n"
            " Host             = qb3-ad4\n Start Time       = 11/14/2019 00:07:00\n"
            " End Time         = 11/14/2019 00:07:01\n CPU              = 00:00:00\n"
            " Max vmem         = 0.000\nfailed 100 : assumedly after job because:\n"
            "job 8968283.1 was deleted (qdel) before it finished");
  EXPECT_EQ(mail::ge_memory(1024LL * 1024 * 1024), "1.000G");
  EXPECT_EQ(mail::ge_duration(std::chrono::seconds(360000)), "100:00:00");
}

TEST(MailText, ControlCharactersOfANameNeverReachTheSubject) {
  MailEvent event = end_event();
  event.job_name = "x\r\nBcc: eve@example.org";
  EXPECT_EQ(mail::ge_subject(event), "Job 8968283 (x??Bcc: eve@example.org) Complete");
}

TEST(MailDecision, BeginAndEndFromTheRecordOnce) {
  const auto now = at("2019-11-14T00:10:00Z");
  MailFacts facts;
  facts.end_time = at("2019-11-14T00:08:00Z");
  auto events = decide_mail_events(record("be", JobState::Succeeded), facts, false, now);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, MailEventKind::Begin);
  EXPECT_EQ(events[1].kind, MailEventKind::End);
  EXPECT_EQ(events[1].end_time, facts.end_time);
  EXPECT_EQ(events[1].queue, "task");
  facts.queued = {"0.b", "0.e"};
  EXPECT_TRUE(decide_mail_events(record("be", JobState::Succeeded), facts, false, now).empty());
}

TEST(MailDecision, NothingWithoutLettersOrBeforeItStarts) {
  const auto now = at("2019-11-14T00:10:00Z");
  EXPECT_TRUE(decide_mail_events(record("", JobState::Succeeded), {}, false, now).empty());
  EXPECT_TRUE(decide_mail_events(record("n", JobState::Succeeded), {}, false, now).empty());
  EXPECT_TRUE(decide_mail_events(record("b", JobState::Pending), {}, false, now).empty());
  // The kubelet set a start time, the image is still being pulled: not begun.
  EXPECT_TRUE(decide_mail_events(record("b", JobState::Starting), {}, false, now).empty());
  EXPECT_EQ(decide_mail_events(record("b", JobState::Running), {}, false, now).size(), 1u);
  auto running = decide_mail_events(record("e", JobState::Running), {}, false, now);
  EXPECT_TRUE(running.empty());
}

TEST(MailDecision, FailedWithAnExitCodeIsAnEndMail) {
  JobRecord job = record("e", JobState::Failed);
  job.tasks[0].exit_code = 3;
  auto events = decide_mail_events(job, {}, false, at("2019-11-14T00:10:00Z"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MailEventKind::End);
  EXPECT_EQ(events[0].exit_status, 3);
}

TEST(MailDecision, AbortForQdelDeadlineAndFailureWithoutExitCode) {
  const auto now = at("2019-11-14T00:10:00Z");
  auto deleting = decide_mail_events(record("a", JobState::Deleting), {}, false, now);
  ASSERT_EQ(deleting.size(), 1u);
  EXPECT_EQ(deleting[0].kind, MailEventKind::Abort);
  EXPECT_EQ(deleting[0].signal, 9);

  auto gone = decide_mail_events(record("a", JobState::Pending), {}, true, now);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].failed_reason, "before job");

  JobRecord deadline = record("ae", JobState::Failed);
  deadline.tasks[0].exit_code = 137;
  deadline.error_reason = "DeadlineExceeded: Job was active longer than specified deadline";
  auto killed = decide_mail_events(deadline, {}, false, now);
  ASSERT_EQ(killed.size(), 1u);
  EXPECT_EQ(killed[0].kind, MailEventKind::Abort);
  EXPECT_NE(killed[0].failed_text.find("h_rt"), std::string::npos);

  JobRecord failed = record("a", JobState::Failed);
  failed.error_reason = "BackoffLimitExceeded: x";
  auto no_code = decide_mail_events(failed, {}, false, now);
  ASSERT_EQ(no_code.size(), 1u);
  EXPECT_EQ(no_code[0].kind, MailEventKind::Abort);
}

TEST(MailDecision, QueuedMarksAreReadFromTheAnnotationGarbageIgnored) {
  nlohmann::json job = {
      {"metadata", {{"annotations", {{controller::kMailQueuedAnnotation, "0.b,x.e,,1.z,2.a"}}}}},
      {"status", {{"completionTime", "2019-11-14T00:08:00Z"}}}};
  MailFacts facts = controller::read_mail_facts(job);
  EXPECT_EQ(facts.queued, (std::set<std::string>{"0.b", "2.a"}));
  EXPECT_EQ(facts.end_time, at("2019-11-14T00:08:00Z"));
  EXPECT_EQ(controller::queued_annotation(facts.queued), "0.b,2.a");
  EXPECT_TRUE(controller::read_mail_facts(nlohmann::json(42)).queued.empty());
}

TEST(MailAddress, OnlyPlausibleAddressesUpToTheLimit) {
  EXPECT_TRUE(mail::plausible_address("alice@toolforge.org"));
  EXPECT_TRUE(mail::plausible_address("tools.x+y@example.org"));
  EXPECT_FALSE(mail::plausible_address("alice@toolforge.org\r\nRCPT TO:<eve@x.org>"));
  EXPECT_FALSE(mail::plausible_address("alice smith@x.org"));
  EXPECT_FALSE(mail::plausible_address("alice"));
  EXPECT_FALSE(mail::plausible_address("<a@b.org>"));
  EXPECT_FALSE(mail::plausible_address("a@-b.org"));
  auto recipients = mail::parse_recipients("a@x.org, b@x.org,a@x.org,bad\x1b[31m,c@x.org", 2);
  EXPECT_EQ(recipients.accepted, (std::vector<std::string>{"a@x.org", "b@x.org"}));
  ASSERT_EQ(recipients.rejected.size(), 2u);
  EXPECT_EQ(recipients.rejected[0].find('\x1b'), std::string::npos);
}

TEST(MailOutbox, EntriesRoundTripAndGarbageIsRefused) {
  auto entry =
      controller::outbox_entry(end_event(), {"alice@toolforge.org"}, at("2019-11-14T00:08:00Z"));
  EXPECT_EQ(entry.key, "8968283.0.e");
  auto decoded = controller::decode_outbox_entry(entry.key, controller::encode_outbox_entry(entry));
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->recipients, entry.recipients);
  EXPECT_EQ(decoded->queued_at, entry.queued_at);
  EXPECT_EQ(decoded->body, mail::ge_body(end_event()));

  const std::string good = controller::encode_outbox_entry(entry);
  EXPECT_FALSE(controller::decode_outbox_entry("8968283.0.x", good));
  EXPECT_FALSE(controller::decode_outbox_entry("abc.0.e", good));
  EXPECT_FALSE(controller::decode_outbox_entry("1.0.e", "{not json"));
  EXPECT_FALSE(controller::decode_outbox_entry("1.0.e", "[]"));
  EXPECT_FALSE(controller::decode_outbox_entry(
      "1.0.e",
      R"({"to":["a@x.org\r\nX: y"],"queued":"2019-11-14T00:08:00Z","subject":"s","body":"b"})"));
  EXPECT_FALSE(controller::decode_outbox_entry(
      "1.0.e", R"({"to":["a@x.org"],"queued":"yesterday","subject":"s","body":"b"})"));
  EXPECT_FALSE(controller::decode_outbox_entry(
      "1.0.e", R"({"to":"a@x.org","queued":"2019-11-14T00:08:00Z","subject":"s","body":"b"})"));
}

TEST(MailBatching, OneMailPerRecipientOnceTheOldestEventWaitedTheWindow) {
  const auto t0 = at("2019-11-14T00:08:00Z");
  MailEvent begin = end_event();
  begin.kind = MailEventKind::Begin;
  MailEvent other = end_event();
  other.job_id = 8968284;
  std::vector<controller::OutboxEntry> entries{
      controller::outbox_entry(other, {"alice@x.org"}, t0 + std::chrono::seconds(30)),
      controller::outbox_entry(end_event(), {"alice@x.org", "bob@x.org"}, t0),
      controller::outbox_entry(begin, {"alice@x.org"}, t0),
  };
  EXPECT_TRUE(
      controller::due_batches(entries, t0 + std::chrono::seconds(59), std::chrono::seconds(60))
          .empty());
  auto batches =
      controller::due_batches(entries, t0 + std::chrono::seconds(60), std::chrono::seconds(60));
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].recipient, "alice@x.org");
  EXPECT_EQ(batches[0].keys,
            (std::vector<std::string>{"8968283.0.b", "8968283.0.e", "8968284.0.e"}));
  EXPECT_EQ(batches[0].mail.subject, "k8sjobs: 3 job events");
  EXPECT_EQ(batches[0].mail.body.find("Job 8968283 (myscript.sh) Started\n"), 0u);
  EXPECT_EQ(batches[1].recipient, "bob@x.org");
  EXPECT_EQ(batches[1].mail.subject, "Job 8968283 (myscript.sh) Complete");
}

TEST(MailMessage, HeadersAndCrlfLines) {
  mail::Envelope envelope{"k8sjobs@toolforge.org", "alice@toolforge.org", "<1.2@toolforge.org>",
                          at("2026-12-04T12:41:12Z")};
  std::string message = mail::render_message(envelope, {"Job 1 (x) Started", "a\nb\r\x07"});
  EXPECT_EQ(message,
            "Date: Fri, 04 Dec 2026 12:41:12 +0000\r\nFrom: k8sjobs@toolforge.org\r\n"
            "To: alice@toolforge.org\r\nSubject: Job 1 (x) Started\r\n"
            "Message-ID: <1.2@toolforge.org>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n"
            "Auto-Submitted: auto-generated\r\n\r\na\r\nb??\r\n");
}

}  // namespace
}  // namespace k8sjobs

namespace k8sjobs::mail {
namespace {

// One reading of -m for both backends: b, e and a ask for mail, each once, in order; n, s and
// anything else send nothing.
TEST(MailLetters, OnlyBeginEndAndAbortAskForMail) {
  EXPECT_EQ(requested_letters("bea"), "bea");
  EXPECT_EQ(requested_letters("aeb"), "aeb");
  EXPECT_EQ(requested_letters("beeab"), "bea");
  EXPECT_EQ(requested_letters("n"), "");
  EXPECT_EQ(requested_letters("s"), "");
  EXPECT_EQ(requested_letters(""), "");
  EXPECT_EQ(requested_letters("xz\xff"), "");
}

}  // namespace
}  // namespace k8sjobs::mail
