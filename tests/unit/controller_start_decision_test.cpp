// SPDX-License-Identifier: Apache-2.0
// k8sjobs-controller's decision for one object at one moment (jsub -a): start, wait, leave it,
// or skip it with a reason, for well-formed and hostile objects alike; and the patch it sends.
#include <gtest/gtest.h>

#include "k8sjobs/controller/start_decision.h"
#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/qstat/state.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const TimePoint kNow = *text::parse_rfc3339("2030-01-01T12:00:00Z");

json deferred_job(const std::string& start_after = "2030-01-01T12:30:00Z") {
  return json{{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata",
               {{"name", "fx-7"},
                {"namespace", "tool-alice"},
                {"resourceVersion", "42"},
                {"labels",
                 {{"app.kubernetes.io/managed-by", "k8sjobs"},
                  {"k8sjobs.io/job-id", "7"},
                  {"k8sjobs.io/owner", "tools.alice"}}},
                {"annotations",
                 {{"k8sjobs.io/owner", "tools.alice"},
                  {"k8sjobs.io/job-name", "fx"},
                  {"k8sjobs.io/submit-time", "2030-01-01T11:00:00Z"},
                  {"k8sjobs.io/start-after", start_after}}}}},
              {"spec", {{"suspend", true}}},
              {"status", json::object()}};
}

TEST(StartDecision, WaitsUntilItsTime) {
  auto decision = decide_start(deferred_job(), false, kNow);
  EXPECT_EQ(decision.action, StartAction::Wait);
  EXPECT_EQ(decision.due, kNow + seconds(1800));
  EXPECT_EQ(decision.namespace_name, "tool-alice");
  EXPECT_EQ(decision.name, "fx-7");
}

TEST(StartDecision, StartsWhenTheTimeHasCome) {
  auto decision = decide_start(deferred_job(), false, kNow + seconds(1800));
  EXPECT_EQ(decision.action, StartAction::Release);
  EXPECT_EQ(decision.resource_version, "42");
  EXPECT_EQ(release_patch(decision),
            json::parse(R"([{"op":"test","path":"/metadata/resourceVersion","value":"42"},
                            {"op":"replace","path":"/spec/suspend","value":false}])"));
}

// The lean copy a pass keeps of a waiting job decides exactly as the whole object does, and
// holds none of the pod template or managedFields.
TEST(StartDecision, TheDecisionViewDecidesAsTheWholeObject) {
  json whole = deferred_job();
  whole["metadata"]["managedFields"] = json::array({{{"manager", "k8sjobs"}}});
  whole["metadata"]["annotations"]["k8sjobs.io/hold-jid"] = "3,5";
  whole["spec"]["template"] = {{"spec", {{"containers", json::array({{{"name", "job"}}})}}}};
  whole["spec"]["backoffLimit"] = 0;
  const json view = decision_view(whole);
  EXPECT_FALSE(view["metadata"].contains("managedFields"));
  EXPECT_EQ(view["spec"], json({{"suspend", true}}));
  for (auto now : {kNow, kNow + seconds(3600)}) {
    const UnfinishedJobs none;
    const UnfinishedJobs three{3};
    for (const UnfinishedJobs* unfinished :
         {static_cast<const UnfinishedJobs*>(nullptr), &none, &three}) {
      auto expected = decide_start(whole, false, now, unfinished);
      auto decided = decide_start(view, false, now, unfinished);
      EXPECT_EQ(decided.action, expected.action);
      EXPECT_EQ(decided.due, expected.due);
      EXPECT_EQ(decided.pending, expected.pending);
      EXPECT_EQ(decided.reason, expected.reason);
    }
  }
  // Hostile shapes pass through and are judged as before.
  EXPECT_EQ(decision_view(json("x")), json("x"));
  EXPECT_EQ(decision_view(json{{"spec", 7}})["spec"], json(7));
}

TEST(StartDecision, ATimeLongPastStartsAtOnce) {
  auto decision = decide_start(deferred_job("2001-01-01T00:00:00Z"), false, kNow);
  EXPECT_EQ(decision.action, StartAction::Release);
}

TEST(StartDecision, AUserHoldIsLeftToQrls) {
  json job = deferred_job("2001-01-01T00:00:00Z");
  job["metadata"]["annotations"]["k8sjobs.io/hold"] = "user";
  EXPECT_EQ(decide_start(job, false, kNow).action, StartAction::None);
}

TEST(StartDecision, NothingToDoForRunningFinishedDeletedOrUndeferredJobs) {
  json running = deferred_job("2001-01-01T00:00:00Z");
  running["spec"]["suspend"] = false;
  EXPECT_EQ(decide_start(running, false, kNow).action, StartAction::None);
  json no_suspend = deferred_job("2001-01-01T00:00:00Z");
  no_suspend["spec"].erase("suspend");
  EXPECT_EQ(decide_start(no_suspend, false, kNow).action, StartAction::None);
  json finished = deferred_job("2001-01-01T00:00:00Z");
  finished["status"]["conditions"] = {{{"type", "Failed"}, {"status", "True"}}};
  EXPECT_EQ(decide_start(finished, false, kNow).action, StartAction::None);
  json deleting = deferred_job("2001-01-01T00:00:00Z");
  deleting["metadata"]["deletionTimestamp"] = "2030-01-01T11:59:00Z";
  EXPECT_EQ(decide_start(deleting, false, kNow).action, StartAction::None);
  json held = deferred_job();
  held["metadata"]["annotations"].erase("k8sjobs.io/start-after");
  EXPECT_EQ(decide_start(held, false, kNow).action, StartAction::None);
}

TEST(StartDecision, ObjectsKubernetesJobsDidNotMakeAreSkipped) {
  json foreign = deferred_job("2001-01-01T00:00:00Z");
  foreign["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "helm";
  auto decision = decide_start(foreign, false, kNow);
  EXPECT_EQ(decision.action, StartAction::Skip);
  EXPECT_EQ(decision.reason,
            "ignoring job/fx-7: label app.kubernetes.io/managed-by is not k8sjobs");

  json spoofed = deferred_job("2001-01-01T00:00:00Z");
  spoofed["metadata"]["labels"]["k8sjobs.io/owner"] = "tools.bob";
  EXPECT_EQ(decide_start(spoofed, false, kNow).action, StartAction::Skip);
}

TEST(StartDecision, HostileFieldsAreSkippedNeverThrow) {
  json bad_time = deferred_job("next tuesday\x1b[2J");
  auto decision = decide_start(bad_time, false, kNow);
  EXPECT_EQ(decision.action, StartAction::Skip);
  EXPECT_EQ(decision.reason,
            "ignoring job/fx-7: annotation k8sjobs.io/start-after \"next tuesday\\x1b[2J\" is not "
            "an RFC 3339 time (left as it is)");
  json not_string = deferred_job();
  not_string["metadata"]["annotations"]["k8sjobs.io/start-after"] = 12;
  EXPECT_EQ(decide_start(not_string, false, kNow).action, StartAction::Skip);
  json suspend_text = deferred_job("2001-01-01T00:00:00Z");
  suspend_text["spec"]["suspend"] = "true";
  EXPECT_EQ(decide_start(suspend_text, false, kNow).action, StartAction::None);
  json no_version = deferred_job("2001-01-01T00:00:00Z");
  no_version["metadata"].erase("resourceVersion");
  EXPECT_EQ(decide_start(no_version, false, kNow).action, StartAction::Skip);
  for (const json& junk : {json(nullptr), json(3), json::array(), json{{"metadata", 1}},
                           json{{"metadata", {{"labels", "x"}}}, {"spec", json::array()}}}) {
    EXPECT_EQ(decide_start(junk, false, kNow).action, StartAction::Skip) << junk.dump();
  }
}

TEST(StartDecision, DeploymentsWaitAtZeroReplicasAndStartWithOne) {
  json deployment = deferred_job();
  deployment["kind"] = "Deployment";
  deployment["spec"] = {{"replicas", 0}};
  EXPECT_EQ(decide_start(deployment, true, kNow).action, StartAction::Wait);
  auto decision = decide_start(deployment, true, kNow + seconds(3600));
  ASSERT_EQ(decision.action, StartAction::Release);
  EXPECT_EQ(release_patch(decision)[1],
            json::parse(R"({"op":"replace","path":"/spec/replicas","value":1})"));
  deployment["spec"]["replicas"] = 1;
  EXPECT_EQ(decide_start(deployment, true, kNow + seconds(3600)).action, StartAction::None);
}

// qstat: waiting for the -a time is qw with the time as execution_time; held as well is hqw;
// a suspended job without a start time is a user hold as before.
TEST(StartDecision, QstatShowsWaitingAsQwAndHeldAsHqw) {
  auto letters = [](const json& job) {
    auto records = jobs::derive_job_records({{job}, {}, {}, {}});
    EXPECT_EQ(records.size(), 1u);
    if (records.empty()) return std::string();
    return qstat::state_letters(records[0], records[0].tasks.at(0));
  };
  json waiting = deferred_job();
  EXPECT_EQ(letters(waiting), "qw");
  EXPECT_EQ(jobs::derive_job_records({{waiting}, {}, {}, {}}).at(0).execution_time,
            kNow + seconds(1800));
  json held = deferred_job();
  held["metadata"]["annotations"]["k8sjobs.io/hold"] = "user";
  EXPECT_EQ(letters(held), "hqw");
  json plain = deferred_job();
  plain["metadata"]["annotations"].erase("k8sjobs.io/start-after");
  EXPECT_EQ(letters(plain), "hqw");
  json unreadable = deferred_job("soon");
  EXPECT_EQ(letters(unreadable), "hqw");
}

}  // namespace
}  // namespace k8sjobs::controller
