// SPDX-License-Identifier: Apache-2.0
// qacct's command logic over a FakeBackend: options, -j's "not found" answers and exit codes,
// the summary, warnings and backend failures.
#include <gtest/gtest.h>

#include "cli_harness.h"
#include "k8sjobs/cli/qacct_command.h"

namespace k8sjobs::testing {
namespace {

using std::chrono::seconds;

auto qacct_cmd = [](cli::CommandIo& io, const cli::CommandContext& c) {
  return cli::run_qacct(io, c);
};

acct::AccountingRecord finished_record(long long number, const std::string& name,
                                       const std::string& owner, long long start) {
  acct::AccountingRecord r;
  r.key = "ns/uid-" + std::to_string(number) + "/0";
  r.qname = "task";
  r.jobnumber = number;
  r.jobname = name;
  r.owner = owner;
  r.start_time = acct::TimePoint(seconds(start));
  r.end_time = acct::TimePoint(seconds(start + 30));
  r.ru_wallclock = 30;
  return r;
}

class QacctCommand : public CliTest {
 protected:
  void SetUp() override {
    // FakeClock starts at 2030-01-01T00:00:00Z (1893456000).
    backend.accounting = {finished_record(12, "update", "alice", 1893456000 - 3600),
                          finished_record(13, "report", "bob", 1893456000 - 86400 * 3),
                          finished_record(14, "update", "alice", 1893456000 - 86400 * 10)};
  }
};

TEST_F(QacctCommand, JobIdPrintsItsRecord) {
  auto result = run(qacct_cmd, {"-j", "12"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.out.rfind(std::string(62, '=') + "\nqname        task", 0), 0u) << result.out;
  EXPECT_NE(result.out.find("\njobnumber    12                  \n"), std::string::npos);
  EXPECT_EQ(result.out.find("jobnumber    13"), std::string::npos);
}

TEST_F(QacctCommand, UnknownJobIdOrNameIsGridEnginesErrorAndExitOne) {
  auto result = run(qacct_cmd, {"-j", "99"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "error: job id 99 not found\n");
  result = run(qacct_cmd, {"-j", "nothing"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "error: job name nothing not found\n");
}

TEST_F(QacctCommand, JobNameAndPatternSelectEveryMatchingJob) {
  auto result = run(qacct_cmd, {"-j", "upd*"});
  EXPECT_EQ(result.code, 0);
  EXPECT_NE(result.out.find("jobnumber    12 "), std::string::npos);
  EXPECT_NE(result.out.find("jobnumber    14 "), std::string::npos);
  // Oldest first, as the accounting file had them.
  EXPECT_LT(result.out.find("jobnumber    14 "), result.out.find("jobnumber    12 "));
  result = run(qacct_cmd, {"-j"});
  EXPECT_EQ(result.code, 0);
  EXPECT_NE(result.out.find("jobnumber    13 "), std::string::npos);
}

TEST_F(QacctCommand, SummaryWithoutJ) {
  auto result = run(qacct_cmd, {});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out.rfind("Total System Usage\n", 0), 0u);
  EXPECT_NE(result.out.find("\n           90 "), std::string::npos) << result.out;
  result = run(qacct_cmd, {"-o"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out.rfind("OWNER         WALLCLOCK", 0), 0u) << result.out;
  EXPECT_NE(result.out.find("\nalice                60 "), std::string::npos) << result.out;
  result = run(qacct_cmd, {"-o", "bob"});
  EXPECT_EQ(result.out.find("\nalice"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\nbob                  30 "), std::string::npos) << result.out;
}

TEST_F(QacctCommand, DaysAndTimeBounds) {
  auto result = run(qacct_cmd, {"-d", "5", "-j"});
  EXPECT_EQ(result.code, 0);
  EXPECT_NE(result.out.find("jobnumber    13 "), std::string::npos);
  EXPECT_EQ(result.out.find("jobnumber    14 "), std::string::npos);
  // Local time, a day or more away from every start whatever TZ the test runs in.
  result = run(qacct_cmd, {"-b", "203001020000", "-j"});
  EXPECT_EQ(result.code, 1);  // nothing started after the clock's now
  result = run(qacct_cmd, {"-e", "202912250000", "-j"});
  EXPECT_EQ(result.code, 0);
  EXPECT_NE(result.out.find("jobnumber    14 "), std::string::npos);
  EXPECT_EQ(result.out.find("jobnumber    12 "), std::string::npos);
}

TEST_F(QacctCommand, UsageErrors) {
  auto result = run(qacct_cmd, {"-x"});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find("usage: qacct"), std::string::npos);
  EXPECT_NE(result.err.find("error: invalid option argument \"-x\"\n"), std::string::npos);
  result = run(qacct_cmd, {"-d", "x"});
  EXPECT_EQ(result.code, 1);
  result = run(qacct_cmd, {"-b"});
  EXPECT_EQ(result.code, 1);
  result = run(qacct_cmd, {"-b", "13"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(backend_opens, 0);
}

TEST_F(QacctCommand, HelpNeverOpensTheBackend) {
  auto result = run(qacct_cmd, {"-help"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, cli::qacct_usage());
  EXPECT_EQ(backend_opens, 0);
}

TEST_F(QacctCommand, WarningsAndFailures) {
  backend.accounting_warnings = {"ignoring configmap/k8sjobs-acct-203001-0 record \"x\": bad"};
  auto result = run(qacct_cmd, {"-j", "12"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.err,
            "qacct: warning: ignoring configmap/k8sjobs-acct-203001-0 record \"x\": bad\n");
  backend.accounting_error = jobs::BackendError{"cannot reach the Kubernetes API server", 1};
  result = run(qacct_cmd, {"-j", "12"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "qacct: cannot reach the Kubernetes API server\n");
}

}  // namespace
}  // namespace k8sjobs::testing
