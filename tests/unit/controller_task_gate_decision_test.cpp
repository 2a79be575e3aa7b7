// SPDX-License-Identifier: Apache-2.0
// -hold_jid_ad in k8sjobs-controller: reading a gated pod (well-formed and hostile), a
// predecessor Job's finished tasks, and the patch that removes the gate.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "k8sjobs/controller/task_gate_decision.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;

json gated_pod(const std::string& index = "2") {
  return json{{"metadata",
               {{"name", "sam2bam-12-2-abcde"},
                {"namespace", "tool-alice"},
                {"labels",
                 {{"app.kubernetes.io/managed-by", "k8sjobs"},
                  {"k8sjobs.io/job-id", "12"},
                  {"k8sjobs.io/array-hold", "true"}}},
                {"annotations",
                 {{"batch.kubernetes.io/job-completion-index", index},
                  {"k8sjobs.io/array-range", "1-4:1"},
                  {"k8sjobs.io/hold-jid-ad", "10,11"}}}}},
              {"spec",
               {{"schedulingGates", json::array({{{"name", "example.org/other"}},
                                                 {{"name", "k8sjobs.io/hold-jid-ad"}}})}}}};
}

json predecessor_job(long long id, const std::string& completed, const std::string& failed = "") {
  json job{{"metadata",
            {{"name", "align-" + std::to_string(id)},
             {"namespace", "tool-alice"},
             {"labels",
              {{"app.kubernetes.io/managed-by", "k8sjobs"},
               {"k8sjobs.io/job-id", std::to_string(id)},
               {"k8sjobs.io/owner", "tools.alice"}}},
             {"annotations",
              {{"k8sjobs.io/owner", "tools.alice"},
               {"k8sjobs.io/details", R"({"array":{"first":1,"last":4,"step":1}})"}}}}},
           {"status", {{"completedIndexes", completed}}}};
  if (!failed.empty()) job["status"]["failedIndexes"] = failed;
  return job;
}

TEST(TaskGateDecision, ReadsTheTaskOfAGatedPod) {
  auto read = read_gated_task(gated_pod());
  ASSERT_TRUE(read.has_value()) << read.error();
  ASSERT_TRUE(read->has_value());
  const GatedTask& task = **read;
  EXPECT_EQ(task.namespace_name, "tool-alice");
  EXPECT_EQ(task.name, "sam2bam-12-2-abcde");
  EXPECT_EQ(task.job_id, 12);
  EXPECT_EQ(task.task_id, 3);  // first 1 + index 2 * step 1
  EXPECT_EQ(task.predecessors, (std::vector<long long>{10, 11}));
  EXPECT_EQ(task.gate_index, 1u);
  EXPECT_EQ(ungate_patch(task), json::parse(R"([
      {"op":"test","path":"/spec/schedulingGates/1/name","value":"k8sjobs.io/hold-jid-ad"},
      {"op":"remove","path":"/spec/schedulingGates/1"}])"));
}

TEST(TaskGateDecision, APodWithoutOurGateOrBeingDeletedIsNothingToDo) {
  json released = gated_pod();
  released["spec"]["schedulingGates"] = json::array({{{"name", "example.org/other"}}});
  EXPECT_FALSE(read_gated_task(released)->has_value());
  json deleting = gated_pod();
  deleting["metadata"]["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  EXPECT_FALSE(read_gated_task(deleting)->has_value());
  for (const json& odd : {json(), json("x"), json::array(), json{{"spec", 1}}})
    EXPECT_FALSE(read_gated_task(odd)->has_value()) << odd.dump();
}

TEST(TaskGateDecision, AGatedPodThatCannotBeReadIsLeftWaitingWithAReason) {
  struct Case {
    const char* what;
    std::function<void(json&)> spoil;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"job id", [](json& p) { p["metadata"]["labels"]["k8sjobs.io/job-id"] = "abc"; },
       "label k8sjobs.io/job-id \"abc\""},
      {"managed-by", [](json& p) { p["metadata"]["labels"].erase("app.kubernetes.io/managed-by"); },
       "label app.kubernetes.io/managed-by is not k8sjobs"},
      {"range", [](json& p) { p["metadata"]["annotations"]["k8sjobs.io/array-range"] = "4-1:1"; },
       "annotation k8sjobs.io/array-range"},
      {"range type", [](json& p) { p["metadata"]["annotations"]["k8sjobs.io/array-range"] = 5; },
       "annotation k8sjobs.io/array-range is missing or not a string"},
      {"index",
       [](json& p) {
         p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] = "4";
       },
       "annotation batch.kubernetes.io/job-completion-index"},
      {"index missing",
       [](json& p) {
         p["metadata"]["annotations"].erase("batch.kubernetes.io/job-completion-index");
       },
       "is missing or not a string"},
      {"predecessors",
       [](json& p) { p["metadata"]["annotations"]["k8sjobs.io/hold-jid-ad"] = "x"; },
       "annotation k8sjobs.io/hold-jid-ad"},
      {"name", [](json& p) { p["metadata"].erase("name"); }, "metadata.name or namespace"},
  };
  for (const auto& c : cases) {
    json pod = gated_pod();
    c.spoil(pod);
    auto read = read_gated_task(pod);
    ASSERT_FALSE(read.has_value()) << c.what;
    EXPECT_NE(read.error().find(c.says), std::string::npos) << c.what << ": " << read.error();
    EXPECT_NE(read.error().find("(left waiting)"), std::string::npos) << read.error();
  }
}

TEST(TaskGateDecision, APredecessorsFinishedTasksAreItsCompletedAndFailedIndexes) {
  auto read = read_predecessor_tasks(predecessor_job(10, "0,2", "3"));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->first, 10);
  EXPECT_EQ(read->second.range, (jobs::ArrayRange{1, 4, 1}));
  EXPECT_FALSE(read->second.all_finished);
  EXPECT_EQ(read->second.finished, (std::set<int>{1, 3, 4}));
}

TEST(TaskGateDecision, AFinishedOrDeletedPredecessorHasFinishedAsAWhole) {
  json complete = predecessor_job(10, "0-1");
  complete["status"]["conditions"] = json::array({{{"type", "Failed"}, {"status", "True"}}});
  EXPECT_TRUE(read_predecessor_tasks(complete)->second.all_finished);
  json deleting = predecessor_job(10, "");
  deleting["metadata"]["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  EXPECT_TRUE(read_predecessor_tasks(deleting)->second.all_finished);
}

TEST(TaskGateDecision, HostilePredecessorsNeverThrowAndNeverCountAsFinishedEarly) {
  EXPECT_FALSE(read_predecessor_tasks(json::object()).has_value());
  json bad_details = predecessor_job(10, "0-3");
  bad_details["metadata"]["annotations"]["k8sjobs.io/details"] = "{not json";
  auto read = read_predecessor_tasks(bad_details);
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->second.finished.empty());  // no range: counts only when it has finished
  json huge = predecessor_job(10, "0-2000000000,x,-,5-2");
  EXPECT_EQ(read_predecessor_tasks(huge)->second.finished, (std::set<int>{1, 2, 3, 4}));
  json wrong_types = predecessor_job(10, "");
  wrong_types["status"] = {{"completedIndexes", 5}, {"conditions", "x"}};
  EXPECT_TRUE(read_predecessor_tasks(wrong_types)->second.finished.empty());
}

}  // namespace
}  // namespace k8sjobs::controller
