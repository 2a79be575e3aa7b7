// SPDX-License-Identifier: Apache-2.0
// Which finished Jobs the controller accounts and the records it builds from them (the
// recorded Job and pod fixtures of a real cluster), and the records of the builder itself.
#include <gtest/gtest.h>

#include "k8sjobs/acct/record_builder.h"
#include "k8sjobs/controller/accounting_decision.h"
#include "support/build_paths.h"
#include "support/recorded_objects.h"
#include "support/temp_dir.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

TEST(ControllerAccountingDecision, AFinishedJobGetsOneRecordFromItsPod) {
  auto items = controller::decide_accounting({testing::recorded_object("job-complete")},
                                             {testing::recorded_object("pod-succeeded")});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].namespace_name, "tool-alice");
  EXPECT_EQ(items[0].job_name, "fx-job");
  ASSERT_EQ(items[0].records.size(), 1u);
  const acct::AccountingRecord& record = items[0].records[0];
  EXPECT_EQ(record.key, "tool-alice/e79e3233-4965-4632-b20f-031976de9189/0");
  EXPECT_EQ(record.jobnumber, 102);
  EXPECT_EQ(record.jobname, "fx-done");
  EXPECT_EQ(record.owner, "tools.alice");
  EXPECT_EQ(record.qname, "task");
  EXPECT_EQ(record.hostname, "sim-node-1");
  EXPECT_EQ(record.exit_status, 0);
  EXPECT_EQ(record.failed, 0);
  EXPECT_EQ(record.ru_wallclock, 4);  // startedAt 14:54:37, finishedAt 14:54:41
}

TEST(ControllerAccountingDecision, AFailedJobKeepsItsExitCode) {
  auto items = controller::decide_accounting({testing::recorded_object("job-failed")},
                                             {testing::recorded_object("pod-failed")});
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].records.size(), 1u);
  EXPECT_NE(items[0].records[0].exit_status, 0);
}

TEST(ControllerAccountingDecision, RunningAccountedAndForeignJobsAreLeftAlone) {
  json accounted = testing::recorded_object("job-complete");
  accounted["metadata"]["annotations"][controller::kAccountedAnnotation] = "true";
  json foreign = testing::recorded_object("job-complete");
  foreign["metadata"]["labels"].erase("app.kubernetes.io/managed-by");
  json no_uid = testing::recorded_object("job-complete");
  no_uid["metadata"].erase("uid");
  EXPECT_TRUE(controller::decide_accounting({testing::recorded_object("job-running")},
                                            {testing::recorded_object("pod-running")})
                  .empty());
  EXPECT_TRUE(
      controller::decide_accounting({accounted}, {testing::recorded_object("pod-succeeded")})
          .empty());
  EXPECT_TRUE(controller::decide_accounting({foreign}, {testing::recorded_object("pod-succeeded")})
                  .empty());
  EXPECT_TRUE(
      controller::decide_accounting({no_uid}, {testing::recorded_object("pod-succeeded")}).empty());
}

jobs::JobRecord finished_array_job() {
  jobs::JobRecord job;
  job.id = 9;
  job.name = "arr";
  job.owner = "alice";
  job.array = jobs::ArrayRange{1, 2, 1};
  job.hard_resources = {{"h_vmem", "1G"}, {"h_rt", "300"}};
  job.submission_time = acct::TimePoint(std::chrono::seconds(100));
  jobs::TaskRecord ok;
  ok.task_id = 1;
  ok.state = jobs::JobState::Succeeded;
  ok.exit_code = 0;
  ok.start_time = acct::TimePoint(std::chrono::seconds(110));
  ok.end_time = acct::TimePoint(std::chrono::seconds(170));
  jobs::TaskRecord killed = ok;
  killed.task_id = 2;
  killed.state = jobs::JobState::Failed;
  killed.exit_code = 137;
  killed.signal = 9;
  job.tasks = {ok, killed};
  return job;
}

TEST(AcctRecordBuilder, OneRecordPerTaskWithGridEnginesFailureCodes) {
  auto records = acct::records_of_finished_job(finished_array_job(), "ns/uid");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "ns/uid/1");
  EXPECT_EQ(records[0].taskid, 1);
  EXPECT_EQ(records[0].group, "alice");
  EXPECT_EQ(records[0].ru_wallclock, 60);
  EXPECT_EQ(records[0].granted, "-l h_vmem=1G,h_rt=300");
  EXPECT_EQ(records[1].failed, 100);
  EXPECT_EQ(records[1].exit_status, 137);
}

TEST(AcctRecordBuilder, AnUnfinishedOrContinuousJobHasNoRecords) {
  jobs::JobRecord job = finished_array_job();
  job.tasks[1].state = jobs::JobState::Running;
  EXPECT_TRUE(acct::records_of_finished_job(job, "ns/uid").empty());
  job = finished_array_job();
  job.continuous = true;
  EXPECT_TRUE(acct::records_of_finished_job(job, "ns/uid").empty());
  job.tasks.clear();
  job.continuous = false;
  EXPECT_TRUE(acct::records_of_finished_job(job, "ns/uid").empty());
}

TEST(AcctRecordBuilder, ATaskThatNeverStartedFailedBeforeTheJob) {
  jobs::JobRecord job = finished_array_job();
  job.array.reset();
  job.tasks.resize(1);
  job.tasks[0].task_id = 0;
  job.tasks[0].state = jobs::JobState::Failed;
  job.tasks[0].exit_code.reset();
  job.tasks[0].start_time.reset();
  job.tasks[0].end_time.reset();
  auto records = acct::records_of_finished_job(job, "local/9");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, "local/9/0");
  EXPECT_EQ(records[0].failed, 1);
  EXPECT_EQ(records[0].ru_wallclock, 0);
}

}  // namespace
}  // namespace k8sjobs::testing
