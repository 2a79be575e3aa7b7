// SPDX-License-Identifier: Apache-2.0
// Where accounting records go in a cluster: shard names per month, data keys, and when a shard
// is full and the next one starts (Kubernetes refuses a ConfigMap of more than 1 MiB).
#include <gtest/gtest.h>

#include "k8sjobs/acct/accounting_shards.h"
#include "k8sjobs/controller/accounting_decision.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

acct::AccountingRecord record(long long number, int task = 0) {
  acct::AccountingRecord r;
  r.key = "tool-alice/0c6f-" + std::to_string(number) + "/" + std::to_string(task);
  r.jobnumber = number;
  r.taskid = task;
  r.owner = "tools.alice";
  r.jobname = "update";
  return r;
}

TEST(AcctShards, NamesPerMonth) {
  // 2030-01-01T00:00:00Z and one second before.
  EXPECT_EQ(acct::period_of(acct::TimePoint(seconds(1893456000))), "203001");
  EXPECT_EQ(acct::period_of(acct::TimePoint(seconds(1893455999))), "202912");
  EXPECT_EQ(acct::shard_name("203001", 3), "k8sjobs-acct-203001-3");
  EXPECT_EQ(acct::shard_index("k8sjobs-acct-203001-3", "203001"), 3);
  EXPECT_EQ(acct::shard_index("k8sjobs-acct-203001-3", "202912"), std::nullopt);
  EXPECT_EQ(acct::shard_index("k8sjobs-acct-203001-x", "203001"), std::nullopt);
  EXPECT_EQ(acct::shard_index("k8sjobs-acct-203001-", "203001"), std::nullopt);
}

TEST(AcctShards, DataKeysAreValidConfigMapKeys) {
  EXPECT_EQ(acct::data_key("tool-alice/0c6f-11/3"), "tool-alice.0c6f-11.3");
  EXPECT_EQ(acct::data_key("a b:c"), "a_b_c");
  EXPECT_EQ(acct::data_key(""), "_");
  EXPECT_EQ(acct::data_key(std::string(300, 'x')).size(), 253u);
}

TEST(AcctShards, TheLastShardTakesRecordsUntilItIsFull) {
  EXPECT_EQ(acct::choose_shard({}, 500).index, 0);
  EXPECT_TRUE(acct::choose_shard({}, 500).create);
  auto choice = acct::choose_shard({{0, 1000}, {1, 900}}, 100, 1000);
  EXPECT_EQ(choice.index, 1);
  EXPECT_FALSE(choice.create);
  choice = acct::choose_shard({{0, 1000}, {1, 901}}, 100, 1000);
  EXPECT_EQ(choice.index, 2);
  EXPECT_TRUE(choice.create);
  // A record larger than the limit still goes into an empty shard, not on forever.
  choice = acct::choose_shard({{4, 0}}, 5000, 1000);
  EXPECT_EQ(choice.index, 4);
  EXPECT_FALSE(choice.create);
}

TEST(AcctShards, FillShardAddsWhatIsMissingAndRollsOverWhenFull) {
  const std::string one = acct::encode_record(record(1));
  const std::size_t size = acct::data_key(record(1).key).size() + one.size();
  json data = {{acct::data_key(record(1).key), one}};
  // Room for two more records (records 2..4 encode to the same size as record 1).
  auto fill = controller::fill_shard(data, {record(1), record(2), record(3), record(4)}, size * 3);
  EXPECT_EQ(fill.already, 1);
  ASSERT_EQ(fill.added.size(), 2u);
  EXPECT_EQ(fill.added[0].first, acct::data_key(record(2).key));
  ASSERT_EQ(fill.left.size(), 1u);
  EXPECT_EQ(fill.left[0].jobnumber, 4);
  // The same record twice in one pass is one key.
  fill = controller::fill_shard(json::object(), {record(5), record(5)}, size * 10);
  EXPECT_EQ(fill.added.size(), 1u);
  EXPECT_EQ(fill.already, 1);
  // An empty shard takes one record whatever its size.
  fill = controller::fill_shard(json::object(), {record(6), record(7)}, 1);
  EXPECT_EQ(fill.added.size(), 1u);
  EXPECT_EQ(fill.left.size(), 1u);
}

TEST(AcctShards, AShardStaysUnderKubernetesLimit) {
  json data = json::object();
  std::vector<acct::AccountingRecord> records;
  for (int i = 1; i <= 5000; ++i) records.push_back(record(i));
  auto fill = controller::fill_shard(data, records);
  for (auto& [key, value] : fill.added) data[key] = value;
  EXPECT_LE(acct::data_bytes(data), acct::kShardDataLimit);
  EXPECT_FALSE(fill.left.empty());
  EXPECT_GT(fill.added.size(), 1000u);
}

}  // namespace
}  // namespace k8sjobs::testing
