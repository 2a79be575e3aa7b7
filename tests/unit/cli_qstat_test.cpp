// qstat's command logic over a FakeBackend: options, the backend query, output and exit codes.
// The renderers themselves are tested in qstat_*_test.cpp; here the goldens prove the wiring.

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "k8sjobs/cli/qstat_command.h"
#include "qstat_fixtures.h"

namespace k8sjobs::testing {
namespace {

using qstat::fixtures::golden;
using qstat::fixtures::mixed_jobs;

auto qstat_cmd = [](cli::CommandIo& io, const cli::CommandContext& c) {
  return cli::run_qstat(io, c);
};

class QstatCommand : public CliTest {
 protected:
  void SetUp() override { backend.jobs = mixed_jobs(); }
};

TEST_F(QstatCommand, DefaultListsOnlyTheCallersJobsByteForByte) {
  auto result = run(qstat_cmd, {});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.out, golden("listing_alice.txt"));
  ASSERT_EQ(backend.queries.size(), 1u);
  EXPECT_EQ(backend.queries[0].users, std::vector<std::string>{"alice"});
  EXPECT_FALSE(backend.queries[0].include_finished);
}

TEST_F(QstatCommand, AllUsersWithStar) {
  auto result = run(qstat_cmd, {"-u", "*"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, golden("listing_all.txt"));
}

TEST_F(QstatCommand, UserListSelectsThoseOwners) {
  auto result = run(qstat_cmd, {"-u", "bob,carol"});
  EXPECT_EQ(result.code, 0);
  ASSERT_EQ(backend.queries.size(), 1u);
  EXPECT_EQ(backend.queries[0].users, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(result.out.find(" alice "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(" bob "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(" carol "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("hqw"), std::string::npos) << result.out;  // carol's held job
}

TEST_F(QstatCommand, FinishedJobsOnlyWithSz) {
  auto result = run(qstat_cmd, {"-u", "*", "-s", "z"});
  EXPECT_EQ(result.code, 0);
  EXPECT_TRUE(backend.queries.at(0).include_finished);
  EXPECT_EQ(result.out, golden("listing_z.txt"));
}

TEST_F(QstatCommand, PendingOnlyWithSp) {
  auto result = run(qstat_cmd, {"-s", "p"});
  EXPECT_EQ(result.code, 0);
  EXPECT_NE(result.out.find("qw"), std::string::npos);
  EXPECT_EQ(result.out.find(" r "), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("task@"), std::string::npos) << result.out;
}

TEST_F(QstatCommand, XmlListing) {
  auto result = run(qstat_cmd, {"-u", "*", "-s", "prz", "-xml"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, golden("listing_all.xml"));
}

TEST_F(QstatCommand, NoJobsPrintsNothing) {
  backend.jobs.clear();
  auto result = run(qstat_cmd, {});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "");
}

TEST_F(QstatCommand, DetailByIdAndNameSkipsMissingOnes) {
  auto result = run(qstat_cmd, {"-j", "42,nope", "-j", "badimage"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.err, "");
  EXPECT_NE(result.out.find("job_number:                 42\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("job_number:                 44\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("ImagePullBackOff"), std::string::npos) << result.out;
  size_t blocks = 0;
  for (size_t at = result.out.find("job_number:"); at != std::string::npos;
       at = result.out.find("job_number:", at + 1))
    ++blocks;
  EXPECT_EQ(blocks, 2u) << result.out;
}

TEST_F(QstatCommand, DetailOfOnlyMissingJobsFails) {
  auto result = run(qstat_cmd, {"-j", "999,nope"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "Following jobs do not exist: \n999, nope\n");
}

TEST_F(QstatCommand, DetailXml) {
  auto result = run(qstat_cmd, {"-j", "42", "-xml"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out.rfind("<?xml version='1.0'?>\n", 0), 0u) << result.out;
  EXPECT_NE(result.out.find("<detailed_job_info"), std::string::npos);
  EXPECT_NE(result.out.find("<JB_job_number>42</JB_job_number>"), std::string::npos);
}

TEST_F(QstatCommand, InvalidOptionPrintsUsageAndErrorWithoutContactingTheCluster) {
  auto result = run(qstat_cmd, {"-x"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, cli::qstat_usage() + "error: invalid option argument \"-x\"\n");
  EXPECT_EQ(backend_opens, 0);
}

TEST_F(QstatCommand, InvalidStateFilterAndMissingArgument) {
  auto bad = run(qstat_cmd, {"-s", "q"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("error: invalid option argument \"q\"\n"), std::string::npos);
  auto missing = run(qstat_cmd, {"-u"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("error: ERROR! -u option must have argument\n"), std::string::npos);
  EXPECT_EQ(backend_opens, 0);
}

TEST_F(QstatCommand, HelpGoesToStdout) {
  auto result = run(qstat_cmd, {"-help"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, cli::qstat_usage());
  EXPECT_EQ(backend_opens, 0);
}

TEST_F(QstatCommand, BackendErrorsBecomeOneLineAndExitCode) {
  backend.list_error = jobs::BackendError{
      "jobs.batch is forbidden: User \"tools.bob\" cannot list resource \"jobs\" in API group "
      "\"batch\" in the namespace \"tool-alice\"",
      1};
  auto result = run(qstat_cmd, {});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "qstat: " + backend.list_error->message + "\n");

  open_error = jobs::BackendError{"/etc/k8sjobs/config.yaml:3: unknown key 'bakend'", 1};
  auto unopened = run(qstat_cmd, {"-j", "42"});
  EXPECT_EQ(unopened.code, 1);
  EXPECT_EQ(unopened.err, "qstat: /etc/k8sjobs/config.yaml:3: unknown key 'bakend'\n");
}

TEST_F(QstatCommand, WhatTheBackendSkippedIsAWarningAndTheListingStaysExact) {
  backend.warnings = {
      "ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job number"};
  auto result = run(qstat_cmd, {});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, golden("listing_alice.txt"));
  EXPECT_EQ(result.err,
            "qstat: warning: ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job "
            "number\n");
  auto detail = run(qstat_cmd, {"-j", "42"});
  EXPECT_EQ(detail.code, 0);
  EXPECT_EQ(detail.err,
            "qstat: warning: ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job "
            "number\n");
}

TEST_F(QstatCommand, JobNumbersTooLargeAreNamesThatMatchNothing) {
  auto result = run(qstat_cmd, {"-j", "99999999999999999999,abc,-1"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "Following jobs do not exist: \n99999999999999999999, abc, -1\n");
}

}  // namespace
}  // namespace k8sjobs::testing
