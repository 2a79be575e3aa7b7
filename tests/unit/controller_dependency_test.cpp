// SPDX-License-Identifier: Apache-2.0
// -hold_jid in k8sjobs-controller: the pure decision over a job and its predecessors' states
// (start, keep waiting, wait for -a too, leave a user hold alone, skip a garbage annotation),
// which objects count as unfinished, and the queue that re-checks dependents when a
// predecessor ends.
#include <gtest/gtest.h>

#include "k8sjobs/controller/dependency_state.h"
#include "k8sjobs/controller/start_controller.h"
#include "k8sjobs/controller/start_decision.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const TimePoint kNow = *text::parse_rfc3339("2030-01-01T12:00:00Z");

json job(long long id, const std::string& hold_jid = "") {
  json object{{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata",
               {{"name", "step-" + std::to_string(id)},
                {"namespace", "tool-alice"},
                {"resourceVersion", "42"},
                {"labels",
                 {{"app.kubernetes.io/managed-by", "k8sjobs"},
                  {"k8sjobs.io/job-id", std::to_string(id)},
                  {"k8sjobs.io/owner", "tools.alice"}}},
                {"annotations",
                 {{"k8sjobs.io/owner", "tools.alice"},
                  {"k8sjobs.io/job-name", "step"},
                  {"k8sjobs.io/submit-time", "2030-01-01T11:00:00Z"}}}}},
              {"spec", {{"suspend", true}}},
              {"status", json::object()}};
  if (!hold_jid.empty()) object["metadata"]["annotations"]["k8sjobs.io/hold-jid"] = hold_jid;
  return object;
}

TEST(DependencyDecision, WaitsWhileAPredecessorIsUnfinished) {
  const UnfinishedJobs unfinished{12};
  auto decision = decide_start(job(14, "12,13"), false, kNow, &unfinished);
  EXPECT_EQ(decision.action, StartAction::Blocked);
  EXPECT_EQ(decision.pending, (std::vector<long long>{12}));
}

TEST(DependencyDecision, StartsWhenAllHaveFinishedOrAreGone) {
  const UnfinishedJobs unfinished{99};  // 12 finished, 13 no longer exists
  auto decision = decide_start(job(14, "12,13"), false, kNow, &unfinished);
  EXPECT_EQ(decision.action, StartAction::Release);
  EXPECT_EQ(release_patch(decision),
            json::parse(R"([{"op":"test","path":"/metadata/resourceVersion","value":"42"},
                            {"op":"replace","path":"/spec/suspend","value":false}])"));
}

TEST(DependencyDecision, WithoutTheStatesLookedUpItIsBlockedOnAll) {
  auto decision = decide_start(job(14, "13,12"), false, kNow);
  EXPECT_EQ(decision.action, StartAction::Blocked);
  EXPECT_EQ(decision.pending, (std::vector<long long>{12, 13}));
}

TEST(DependencyDecision, WithAStartTimeItWaitsForBoth) {
  json object = job(14, "12");
  object["metadata"]["annotations"]["k8sjobs.io/start-after"] = "2030-01-01T12:30:00Z";
  const UnfinishedJobs busy{12};
  const UnfinishedJobs done;
  EXPECT_EQ(decide_start(object, false, kNow + seconds(3600), &busy).action, StartAction::Blocked);
  auto early = decide_start(object, false, kNow, &done);
  EXPECT_EQ(early.action, StartAction::Wait);
  EXPECT_EQ(early.due, kNow + seconds(1800));
  EXPECT_EQ(decide_start(object, false, kNow + seconds(1800), &done).action, StartAction::Release);
}

TEST(DependencyDecision, AUserHoldWins) {
  json object = job(14, "12");
  object["metadata"]["annotations"]["k8sjobs.io/hold"] = "user";
  const UnfinishedJobs done;
  EXPECT_EQ(decide_start(object, false, kNow, &done).action, StartAction::None);
}

TEST(DependencyDecision, RunningOrFinishedJobsAreLeftAlone) {
  const UnfinishedJobs done;
  json running = job(14, "12");
  running["spec"]["suspend"] = false;
  EXPECT_EQ(decide_start(running, false, kNow, &done).action, StartAction::None);
  json deployment = job(14, "12");
  deployment["spec"] = {{"replicas", 0}};
  auto started = decide_start(deployment, true, kNow, &done);
  EXPECT_EQ(started.action, StartAction::Release);
  EXPECT_EQ(release_patch(started)[1]["path"], "/spec/replicas");
}

TEST(DependencyDecision, AGarbageAnnotationIsSkippedWithAReasonNeverThrows) {
  const UnfinishedJobs done;
  for (const json& garbage : {json("12,,13"), json(""), json("-1"), json("12 13"), json("1e3"),
                              json("0"), json("99999999999999999999999"), json(12),
                              json::array({12}), json(nullptr), json("12,\x1b[2J")}) {
    json object = job(14);
    object["metadata"]["annotations"]["k8sjobs.io/hold-jid"] = garbage;
    auto decision = decide_start(object, false, kNow, &done);
    EXPECT_EQ(decision.action, StartAction::Skip) << garbage.dump();
    EXPECT_NE(decision.reason.find("k8sjobs.io/hold-jid"), std::string::npos) << decision.reason;
    EXPECT_EQ(decision.reason.find('\x1b'), std::string::npos) << decision.reason;
  }
}

TEST(DependencyState, UnfinishedAndEndedJobs) {
  EXPECT_EQ(unfinished_job_number(job(12), false), 12);
  json complete = job(12);
  complete["status"]["conditions"] = {{{"type", "Complete"}, {"status", "True"}}};
  json failed = job(12);
  failed["status"]["conditions"] = {{{"type", "Failed"}, {"status", "True"}}};
  EXPECT_EQ(unfinished_job_number(complete, false), std::nullopt);
  EXPECT_EQ(unfinished_job_number(failed, false), std::nullopt);
  EXPECT_EQ(ended_job_number(failed, false, false), 12);
  EXPECT_EQ(ended_job_number(job(12), false, false), std::nullopt);
  EXPECT_EQ(ended_job_number(job(12), false, true), 12);
  // A continuous job never finishes while it exists.
  EXPECT_EQ(unfinished_job_number(complete, true), 12);
  // Not k8sjobs' (no managed-by): neither.
  json foreign = job(12);
  foreign["metadata"]["labels"].erase("app.kubernetes.io/managed-by");
  EXPECT_EQ(unfinished_job_number(foreign, false), std::nullopt);
  EXPECT_EQ(ended_job_number(foreign, false, true), std::nullopt);
  EXPECT_EQ(pending_predecessors({3, 5, 7}, {5, 9}), (std::vector<long long>{5}));
  EXPECT_EQ(predecessors_selector({3, 5}),
            "app.kubernetes.io/managed-by=k8sjobs,k8sjobs.io/job-id in (3,5)");
}

TEST(DependencyQueue, AFinishedPredecessorWakesItsDependentsOnly) {
  DueQueue queue;
  const ObjectKey c{false, "tool-alice", "c-3"};
  const ObjectKey d{false, "tool-alice", "d-4"};
  const ObjectKey other{false, "tool-bob", "e-5"};
  queue.block(c, {1, 2}, kNow + kBlockedRecheck);
  queue.block(d, {2}, kNow + kBlockedRecheck);
  queue.block(other, {1}, kNow + kBlockedRecheck);
  EXPECT_TRUE(queue.take_due(kNow).empty());
  queue.wake_dependents("tool-alice", 1, kNow);
  EXPECT_EQ(queue.take_due(kNow), (std::vector<ObjectKey>{c}));
  // Without an event the rest are checked again after kBlockedRecheck.
  EXPECT_EQ(queue.take_due(kNow + kBlockedRecheck).size(), 2U);
}

TEST(DependencyQueue, ABlockAfterThePredecessorEndedIsDueAtOnce) {
  DueQueue queue;
  const ObjectKey c{false, "tool-alice", "c-3"};
  queue.wake_dependents("tool-alice", 2, kNow);  // raced ahead of the check of c
  queue.block(c, {2}, kNow + kBlockedRecheck);
  EXPECT_EQ(queue.take_due(kNow), (std::vector<ObjectKey>{c}));
}

TEST(DependencyQueue, WatchEventsOfAFinishedOrDeletedPredecessorWakeDependents) {
  DueQueue queue;
  const ObjectKey c{false, "tool-alice", "step-14"};
  queue.block(c, {12}, kNow + kBlockedRecheck);
  json finished = job(12);
  finished["spec"]["suspend"] = false;
  finished["status"]["conditions"] = {{{"type", "Failed"}, {"status", "True"}}};
  note_event(queue, kube::WatchEvent{"MODIFIED", finished}, false, kNow);
  EXPECT_EQ(queue.take_due(kNow), (std::vector<ObjectKey>{c}));

  queue.block(c, {13}, kNow + kBlockedRecheck);
  note_event(queue, kube::WatchEvent{"DELETED", job(13)}, false, kNow + seconds(120));
  EXPECT_EQ(queue.take_due(kNow + seconds(120)), (std::vector<ObjectKey>{c}));
}

TEST(DependencyQueue, AnEventOfAJobWithPredecessorsMakesItDueForALookUp) {
  DueQueue queue;
  note_event(queue, kube::WatchEvent{"ADDED", job(14, "12")}, false, kNow);
  EXPECT_EQ(queue.take_due(kNow), (std::vector<ObjectKey>{{false, "tool-alice", "step-14"}}));
}

}  // namespace
}  // namespace k8sjobs::controller
