// qdel's command logic over a FakeBackend: targets, ownership, task ranges, answers, exit codes.

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "k8sjobs/cli/qdel_command.h"
#include "qstat_fixtures.h"

namespace k8sjobs::testing {
namespace {

using jobs::JobState;
using qstat::fixtures::job;
using qstat::fixtures::mixed_jobs;
using qstat::fixtures::task;

auto qdel_cmd = [](cli::CommandIo& io, const cli::CommandContext& c) {
  return cli::run_qdel(io, c);
};

class QdelCommand : public CliTest {
 protected:
  void SetUp() override {
    backend.jobs = mixed_jobs();
    backend.jobs.push_back(job(60, "pend", "alice", 0.5, {task(0, JobState::Pending)}));
  }
};

TEST_F(QdelCommand, RunningJobIsRegisteredForDeletion) {
  auto result = run(qdel_cmd, {"42"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "alice has registered the job 42 for deletion\n");
  EXPECT_EQ(result.err, "");
  ASSERT_EQ(backend.removals.size(), 1u);
  EXPECT_EQ(backend.removals[0].id, 42);
  EXPECT_TRUE(backend.removals[0].tasks.empty());
  EXPECT_FALSE(backend.removals[0].force);
}

TEST_F(QdelCommand, PendingJobIsDeleted) {
  auto result = run(qdel_cmd, {"60"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "alice has deleted job 60\n");
  EXPECT_EQ(backend.find(60), nullptr);
}

TEST_F(QdelCommand, UnknownJobIsAnErrorButOthersStillGo) {
  auto result = run(qdel_cmd, {"999", "60"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "denied: job \"999\" does not exist\nalice has deleted job 60\n");
}

TEST_F(QdelCommand, FinishedJobDoesNotExistAnyMore) {
  auto result = run(qdel_cmd, {"51"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "denied: job \"51\" does not exist\n");
  EXPECT_TRUE(backend.removals.empty());
}

TEST_F(QdelCommand, AnotherUsersJobIsRefused) {
  auto result = run(qdel_cmd, {"44"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out,
            "alice - you do not have the necessary privileges to delete the job \"44\"\n");
  EXPECT_TRUE(backend.removals.empty());
}

TEST_F(QdelCommand, NamesMatchOnlyTheCallersJobs) {
  auto own = run(qdel_cmd, {"hostname"});
  EXPECT_EQ(own.code, 0);
  EXPECT_EQ(own.out, "alice has registered the job 42 for deletion\n");

  auto others = run(qdel_cmd, {"badimage"});
  EXPECT_EQ(others.code, 1);
  EXPECT_EQ(others.out, "The job badimage of user(s) alice does not exist\n");

  auto with_u = run(qdel_cmd, {"-u", "bob", "badimage"});
  EXPECT_EQ(with_u.code, 1);
  EXPECT_EQ(with_u.out,
            "alice - you do not have the necessary privileges to delete the job \"44\"\n");
  EXPECT_EQ(backend.removals.size(), 1u);  // only hostname
}

TEST_F(QdelCommand, PatternsDeleteEveryMatchingJob) {
  auto result = run(qdel_cmd, {"[hp]*"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "alice has registered the job 42 for deletion\nalice has deleted job 60\n");
}

TEST_F(QdelCommand, UserOptionAlone) {
  auto none = run(qdel_cmd, {"-u", "nobody"});
  EXPECT_EQ(none.code, 1);
  EXPECT_EQ(none.out, "There is no job registered for the following users: nobody\n");

  auto carol = run(qdel_cmd, {"-u", "carol"});
  EXPECT_EQ(carol.code, 1);
  EXPECT_EQ(carol.out,
            "alice - you do not have the necessary privileges to delete the job \"45\"\n"
            "alice - you do not have the necessary privileges to delete the job \"53\"\n");
  EXPECT_TRUE(backend.removals.empty());
}

TEST_F(QdelCommand, NoArgumentIsUsageAndError) {
  auto result = run(qdel_cmd, {});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "ERROR! no option argument\n");
  EXPECT_EQ(result.err, cli::qdel_usage());
  EXPECT_EQ(backend_opens, 0);
}

TEST_F(QdelCommand, AlreadyInDeletionIsNotAnErrorAndForceGoesAhead) {
  user = "bob";
  auto again = run(qdel_cmd, {"48"});
  EXPECT_EQ(again.code, 0);
  EXPECT_EQ(again.out, "job 48 is already in deletion\n");

  auto forced = run(qdel_cmd, {"-f", "48"});
  EXPECT_EQ(forced.code, 0);
  EXPECT_EQ(forced.out, "bob has registered the job 48 for deletion\n");
  EXPECT_TRUE(backend.removals.back().force);
}

TEST_F(QdelCommand, InvalidIdentifier) {
  auto result = run(qdel_cmd, {"42.x"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "ERROR! \"42.x\" is an invalid job-task identifier\n");
}

TEST_F(QdelCommand, TaskRangeCoveringEveryRemainingTaskDeletesTheJob) {
  auto result = run(qdel_cmd, {"43.3-10"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "alice has registered the job-array task 43.3 for deletion\n"
            "alice has registered the job-array task 43.4 for deletion\n"
            "alice has deleted job-array tasks 5-10:1 of job 43\n");
  ASSERT_EQ(backend.removals.size(), 1u);
  EXPECT_TRUE(backend.removals[0].tasks.empty());  // the whole Indexed Job
}

TEST_F(QdelCommand, SomeTasksWhenTheBackendCan) {
  backend.single_tasks_removable = true;
  auto pending = run(qdel_cmd, {"43.5-7"});
  EXPECT_EQ(pending.code, 0);
  EXPECT_EQ(pending.out, "alice has deleted job-array tasks 5-7:1 of job 43\n");
  EXPECT_EQ(backend.removals.back().tasks, (std::vector<int>{5, 6, 7}));

  auto one = run(qdel_cmd, {"43.9"});
  EXPECT_EQ(one.out, "alice has deleted job-array task 43.9\n");
  auto running = run(qdel_cmd, {"43.3"});
  EXPECT_EQ(running.out, "alice has registered the job-array task 43.3 for deletion\n");
}

TEST_F(QdelCommand, SomeTasksWhenTheBackendCannotSaysWhy) {
  auto result = run(qdel_cmd, {"43.5-7"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "qdel: single tasks cannot be deleted\n");
}

TEST_F(QdelCommand, MissingTask) {
  auto result = run(qdel_cmd, {"43.1"});  // task 1 has finished
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "job \"43\" task \"1\" does not exist\n");
  EXPECT_TRUE(backend.removals.empty());
  auto single = run(qdel_cmd, {"42.1"});  // a non-array job's only task is task 1
  EXPECT_EQ(single.out, "alice has registered the job 42 for deletion\n") << single.err;
}

TEST_F(QdelCommand, BackendFailures) {
  backend.change_error = jobs::BackendError{"cannot reach the Kubernetes API server", 1};
  auto removing = run(qdel_cmd, {"42", "60"});
  EXPECT_EQ(removing.code, 1);
  EXPECT_EQ(removing.out, "");
  EXPECT_EQ(removing.err,
            "qdel: cannot reach the Kubernetes API server\n"
            "qdel: cannot reach the Kubernetes API server\n");

  backend.list_error = jobs::BackendError{
      "the server has asked for the client to provide "
      "credentials",
      1};
  auto listing = run(qdel_cmd, {"42"});
  EXPECT_EQ(listing.code, 1);
  EXPECT_EQ(listing.err, "qdel: the server has asked for the client to provide credentials\n");
}

TEST_F(QdelCommand, WhatTheBackendSkippedIsAWarning) {
  backend.warnings = {
      "ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job number"};
  auto result = run(qdel_cmd, {"60"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "alice has deleted job 60\n");
  EXPECT_EQ(result.err,
            "qdel: warning: ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job "
            "number\n");
}

TEST_F(QdelCommand, JobNumbersTooLargeOrNamesThatAreNotThereGetGridEnginesAnswers) {
  auto result =
      run(qdel_cmd, {"99999999999999999999", "abc", "9223372036854775807", "1.99999999999"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out,
            "ERROR! \"99999999999999999999\" is an invalid job-task identifier\n"
            "The job abc of user(s) alice does not exist\n"
            "denied: job \"9223372036854775807\" does not exist\n"
            "ERROR! \"1.99999999999\" is an invalid job-task identifier\n");
  EXPECT_TRUE(backend.removals.empty());
}

}  // namespace
}  // namespace k8sjobs::testing
