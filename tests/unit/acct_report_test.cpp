// SPDX-License-Identifier: Apache-2.0
// qacct's outputs against Grid Engine's layout: the -j record (62 '=' and "%-13.12s%-20s"
// lines) and the summary table (tests/data/acct/*.txt, reviewed against the reference).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "k8sjobs/acct/report.h"
#include "support/build_paths.h"
#include "support/golden_file.h"

namespace k8sjobs::testing {
namespace {

using acct::AccountingRecord;
using std::chrono::seconds;

std::string acct_golden_path(const std::string& name) {
  return std::string(K8SJOBS_TEST_DATA_DIR) + "/acct/" + name;
}

AccountingRecord record(long long number, const std::string& owner, long long wallclock) {
  AccountingRecord r;
  r.key = "ns/uid-" + std::to_string(number) + "/0";
  r.qname = "task";
  r.hostname = "node-1";
  r.group = owner;
  r.owner = owner;
  r.jobname = "update";
  r.jobnumber = number;
  r.qsub_time = acct::TimePoint(seconds(1700000000));
  r.start_time = acct::TimePoint(seconds(1700000005));
  r.end_time = acct::TimePoint(seconds(1700000005 + wallclock));
  r.ru_wallclock = wallclock;
  return r;
}

TEST(AcctReport, JobRecordInGridEnginesLayout) {
  AccountingRecord plain = record(42, "tools.alice", 60);
  AccountingRecord task = record(43, "tools.alice", 5);
  task.taskid = 7;
  task.exit_status = 137;
  task.failed = 100;
  task.cpu_seconds = 1.25;
  task.maxvmem_bytes = 1536LL * 1024 * 1024;
  task.granted = "-l h_vmem=2G,h_rt=300";
  task.account = "bots";
  const std::string text = acct::format_job_records({plain, task}, qstat::TimeZone::utc());
  expect_golden_file(acct_golden_path("qacct_j.txt"), text, "--gtest_filter='AcctReport.*'");

  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, std::string(62, '='));
  std::getline(lines, line);
  EXPECT_EQ(line, "qname        task                ");
  EXPECT_NE(text.find("\ntaskid       undefined           \n"), std::string::npos);
  EXPECT_NE(text.find("\ntaskid       7                   \n"), std::string::npos);
  EXPECT_NE(text.find("\nqsub_time    Tue Nov 14 22:13:20 2023\n"), std::string::npos);
  EXPECT_NE(text.find("\nru_wallclock 60                  \n"), std::string::npos);
  EXPECT_NE(text.find("\nmaxvmem      1.500G              \n"), std::string::npos);
  EXPECT_NE(text.find("\ncategory     -l h_vmem=2G,h_rt=300\n"), std::string::npos);
}

TEST(AcctReport, ALabelLongerThanTwelveIsCutAsGridEngineDoes) {
  // "%-13.12s": ar_sub_time (11) fits; the column is 13 wide whatever the label.
  const std::string text = acct::format_job_records({record(1, "a", 1)}, qstat::TimeZone::utc());
  EXPECT_NE(text.find("\nar_sub_time  undefined           \n"), std::string::npos);
  EXPECT_NE(text.find("\nru_nsignals  0                   \n"), std::string::npos);
}

TEST(AcctReport, SummaryTotalsEveryRecord) {
  AccountingRecord with_cpu = record(2, "tools.bob", 40);
  with_cpu.cpu_seconds = 2.5;
  const std::string text =
      acct::format_summary({record(1, "tools.alice", 60), with_cpu}, /*by_owner=*/false);
  expect_golden_file(acct_golden_path("qacct_summary.txt"), text, "--gtest_filter='AcctReport.*'");
  EXPECT_EQ(text,
            "Total System Usage\n"
            "    WALLCLOCK         UTIME         STIME           CPU             MEMORY"
            "                 IO                IOW\n" +
                std::string(112, '=') +
                "\n"
                "          100         0.000         0.000         2.500              0.000"
                "              0.000              0.000\n");
}

TEST(AcctReport, SummaryByOwnerHasOneRowPerOwner) {
  const std::string text = acct::format_summary(
      {record(1, "tools.bob", 60), record(2, "tools.alice", 30), record(3, "tools.bob", 1)},
      /*by_owner=*/true);
  expect_golden_file(acct_golden_path("qacct_summary_owner.txt"), text,
                     "--gtest_filter='AcctReport.*'");
  EXPECT_NE(text.find("\ntools.alic           30 "), std::string::npos) << text;
  EXPECT_NE(text.find("\ntools.bob            61 "), std::string::npos) << text;
  EXPECT_LT(text.find("tools.alic"), text.find("tools.bob"));
}

TEST(AcctReport, NoRecordsIsASummaryOfZeros) {
  const std::string text = acct::format_summary({}, false);
  EXPECT_NE(text.find("\n            0         0.000"), std::string::npos) << text;
  EXPECT_EQ(acct::format_job_records({}, qstat::TimeZone::utc()), "");
}

TEST(AcctReport, MemoryInGridEnginesUnits) {
  EXPECT_EQ(acct::format_memory(512), "512.000");
  EXPECT_EQ(acct::format_memory(4096), "4.000K");
  EXPECT_EQ(acct::format_memory(12LL << 20), "12.000M");
  EXPECT_EQ(acct::format_memory(3LL << 30), "3.000G");
}

}  // namespace
}  // namespace k8sjobs::testing
