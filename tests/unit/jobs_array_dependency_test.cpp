// SPDX-License-Identifier: Apache-2.0
// -hold_jid_ad: Grid Engine's task-by-task rule (which predecessor tasks task i waits for), the
// submission checks with Grid Engine's messages, the range annotation read back as untrusted,
// and the decision whether a task may start.
#include <gtest/gtest.h>

#include "k8sjobs/jobs/array_dependency.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

JobRecord job(long long id, const std::string& name, std::optional<ArrayRange> array) {
  JobRecord record;
  record.id = id;
  record.name = name;
  record.array = array;
  record.tasks.push_back(TaskRecord{});
  return record;
}

TEST(ArrayDependency, EqualStepsWaitTaskForTask) {
  const ArrayRange range{1, 10, 1};
  EXPECT_EQ(predecessor_tasks(range, range, 1), (std::vector<int>{1}));
  EXPECT_EQ(predecessor_tasks(range, range, 7), (std::vector<int>{7}));
  EXPECT_EQ(predecessor_tasks(range, range, 10), (std::vector<int>{10}));
}

TEST(ArrayDependency, ALargerSuccessorStepWaitsForEveryPredecessorTaskOfItsStep) {
  // Grid Engine's sge_task_depend: B.i waits for A's tasks nearest(i) .. nearest(i + sb - 1).
  EXPECT_EQ(predecessor_tasks({1, 10, 1}, {1, 10, 3}, 1), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(predecessor_tasks({1, 10, 1}, {1, 10, 3}, 4), (std::vector<int>{4, 5, 6}));
  // The last one stops at the predecessor's last task.
  EXPECT_EQ(predecessor_tasks({1, 10, 1}, {1, 10, 3}, 10), (std::vector<int>{10}));
  // A larger predecessor step: the predecessor task whose step covers i.
  EXPECT_EQ(predecessor_tasks({1, 9, 4}, {1, 9, 1}, 1), (std::vector<int>{1}));
  EXPECT_EQ(predecessor_tasks({1, 9, 4}, {1, 9, 1}, 3), (std::vector<int>{1}));
  EXPECT_EQ(predecessor_tasks({1, 9, 4}, {1, 9, 1}, 6), (std::vector<int>{5}));
}

TEST(ArrayDependency, NoTasksForOtherRangesOrForeignTaskIds) {
  EXPECT_TRUE(predecessor_tasks({1, 10, 1}, {2, 10, 1}, 2).empty());
  EXPECT_TRUE(predecessor_tasks({1, 10, 1}, {1, 9, 1}, 2).empty());
  EXPECT_TRUE(predecessor_tasks({1, 10, 1}, {1, 10, 1}, 11).empty());
  EXPECT_TRUE(predecessor_tasks({1, 10, 1}, {1, 10, 3}, 2).empty());  // not one of B's tasks
  EXPECT_TRUE(predecessor_tasks({0, 0, 0}, {1, 10, 1}, 2).empty());
}

TEST(ArrayDependency, SubmissionChecksUseGridEnginesMessages) {
  const std::vector<JobRecord> own = {job(5, "align", ArrayRange{1, 4, 1}),
                                      job(6, "single", std::nullopt),
                                      job(7, "wide", ArrayRange{1, 8, 1})};
  EXPECT_TRUE(check_array_predecessors(ArrayRange{1, 4, 1}, {5}, own).has_value());
  EXPECT_TRUE(check_array_predecessors(ArrayRange{1, 4, 2}, {5}, own).has_value());
  EXPECT_EQ(check_array_predecessors(std::nullopt, {5}, own).error(),
            "Can only specify \"-hold_jid_ad\" option with an array job (using \"-t\" option)");
  EXPECT_EQ(check_array_predecessors(ArrayRange{1, 4, 1}, {6}, own).error(),
            "Can only specify \"-hold_jid_ad\" option with an array job (using \"-t\" option)");
  EXPECT_EQ(check_array_predecessors(ArrayRange{1, 4, 1}, {5, 7}, own).error(),
            "This array job must have the same range of sub-tasks as the dependent array job "
            "specified with -hold_jid_ad");
}

TEST(ArrayDependency, RangeAnnotationRoundTripsAndRefusesGarbage) {
  EXPECT_EQ(format_array_range({1, 9, 2}), "1-9:2");
  EXPECT_EQ(*parse_array_range("1-9:2"), (ArrayRange{1, 9, 2}));
  for (const char* bad : {"", "1", "1-9", "9-1:1", "0-3:1", "1-3:0", "a-b:c", "1-3:1:1",
                          "1-99999999999999999999:1", "-1-3:1", "1:3-1"}) {
    EXPECT_FALSE(parse_array_range(bad).has_value()) << bad;
  }
}

TEST(ArrayDependency, GateAndAnnotationReadFromAnyJsonWithoutThrowing) {
  json pod{{"spec",
            {{"schedulingGates",
              json::array({{{"name", "other"}}, {{"name", "k8sjobs.io/hold-jid-ad"}}})}}},
           {"metadata", {{"annotations", {{"k8sjobs.io/hold-jid-ad", "4,3"}}}}}};
  EXPECT_TRUE(has_array_hold_gate(pod));
  EXPECT_EQ(read_array_predecessors(pod).ids, (std::vector<long long>{3, 4}));
  for (const json& odd : {json(), json("x"), json::array(), json{{"spec", 1}},
                          json{{"spec", {{"schedulingGates", "x"}}}},
                          json{{"spec", {{"schedulingGates", json::array({1, "x"})}}}}}) {
    EXPECT_FALSE(has_array_hold_gate(odd)) << odd.dump();
    EXPECT_TRUE(read_array_predecessors(odd).ids.empty());
  }
  json bad{{"metadata", {{"annotations", {{"k8sjobs.io/hold-jid-ad", "x"}}}}}};
  EXPECT_TRUE(read_array_predecessors(bad).unreadable.has_value());
}

TEST(ArrayDependency, ATaskStartsWhenItsPredecessorTasksHaveFinishedWhateverTheirStatus) {
  const ArrayRange range{1, 4, 1};
  std::map<long long, PredecessorTasks> states;
  states[5] = PredecessorTasks{range, false, {1, 3}};  // 1 succeeded, 3 failed: both count
  states[6] = PredecessorTasks{range, false, {1, 2}};
  std::vector<long long> waiting;
  EXPECT_TRUE(array_task_may_start(range, 1, {5, 6}, states, &waiting));
  EXPECT_TRUE(waiting.empty());
  EXPECT_FALSE(array_task_may_start(range, 2, {5, 6}, states, &waiting));
  EXPECT_EQ(waiting, (std::vector<long long>{5}));
  waiting.clear();
  EXPECT_FALSE(array_task_may_start(range, 3, {5, 6}, states, &waiting));
  EXPECT_EQ(waiting, (std::vector<long long>{6}));
  // A predecessor that is gone, or has finished as a whole, holds nothing back.
  EXPECT_TRUE(array_task_may_start(range, 4, {7}, states));
  states[6].all_finished = true;
  EXPECT_TRUE(array_task_may_start(range, 3, {5, 6}, states));
  // A predecessor whose range no longer matches holds every task until it has finished.
  states[8] = PredecessorTasks{ArrayRange{1, 8, 1}, false, {1, 2, 3, 4}};
  EXPECT_FALSE(array_task_may_start(range, 1, {8}, states));
}

}  // namespace
}  // namespace k8sjobs::jobs
