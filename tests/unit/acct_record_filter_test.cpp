// SPDX-License-Identifier: Apache-2.0
// qacct's selection: -j by number, name or pattern, -o owner, -b/-e bounds on the start time,
// the order of the report and records written twice.
#include <gtest/gtest.h>

#include "k8sjobs/acct/record_filter.h"

namespace k8sjobs::testing {
namespace {

using acct::AccountingRecord;
using acct::RecordFilter;
using std::chrono::seconds;

AccountingRecord record(long long number, const std::string& name, const std::string& owner,
                        long long start, int task = 0) {
  AccountingRecord r;
  r.key = "ns/uid-" + std::to_string(number) + "/" + std::to_string(task);
  r.jobnumber = number;
  r.taskid = task;
  r.jobname = name;
  r.owner = owner;
  r.start_time = acct::TimePoint(seconds(start));
  r.end_time = acct::TimePoint(seconds(start + 10));
  return r;
}

std::vector<long long> numbers(const std::vector<AccountingRecord>& records) {
  std::vector<long long> out;
  for (const auto& r : records) out.push_back(r.jobnumber);
  return out;
}

const std::vector<AccountingRecord> kRecords = {
    record(3, "update", "alice", 3000), record(1, "update", "alice", 1000),
    record(2, "report", "bob", 2000), record(4, "up-late", "alice", 4000)};

TEST(AcctRecordFilter, ByJobNumberNameOrPattern) {
  RecordFilter filter;
  filter.job = "2";
  EXPECT_EQ(numbers(acct::select_records(kRecords, filter)), (std::vector<long long>{2}));
  filter.job = "update";
  EXPECT_EQ(numbers(acct::select_records(kRecords, filter)), (std::vector<long long>{1, 3}));
  filter.job = "up*";
  EXPECT_EQ(numbers(acct::select_records(kRecords, filter)), (std::vector<long long>{1, 3, 4}));
  filter.job = "?eport";
  EXPECT_EQ(numbers(acct::select_records(kRecords, filter)), (std::vector<long long>{2}));
  filter.job = "";
  EXPECT_EQ(numbers(acct::select_records(kRecords, filter)), (std::vector<long long>{1, 2, 3, 4}));
  filter.job = "99";
  EXPECT_TRUE(acct::select_records(kRecords, filter).empty());
}

TEST(AcctRecordFilter, ByOwner) {
  RecordFilter filter;
  filter.owner = "bob";
  EXPECT_EQ(numbers(acct::select_records(kRecords, filter)), (std::vector<long long>{2}));
}

TEST(AcctRecordFilter, BeginAndEndBoundTheStartTime) {
  RecordFilter filter;
  filter.begin = acct::TimePoint(seconds(2000));
  EXPECT_EQ(numbers(acct::select_records(kRecords, filter)), (std::vector<long long>{2, 3, 4}));
  filter.end = acct::TimePoint(seconds(3000));
  EXPECT_EQ(numbers(acct::select_records(kRecords, filter)), (std::vector<long long>{2, 3}));
  AccountingRecord never_started = record(5, "x", "alice", 0);
  never_started.start_time.reset();
  never_started.end_time.reset();
  never_started.qsub_time = acct::TimePoint(seconds(2500));
  EXPECT_EQ(numbers(acct::select_records({never_started}, filter)), (std::vector<long long>{5}));
  never_started.qsub_time.reset();
  EXPECT_TRUE(acct::select_records({never_started}, filter).empty());
}

TEST(AcctRecordFilter, ARecordWrittenTwiceIsReportedOnce) {
  std::vector<AccountingRecord> twice = {record(7, "a", "alice", 10, 1),
                                         record(7, "a", "alice", 10, 1),
                                         record(7, "a", "alice", 10, 2)};
  auto selected = acct::select_records(twice, RecordFilter{});
  ASSERT_EQ(selected.size(), 2u);
  EXPECT_EQ(selected[0].taskid, 1);
  EXPECT_EQ(selected[1].taskid, 2);
}

}  // namespace
}  // namespace k8sjobs::testing
