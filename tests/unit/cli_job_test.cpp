// Toolforge's job and jstop over a FakeBackend: answers and exit codes from toolforge.md.

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "k8sjobs/cli/job_command.h"
#include "qstat_fixtures.h"

namespace k8sjobs::testing {
namespace {

using jobs::JobState;
using qstat::fixtures::job;
using qstat::fixtures::mixed_jobs;
using qstat::fixtures::task;

auto job_cmd = [](cli::CommandIo& io, const cli::CommandContext& c) { return cli::run_job(io, c); };
auto jstop_cmd = [](cli::CommandIo& io, const cli::CommandContext& c) {
  return cli::run_jstop(io, c);
};

class JobCommand : public CliTest {
 protected:
  void SetUp() override {
    backend.jobs = mixed_jobs();
    backend.jobs.push_back(job(60, "pend", "alice", 0.5, {task(0, JobState::Pending)}));
  }
};

TEST_F(JobCommand, PlainPrintsTheNumberAndExitCodeSaysTheState) {
  auto running = run(job_cmd, {"hostname"});
  EXPECT_EQ(running.out, "42\n");
  EXPECT_EQ(running.code, 1);
  auto queued = run(job_cmd, {"pend"});
  EXPECT_EQ(queued.out, "60\n");
  EXPECT_EQ(queued.code, 2);
  auto none = run(job_cmd, {"nothing"});
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.code, 0);
  EXPECT_EQ(backend.queries.back().users, std::vector<std::string>{"alice"});
}

TEST_F(JobCommand, VerboseAndQuiet) {
  auto running = run(job_cmd, {"-v", "hostname"});
  EXPECT_EQ(running.out, "Job 'hostname' has been running since 2021-07-02T10:47:14 as id 42\n");
  EXPECT_EQ(running.code, 1);
  auto queued = run(job_cmd, {"-v", "pend"});
  EXPECT_EQ(queued.out, "Job 'pend' is pending as id 60\n");
  auto none = run(job_cmd, {"-v", "nothing"});
  EXPECT_EQ(none.out, "No job 'nothing' is currently queued or running.\n");
  EXPECT_EQ(none.code, 0);
  auto quiet = run(job_cmd, {"-q", "hostname"});
  EXPECT_EQ(quiet.out, "");
  EXPECT_EQ(quiet.code, 1);
}

TEST_F(JobCommand, OnlyTheCallersJobsAndNotFinishedOnes) {
  EXPECT_EQ(run(job_cmd, {"badimage"}).code, 0);  // bob's
  EXPECT_EQ(run(job_cmd, {"finished"}).code, 0);  // alice's, done
}

TEST_F(JobCommand, ErrorsAreNeverMistakenForAState) {
  auto usage = run(job_cmd, {});
  EXPECT_EQ(usage.code, cli::kJobUnknownExitCode);
  EXPECT_EQ(usage.err, "usage: job [-v|-q] <jobname>\n");
  backend.list_error = jobs::BackendError{"cannot reach the Kubernetes API server", 1};
  auto failed = run(job_cmd, {"hostname"});
  EXPECT_EQ(failed.code, cli::kJobUnknownExitCode);
  EXPECT_EQ(failed.err, "job: cannot reach the Kubernetes API server\n");
  EXPECT_EQ(failed.out, "");
}

TEST_F(JobCommand, JstopDeletesByName) {
  auto result = run(jstop_cmd, {"hostname"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "alice has registered the job 42 for deletion\n");
  ASSERT_EQ(backend.removals.size(), 1u);
  EXPECT_EQ(backend.removals[0].id, 42);
}

TEST_F(JobCommand, JstopWithoutSuchJob) {
  auto result = run(jstop_cmd, {"badimage"});  // bob's job: not the caller's
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "No job 'badimage' is currently queued or running\n");
  EXPECT_TRUE(backend.removals.empty());
  auto usage = run(jstop_cmd, {});
  EXPECT_EQ(usage.code, 1);
  EXPECT_EQ(usage.err, "usage: jstop <jobname>\n");
}

TEST_F(JobCommand, WhatTheBackendSkippedIsAWarningOfJobAndJstop) {
  backend.warnings = {
      "ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job number"};
  auto running = run(job_cmd, {"hostname"});
  EXPECT_EQ(running.out, "42\n");
  EXPECT_EQ(running.code, 1);
  EXPECT_EQ(running.err,
            "job: warning: ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job "
            "number\n");
  auto stopped = run(jstop_cmd, {"pend"});
  EXPECT_EQ(stopped.code, 0);
  EXPECT_EQ(stopped.err,
            "jstop: warning: ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job "
            "number\n");
}

}  // namespace
}  // namespace k8sjobs::testing
