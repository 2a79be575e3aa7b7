// SPDX-License-Identifier: Apache-2.0
// The accounting record's JSON codec: what it writes reads back the same, and what a user or
// a hostile object put in a shard or the local file is skipped or left at its default, never
// an exception.
#include <gtest/gtest.h>

#include <string>

#include "k8sjobs/acct/accounting_record.h"

namespace k8sjobs::testing {
namespace {

using acct::AccountingRecord;
using std::chrono::seconds;

AccountingRecord full_record() {
  AccountingRecord record;
  record.key = "tool-alice/5b7c-uid/3";
  record.qname = "task";
  record.hostname = "node-1";
  record.group = "tools.alice";
  record.owner = "tools.alice";
  record.jobname = "update";
  record.jobnumber = 42;
  record.taskid = 3;
  record.account = "bots";
  record.priority = -10;
  record.qsub_time = acct::TimePoint(seconds(1700000000));
  record.start_time = acct::TimePoint(seconds(1700000005));
  record.end_time = acct::TimePoint(seconds(1700000065));
  record.slots = 2;
  record.failed = 100;
  record.exit_status = 137;
  record.ru_wallclock = 60;
  record.cpu_seconds = 12.5;
  record.maxvmem_bytes = 1LL << 30;
  record.granted = "-l h_vmem=1G,h_rt=300";
  return record;
}

TEST(AcctRecordCodec, WhatItWritesReadsBackTheSame) {
  const AccountingRecord record = full_record();
  auto decoded = acct::decode_record(acct::encode_record(record));
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(*decoded, record);
  EXPECT_EQ(acct::encode_record(record).find('\n'), std::string::npos);
}

TEST(AcctRecordCodec, AMinimalRecordReadsWithDefaults) {
  auto decoded = acct::decode_record(R"({"key":"k","jobnumber":7,"owner":"bob"})");
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->jobnumber, 7);
  EXPECT_EQ(decoded->owner, "bob");
  EXPECT_EQ(decoded->taskid, 0);
  EXPECT_EQ(decoded->slots, 1);
  EXPECT_FALSE(decoded->start_time);
  EXPECT_FALSE(decoded->cpu_seconds);
  EXPECT_FALSE(decoded->maxvmem_bytes);
}

TEST(AcctRecordCodec, ARecordWithoutIdentityIsSkippedWithAReason) {
  EXPECT_EQ(acct::decode_record("").error(), "is not JSON");
  EXPECT_EQ(acct::decode_record("[1]").error(), "is not a JSON object");
  EXPECT_EQ(acct::decode_record(R"({"jobnumber":1,"owner":"a"})").error(), "has no \"key\"");
  EXPECT_EQ(acct::decode_record(R"({"key":"k","jobnumber":"1","owner":"a"})").error(),
            "\"k\" has no job number");
  EXPECT_EQ(acct::decode_record(R"({"key":"k","jobnumber":0,"owner":"a"})").error(),
            "\"k\" has no job number");
  EXPECT_EQ(acct::decode_record(R"({"key":"k","jobnumber":1,"owner":7})").error(),
            "\"k\" has no owner");
  EXPECT_EQ(acct::decode_record(R"({"key":"k","jobnumber":1e400,"owner":"a"})").error(),
            "is not JSON");
}

TEST(AcctRecordCodec, HostileFieldsAreLeftOut) {
  auto decoded = acct::decode_record(R"({"key":"k","jobnumber":18446744073709551615,"owner":"a"})");
  EXPECT_FALSE(decoded);  // beyond a long long: no job number
  decoded = acct::decode_record(
      R"({"key":"k","jobnumber":1,"owner":"a","taskid":-4,"slots":"2","priority":99999,)"
      R"("qsub_time":-1,"start_time":99999999999999,"end_time":true,"failed":1.5,)"
      R"("exit_status":100000,"ru_wallclock":"60","cpu":-3,"maxvmem":-1,"granted":{},)"
      R"("hostname":["x"],"jobname":null})");
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->taskid, 0);
  EXPECT_EQ(decoded->slots, 1);
  EXPECT_EQ(decoded->priority, 0);
  EXPECT_FALSE(decoded->qsub_time);
  EXPECT_FALSE(decoded->start_time);
  EXPECT_FALSE(decoded->end_time);
  EXPECT_EQ(decoded->failed, 0);
  EXPECT_EQ(decoded->exit_status, 0);
  EXPECT_EQ(decoded->ru_wallclock, 0);
  EXPECT_FALSE(decoded->cpu_seconds);
  EXPECT_FALSE(decoded->maxvmem_bytes);
  EXPECT_EQ(decoded->granted, "");
  EXPECT_EQ(decoded->hostname, "");
  EXPECT_EQ(decoded->jobname, "");
}

// Found by fuzz_accounting_record (fuzz/corpus/accounting_record/regression-time-after-2262):
// a time a system_clock time point cannot hold overflowed when converted to nanoseconds.
TEST(AcctRecordCodec, ATimeAfter2262IsLeftOut) {
  auto decoded = acct::decode_record(
      R"({"key":"k","jobnumber":1,"owner":"a","end_time":11700000065,"start_time":9223372036})");
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_FALSE(decoded->end_time);
  ASSERT_TRUE(decoded->start_time);
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::seconds>(decoded->start_time->time_since_epoch())
          .count(),
      9223372036);
}

TEST(AcctRecordCodec, HugeOrDeeplyNestedTextIsRefusedBeforeParsing) {
  EXPECT_EQ(acct::decode_record(std::string(100000, ' ')).error(), "is too large");
  std::string nested = R"({"key":"k","jobnumber":1,"owner":"a","x":)" + std::string(2000, '[') +
                       std::string(2000, ']') + "}";
  EXPECT_EQ(acct::decode_record(nested).error(), "is nested too deeply");
  const std::string long_name(5000, 'n');
  auto decoded = acct::decode_record(R"({"key":"k","jobnumber":1,"owner":"a","jobname":")" +
                                     long_name + "\"}");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->jobname, "");
  // Brackets inside strings do not count as nesting.
  decoded = acct::decode_record(R"({"key":"k[[[[[[","jobnumber":1,"owner":"a"})");
  EXPECT_TRUE(decoded);
}

TEST(AcctRecordCodec, BytesThatAreNotUtf8AreWrittenAsReplacementCharacters) {
  AccountingRecord record = full_record();
  record.jobname = "bad\xff";
  auto decoded = acct::decode_record(acct::encode_record(record));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->jobname, "bad\xEF\xBF\xBD");
}

}  // namespace
}  // namespace k8sjobs::testing
