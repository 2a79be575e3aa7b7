// SPDX-License-Identifier: Apache-2.0
// Which Jobs k8sjobs-controller numbers as a converted CronJob's runs, and the patch it sends:
// pure (run_id_decision.h), over Jobs as Kubernetes' CronJob controller makes them and over
// objects anyone with edit rights could have written.
#include <gtest/gtest.h>

#include "k8sjobs/controller/run_id_decision.h"
#include "k8sjobs/controller/start_decision.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;

// A run as the CronJob controller creates it from `k8sjobs-migrate convert`'s jobTemplate.
json cron_run() {
  return json::parse(R"({
    "apiVersion": "batch/v1", "kind": "Job",
    "metadata": {
      "name": "tick-29000000", "namespace": "tool-alice", "resourceVersion": "812",
      "labels": {"app.kubernetes.io/managed-by": "k8sjobs", "k8sjobs.io/job-id": "0",
                 "k8sjobs.io/owner": "tools.alice", "k8sjobs.io/awaiting-job-id": "true"},
      "annotations": {"k8sjobs.io/owner": "tools.alice", "k8sjobs.io/job-name": "tick"},
      "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "tick",
                           "uid": "5c7b", "controller": true}]},
    "spec": {"suspend": true,
             "template": {"metadata": {"labels": {"k8sjobs.io/job-id": "0"}}, "spec": {}}},
    "status": {}
  })");
}

TEST(RunIdDecision, ASuspendedRunOfACronJobIsNumbered) {
  auto decided = run_waiting_for_id(cron_run());
  ASSERT_TRUE(decided);
  ASSERT_TRUE(decided->has_value());
  EXPECT_EQ((*decided)->name, "tick-29000000");
  EXPECT_EQ((*decided)->namespace_name, "tool-alice");
  EXPECT_EQ((*decided)->resource_version, "812");
}

TEST(RunIdDecision, ThePatchIsTestedAndSetsBothLabelsAndStartsIt) {
  auto decided = run_waiting_for_id(cron_run());
  ASSERT_TRUE(decided && *decided);
  json patch = run_id_patch(**decided, 4711);
  EXPECT_EQ(patch, json::parse(R"([
    {"op": "test", "path": "/metadata/resourceVersion", "value": "812"},
    {"op": "add", "path": "/metadata/labels/k8sjobs.io~1job-id", "value": "4711"},
    {"op": "remove", "path": "/metadata/labels/k8sjobs.io~1awaiting-job-id"},
    {"op": "add", "path": "/spec/template/metadata/labels/k8sjobs.io~1job-id", "value": "4711"},
    {"op": "replace", "path": "/spec/suspend", "value": false}
  ])"));
  // Applied to the run, it is an ordinary numbered, started job.
  json numbered = cron_run().patch(patch);
  EXPECT_EQ(numbered["metadata"]["labels"]["k8sjobs.io/job-id"], "4711");
  EXPECT_FALSE(numbered["metadata"]["labels"].contains("k8sjobs.io/awaiting-job-id"));
  EXPECT_EQ(numbered["spec"]["template"]["metadata"]["labels"]["k8sjobs.io/job-id"], "4711");
  EXPECT_EQ(run_waiting_for_id(numbered).value(), std::nullopt);
}

TEST(RunIdDecision, OtherJobsAreNotItsBusiness) {
  json plain = cron_run();
  plain["metadata"]["labels"].erase("k8sjobs.io/awaiting-job-id");
  EXPECT_EQ(run_waiting_for_id(plain).value(), std::nullopt);
  json other_value = cron_run();
  other_value["metadata"]["labels"]["k8sjobs.io/awaiting-job-id"] = "yes";
  EXPECT_EQ(run_waiting_for_id(other_value).value(), std::nullopt);
  json deleting = cron_run();
  deleting["metadata"]["deletionTimestamp"] = "2026-12-04T10:00:00Z";
  EXPECT_EQ(run_waiting_for_id(deleting).value(), std::nullopt);
  EXPECT_EQ(run_waiting_for_id(json::array()).value(), std::nullopt);
  EXPECT_EQ(run_waiting_for_id(json("job")).value(), std::nullopt);
}

TEST(RunIdDecision, ALabelledJobThatCannotBeNumberedIsRefusedWithTheReason) {
  auto reason = [](json job) {
    auto decided = run_waiting_for_id(job);
    return decided ? std::string("<numbered or ignored>") : decided.error();
  };
  json started = cron_run();
  started["spec"]["suspend"] = false;
  EXPECT_EQ(reason(started),
            "not numbering job/tick-29000000: it is not suspended (it may have started without "
            "a number)");
  json ran_once = cron_run();
  ran_once["status"]["startTime"] = "2026-12-04T10:00:00Z";
  EXPECT_EQ(reason(ran_once), "not numbering job/tick-29000000: it has already started once");
  json orphan = cron_run();
  orphan["metadata"].erase("ownerReferences");
  EXPECT_EQ(reason(orphan), "not numbering job/tick-29000000: no CronJob owns it");
  json not_ours = cron_run();
  not_ours["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "helm";
  EXPECT_EQ(reason(not_ours),
            "not numbering job/tick-29000000: label app.kubernetes.io/managed-by is not k8sjobs");
  json no_template_labels = cron_run();
  no_template_labels["spec"]["template"]["metadata"]["labels"] = "k8sjobs.io/job-id=0";
  EXPECT_EQ(reason(no_template_labels),
            "not numbering job/tick-29000000: its pod template has no labels to carry the number");
  json hostile_name = cron_run();
  hostile_name["metadata"]["name"] = "x\x1b[2J";
  hostile_name["spec"]["suspend"] = "true";
  EXPECT_EQ(reason(hostile_name).find('\x1b'), std::string::npos) << reason(hostile_name);
}

TEST(RunIdDecision, TheStartControllerLeavesAWaitingRunAlone) {
  json run = cron_run();
  run["metadata"]["annotations"]["k8sjobs.io/start-after"] = "2020-01-01T00:00:00Z";
  auto decision = decide_start(run, false, std::chrono::system_clock::now());
  EXPECT_EQ(decision.action, StartAction::None) << decision.reason;
}

}  // namespace
}  // namespace k8sjobs::controller
