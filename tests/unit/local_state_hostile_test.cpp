// SPDX-License-Identifier: Apache-2.0
// The local backend's state files are the user's to edit: every field of a job record fed
// with wrong types, huge and negative numbers, empty strings, bytes that are not UTF-8 and a
// 1 MB value. Reading never throws; a record that is not a job is skipped with a warning
// naming its file; the other records read exactly.

#include <gtest/gtest.h>

#include "k8sjobs/local/local_job.h"
#include "k8sjobs/local/state_store.h"
#include "support/temp_dir.h"

namespace k8sjobs::local {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const TimePoint kSubmitted = TimePoint(std::chrono::seconds(1'800'000'000));

LocalJob job_numbered(long long id) {
  LocalJob job;
  job.id = id;
  job.name = "crawler";
  job.owner = "tools.alice";
  job.submission_time = kSubmitted;
  job.started = true;
  job.supervisor = ProcessId{100, 5000};
  job.array = jobs::ArrayRange{1, 3, 1};
  job.details.cwd = "/data/project/alice";
  job.details.job_args = {"a"};
  for (int task_id : {1, 2, 3}) {
    LocalTask task;
    task.task_id = task_id;
    task.phase = task_id == 1 ? TaskPhase::Running : TaskPhase::Pending;
    if (task_id == 1) {
      task.process = ProcessId{200, 6000};
      task.start_time = kSubmitted + 1s;
    }
    job.tasks.push_back(task);
  }
  return job;
}

std::vector<json> hostile_values() {
  return {nullptr,
          true,
          0,
          1,
          -1,
          json::parse("18446744073709551615"),
          json::parse("99999999999999999999"),
          -9223372036854775807LL - 1,
          1.5,
          "",
          "abc",
          std::string("\xff\xfe"),
          json::array(),
          json::array({1, "a"}),
          json::object(),
          json{{"pid", 0}, {"start_ticks", 1}},
          json{{"first", 1}, {"last", 2000000000}, {"step", 1}},
          std::string(1 << 20, 'x')};
}

// Every JSON pointer of a record as written, and their parents.
std::vector<std::string> pointers(const json& value, const std::string& prefix = "") {
  std::vector<std::string> all;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      all.push_back(prefix + "/" + key);
      for (auto& inner : pointers(item, prefix + "/" + key)) all.push_back(inner);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      all.push_back(prefix + "/" + std::to_string(i));
      for (auto& inner : pointers(value[i], prefix + "/" + std::to_string(i))) all.push_back(inner);
    }
  }
  return all;
}

// The fields are dealt into kFieldSlices cases, so they spread over the test shards (the
// whole loop is about 30 s in the sanitizer build): slice N takes every kFieldSlices-th field
// from the Nth.
constexpr int kFieldSlices = 8;

class LocalStateHostileFields : public ::testing::TestWithParam<int> {};

TEST_P(LocalStateHostileFields, EveryFieldOfARecordWithEveryWrongValue) {
  testing::TempDir dir;
  StateStore store(dir.path() / "state");
  ASSERT_TRUE(store.ensure());
  ASSERT_TRUE(store.write(job_numbered(1)));
  ASSERT_TRUE(store.write(job_numbered(3)));
  const json written = to_json(job_numbered(2));
  auto all_pointers = pointers(written);
  all_pointers.push_back("");
  ASSERT_GT(all_pointers.size(), static_cast<size_t>(kFieldSlices));
  for (size_t index = static_cast<size_t>(GetParam()); index < all_pointers.size();
       index += kFieldSlices) {
    const std::string& pointer = all_pointers[index];
    for (const json& value : hostile_values()) {
      json changed = written;
      changed[json::json_pointer(pointer)] = value;
      const std::string what =
          pointer + " = " +
          value.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 60);
      // Written in place, without write_file_atomically's fsyncs: a thousand files.
      dir.write("state/jobs/2.json", changed.dump(-1, ' ', false, json::error_handler_t::replace));
      std::vector<std::string> warnings;
      std::vector<LocalJob> jobs;
      ASSERT_NO_THROW(jobs = store.read_all(&warnings)) << what;
      ASSERT_GE(jobs.size(), 2u) << what;
      EXPECT_EQ(jobs.front(), job_numbered(1)) << what;
      EXPECT_EQ(jobs.back(), job_numbered(3)) << what;
      if (jobs.size() == 2) {
        ASSERT_EQ(warnings.size(), 1u) << what;
        EXPECT_EQ(
            warnings[0].rfind("ignoring local job file " + store.record_path(2).string() + ": ", 0),
            0u)
            << what << ": " << warnings[0];
      } else {
        ASSERT_EQ(jobs.size(), 3u) << what;
        const LocalJob& read = jobs[1];
        EXPECT_EQ(read.id, 2) << what;
        // What kill(-pid) is ever given is a real process group leader.
        if (read.supervisor) {
          EXPECT_GE(read.supervisor->pid, 2) << what;
        }
        for (const auto& task : read.tasks) {
          if (task.process) {
            EXPECT_GE(task.process->pid, 2) << what;
          }
        }
        // One line for the file, however many fields were refused.
        EXPECT_LE(warnings.size(), 1u) << what;
        for (const auto& warning : warnings) EXPECT_LT(warning.size(), 2000u) << what;
        // The record shows without trouble.
        ASSERT_NO_THROW(to_job_record(
            read, [](const ProcessId&) { return false; }, kSubmitted, nullptr))
            << what;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EverySlice, LocalStateHostileFields, ::testing::Range(0, kFieldSlices));

TEST(LocalStateHostile, ExactReasons) {
  testing::TempDir dir;
  StateStore store(dir.path() / "state");
  ASSERT_TRUE(store.ensure());
  json record = to_json(job_numbered(4));
  record["id"] = 5;
  ASSERT_TRUE(write_file_atomically(store.record_path(4), record.dump()));
  ASSERT_TRUE(write_file_atomically(store.record_path(6), "{not json"));
  record = to_json(job_numbered(7));
  record["slots"] = "two";
  record["tasks"][0]["process"]["pid"] = 0;
  ASSERT_TRUE(write_file_atomically(store.record_path(7), record.dump()));
  // Not records: names that are not job numbers, however long.
  dir.write("state/jobs/99999999999999999999.json", "{}");
  dir.write("state/jobs/0.json", "{}");
  dir.write("state/jobs/-1.json", "{}");
  std::vector<std::string> warnings;
  auto jobs = store.read_all(&warnings);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].slots, 1);
  EXPECT_FALSE(jobs[0].tasks[0].process.has_value());
  EXPECT_EQ(
      warnings,
      (std::vector<std::string>{
          "ignoring local job file " + store.record_path(4).string() + ": records job 5, not job 4",
          "ignoring local job file " + store.record_path(6).string() + ": is not JSON",
          "local job file " + store.record_path(7).string() +
              ": \"slots\" is not a number from 1 to 100000; task 1: \"process\" is not a "
              "process {pid, start_ticks} (shown as not set)"}));
  EXPECT_FALSE(store.read(4).has_value());
  EXPECT_TRUE(store.read(7).has_value());
}

TEST(LocalStateHostile, DamagedCounterAndHugeFileNamesKeepIdsUnique) {
  testing::TempDir dir;
  StateStore store(dir.path() / "state");
  ASSERT_TRUE(store.ensure());
  dir.write("state/next_id", "99999999999999999999999\n");
  dir.write("state/jobs/99999999999999999999.json", "{}");
  ASSERT_TRUE(store.write(job_numbered(41)));
  auto id = store.next_id();
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, 42);
  dir.write("state/next_id", "-5\n");
  EXPECT_EQ(*store.next_id(), 42);
  EXPECT_EQ(*store.next_id(), 43);
}

}  // namespace
}  // namespace k8sjobs::local
