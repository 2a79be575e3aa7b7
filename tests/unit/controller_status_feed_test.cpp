// SPDX-License-Identifier: Apache-2.0
// What the controller feeds the status page and /metrics beside the snapshot: the tasks finished
// within the hour, remembered after their Job is gone and read from the accounting records
// (StatusFeed over a fake backend and clock), submissions, completions and failures as its
// watch sees them (JobLifecycle), and the field selector of a job's Events.

#include <gtest/gtest.h>

#include <sstream>

#include "k8sjobs/controller/job_events_reader.h"
#include "k8sjobs/controller/job_lifecycle.h"
#include "k8sjobs/controller/mail_controller.h"
#include "k8sjobs/controller/status_feed.h"
#include "k8sjobs/log.h"
#include "k8sjobs/status/controller_metrics.h"
#include "support/fake_backend.h"
#include "support/fake_clock.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;

kube::WatchEvent event(const std::string& type, const std::string& uid,
                       const std::string& condition = "") {
  json object = {{"metadata", {{"uid", uid}, {"namespace", "tool-a"}}}};
  if (!condition.empty()) {
    object["status"]["conditions"] =
        json::array({{{"type", "SuccessCriteriaMet"}, {"status", "True"}},
                     {{"type", condition}, {"status", "True"}}});
  }
  return {type, object};
}

struct Counts {
  int submitted = 0, completed = 0, failed = 0;
  bool operator==(const Counts&) const = default;
};

Counts feed(JobLifecycle& lifecycle, const std::vector<kube::WatchEvent>& events,
            bool deployment = false) {
  Counts counts;
  for (const auto& e : events) {
    auto change = lifecycle.observe(e, deployment);
    counts.submitted += change.submitted;
    counts.completed += change.completed;
    counts.failed += change.failed;
    if (change.submitted || change.completed || change.failed) {
      EXPECT_EQ(change.ns, "tool-a");
    }
  }
  return counts;
}

jobs::JobRecord finished_job(long long id, jobs::TimePoint end) {
  jobs::JobRecord job;
  job.id = id;
  job.name = "j" + std::to_string(id);
  job.owner = "tools.a";
  job.backend_namespace = "tool-a";
  jobs::TaskRecord task;
  task.state = jobs::JobState::Succeeded;
  task.end_time = end;
  job.tasks.push_back(task);
  return job;
}

acct::AccountingRecord accounted(long long id, jobs::TimePoint end) {
  acct::AccountingRecord record;
  record.key = "tool-a/uid-" + std::to_string(id) + "/0";
  record.jobnumber = id;
  record.owner = "tools.a";
  record.end_time = end;
  return record;
}

struct Feed {
  testing::FakeClock clock;
  status::StatusBoard board;
  status::MetricsRegistry metrics;
  testing::FakeBackend* backend = nullptr;
  std::unique_ptr<StatusFeed> feed;

  Feed() {
    status::metric::describe_controller_metrics(metrics);
    auto fake = std::make_unique<testing::FakeBackend>();
    backend = fake.get();
    std::vector<std::unique_ptr<jobs::JobBackend>> backends;
    backends.push_back(std::move(fake));
    feed = std::make_unique<StatusFeed>(std::move(backends), clock, board, metrics,
                                        std::chrono::seconds(5));
  }
  int finished_last_hour() {
    EXPECT_TRUE(feed->refresh());
    const auto* space = board.current()->find_namespace("tool-a");
    return space == nullptr ? 0 : space->finished_last_hour;
  }
};

TEST(StatusFeed, FinishedTasksAreRememberedForTheHourAfterTheirJobIsGone) {
  Feed feed;
  const auto now = feed.clock.now();
  // Before this process: one job accounted and gone, one too old; one finished Job still there
  // and also accounted (counted once).
  feed.backend->accounting = {accounted(1, now - std::chrono::minutes(30)),
                              accounted(2, now - std::chrono::minutes(61)),
                              accounted(3, now - std::chrono::minutes(5))};
  feed.backend->jobs = {finished_job(3, now - std::chrono::minutes(5))};
  EXPECT_EQ(feed.finished_last_hour(), 2);
  // A job seen finished, then removed by its TTL before the accounting is read again.
  feed.clock.advance(std::chrono::minutes(1));
  feed.backend->jobs.push_back(finished_job(4, feed.clock.now()));
  EXPECT_EQ(feed.finished_last_hour(), 3);
  feed.backend->jobs.clear();
  feed.backend->accounting.clear();
  feed.clock.advance(std::chrono::seconds(5));
  EXPECT_EQ(feed.finished_last_hour(), 3);
  // An hour later nothing is left.
  feed.clock.advance(std::chrono::minutes(61));
  EXPECT_EQ(feed.finished_last_hour(), 0);
  EXPECT_NE(feed.metrics.exposition().find("k8sjobs_status_snapshot_duration_seconds_count 4"),
            std::string::npos);
}

TEST(StatusFeed, AccountingIsReadAtStartAndEveryTenMinutesAndMayFail) {
  std::ostringstream log;
  LoggingScope logging("k8sjobs-controller", LogLevel::Warning, &log);
  Feed feed;
  feed.backend->accounting_error = jobs::BackendError{"configmaps is forbidden", 1};
  EXPECT_EQ(feed.finished_last_hour(), 0);  // the page stays up
  EXPECT_NE(log.str().find("status page: accounting records: configmaps is forbidden"),
            std::string::npos)
      << log.str();
  feed.backend->accounting_error.reset();
  feed.backend->accounting = {accounted(1, feed.clock.now())};
  feed.clock.advance(std::chrono::minutes(9));
  EXPECT_EQ(feed.finished_last_hour(), 0);  // not read again yet
  feed.clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(feed.finished_last_hour(), 1);
}

TEST(JobLifecycle, TheFirstListCountsNothingLaterChangesCountOnce) {
  JobLifecycle lifecycle;
  // The first LIST: one running, one already finished.
  EXPECT_EQ(feed(lifecycle, {event("SYNC", "a"), event("SYNC", "b", "Complete")}), Counts{});
  EXPECT_EQ(feed(lifecycle, {event("ADDED", "c"), event("MODIFIED", "c"),
                             event("MODIFIED", "c", "Complete"), event("MODIFIED", "c", "Complete"),
                             event("MODIFIED", "a", "Failed"), event("MODIFIED", "b", "Complete")}),
            (Counts{1, 1, 1}));
  // A relist after a gap: a job created and finished meanwhile counts; known ones do not.
  EXPECT_EQ(feed(lifecycle, {event("SYNC", "a", "Failed"), event("SYNC", "d", "Complete"),
                             event("SYNC", "c", "Complete")}),
            (Counts{1, 1, 0}));
  // Deleted and created again under the same uid cannot happen; a new object is new.
  EXPECT_EQ(feed(lifecycle, {event("DELETED", "c", "Complete"), event("ADDED", "e", "Failed")}),
            (Counts{1, 0, 1}));
  EXPECT_EQ(feed(lifecycle, {event("BOOKMARK", ""), event("MODIFIED", "")}), Counts{});
}

TEST(JobLifecycle, ADeploymentIsSubmittedButNeverFinishes) {
  JobLifecycle lifecycle;
  EXPECT_EQ(feed(lifecycle, {event("ADDED", "x"), event("MODIFIED", "x", "Complete")}, true),
            (Counts{1, 0, 0}));
}

TEST(MailMetrics, APassCountsQueuedEventsSentMailsAndFailedSendsOnly) {
  status::MetricsRegistry metrics;
  status::metric::describe_controller_metrics(metrics);
  MailPassSummary pass;
  pass.queued = 3;
  pass.sent = 1;
  pass.pending = 2;
  pass.failed = 3;  // a failed outbox write counts here, not as a failed send
  pass.send_failed = 1;
  record_mail_pass(pass, metrics);
  record_mail_pass(pass, metrics);
  const std::string text = metrics.exposition();
  EXPECT_NE(text.find("k8sjobs_mail_events_queued_total 6\n"), std::string::npos) << text;
  EXPECT_NE(text.find("k8sjobs_mail_sent_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("k8sjobs_mail_send_failures_total 2\n"), std::string::npos);
}

TEST(JobEventsReader, FieldSelectorEscapesTheName) {
  EXPECT_EQ(events_field_selector("Pod", "x-7f9c2"),
            "involvedObject.kind=Pod,involvedObject.name=x-7f9c2");
  EXPECT_EQ(events_field_selector("Job", "a,b=c\\d"),
            "involvedObject.kind=Job,involvedObject.name=a\\,b\\=c\\\\d");
}

}  // namespace
}  // namespace k8sjobs::controller
