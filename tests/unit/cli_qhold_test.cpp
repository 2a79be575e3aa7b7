// qhold/qrls command logic over a FakeBackend: Grid Engine's answers, ownership, running jobs.

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "k8sjobs/cli/qhold_command.h"
#include "qstat_fixtures.h"

namespace k8sjobs::testing {
namespace {

using jobs::JobState;
using qstat::fixtures::array_tasks;
using qstat::fixtures::job;
using qstat::fixtures::mixed_jobs;
using qstat::fixtures::task;

auto qhold_cmd = [](cli::CommandIo& io, const cli::CommandContext& c) {
  return cli::run_qhold(cli::HoldAction::Hold, io, c);
};
auto qrls_cmd = [](cli::CommandIo& io, const cli::CommandContext& c) {
  return cli::run_qhold(cli::HoldAction::Release, io, c);
};

class QholdCommand : public CliTest {
 protected:
  void SetUp() override {
    backend.jobs = mixed_jobs();
    backend.jobs.push_back(job(60, "pend", "alice", 0.5, {task(0, JobState::Pending)}));
    jobs::JobRecord array = job(61, "arr3", "alice", 0.5, {});
    array.array = jobs::ArrayRange{1, 3, 1};
    array.tasks =
        array_tasks({{1, JobState::Pending}, {2, JobState::Pending}, {3, JobState::Pending}});
    backend.jobs.push_back(array);
  }
};

TEST_F(QholdCommand, HoldAndReleaseAPendingJob) {
  auto held = run(qhold_cmd, {"60"});
  EXPECT_EQ(held.code, 0);
  EXPECT_EQ(held.out, "modified hold of job 60\n");
  EXPECT_EQ(backend.holds, std::vector<long long>{60});
  EXPECT_EQ(backend.find(60)->tasks[0].state, JobState::Held);

  auto released = run(qrls_cmd, {"pend"});
  EXPECT_EQ(released.code, 0);
  EXPECT_EQ(released.out, "modified hold of job 60\n");
  EXPECT_EQ(backend.releases, std::vector<long long>{60});
  EXPECT_EQ(backend.find(60)->tasks[0].state, JobState::Pending);
}

TEST_F(QholdCommand, NoChangeNoAnswer) {
  ASSERT_EQ(run(qhold_cmd, {"60"}).code, 0);
  auto again = run(qhold_cmd, {"60"});
  EXPECT_EQ(again.code, 0);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(backend.holds.size(), 1u);

  auto release_free = run(qrls_cmd, {"-h", "u", "42"});  // running, never held
  EXPECT_EQ(release_free.code, 0);
  EXPECT_EQ(release_free.out, "");
  EXPECT_TRUE(backend.releases.empty());
}

TEST_F(QholdCommand, ArrayTasksAnsweredOneByOne) {
  auto result = run(qhold_cmd, {"arr3"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out,
            "modified hold of job-array task 61.1\n"
            "modified hold of job-array task 61.2\n"
            "modified hold of job-array task 61.3\n");
}

TEST_F(QholdCommand, RunningJobIsNotStopped) {
  auto result = run(qhold_cmd, {"42"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "qhold: job 42 is already running; on Kubernetes a hold would stop it, so it was "
            "left alone (qdel stops a job)\n");
  EXPECT_TRUE(backend.holds.empty());
}

TEST_F(QholdCommand, OwnershipAndUnknownJobs) {
  auto others = run(qhold_cmd, {"44"});
  EXPECT_EQ(others.code, 1);
  EXPECT_EQ(others.out,
            "denied: \"alice\" must be at least owner of job 44 to change job attributes\n");
  auto unknown = run(qrls_cmd, {"999,badimage"});  // badimage is bob's: names are the caller's
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.out,
            "denied: job \"999\" does not exist\ndenied: job \"badimage\" does not exist\n");
  EXPECT_TRUE(backend.holds.empty());
  EXPECT_TRUE(backend.releases.empty());
}

TEST_F(QholdCommand, UsageErrors) {
  auto none = run(qhold_cmd, {});
  EXPECT_EQ(none.code, 1);
  EXPECT_EQ(none.out, "ERROR! no option argument\n");
  EXPECT_EQ(none.err, cli::qhold_usage(cli::HoldAction::Hold));
  auto bad = run(qrls_cmd, {"-h", "x", "60"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err,
            cli::qhold_usage(cli::HoldAction::Release) + "error: invalid option argument \"x\"\n");
  EXPECT_EQ(backend_opens, 0);
  EXPECT_NE(cli::qhold_usage(cli::HoldAction::Release).find("usage: qrls "), std::string::npos);
}

TEST_F(QholdCommand, BackendFailure) {
  backend.change_error = jobs::BackendError{"jobs.batch \"pend-60\" is forbidden", 1};
  auto result = run(qhold_cmd, {"60"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "qhold: jobs.batch \"pend-60\" is forbidden\n");
}

TEST_F(QholdCommand, WhatTheBackendSkippedIsAWarningAndHugeNumbersAreNames) {
  backend.warnings = {
      "ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job number"};
  auto result = run(qhold_cmd, {"99999999999999999999"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "denied: job \"99999999999999999999\" does not exist\n");
  EXPECT_EQ(result.err,
            "qhold: warning: ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job "
            "number\n");
}

}  // namespace
}  // namespace k8sjobs::testing
