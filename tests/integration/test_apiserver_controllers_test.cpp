// The simulated controllers: Job pods and status through success, failure and retries,
// Indexed jobs, Deployments with restarts, pod states, and quotas.

#include <gtest/gtest.h>

#include "apiserver/apiserver_test_helpers.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

json condition(const json& job, const std::string& type) {
  for (const auto& c : job["status"].value("conditions", json::array())) {
    if (c["type"] == type) return c;
  }
  return nullptr;
}

TEST(TestApiServerControllers, JobRunsAPodToCompletion) {
  ApiServerWorld w;
  w.server.create(kJobs, job_manifest("fx-job"));
  auto pods = w.server.pods_of_job("tool-alice", "fx-job");
  ASSERT_EQ(pods.size(), 1u);
  json pod = w.server.get(std::string(kPods) + "/" + pods[0]).value();
  EXPECT_EQ(pod["metadata"]["labels"]["batch.kubernetes.io/job-name"], "fx-job");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(pod["metadata"]["finalizers"], json({"batch.kubernetes.io/job-tracking"}));
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  w.server.set_pod_running("tool-alice", pods[0]);
  pod = w.server.get(std::string(kPods) + "/" + pods[0]).value();
  expect_same_shape(pod["status"], recorded_response("pod-running.json")["status"]);
  json job = w.server.get(std::string(kJobs) + "/fx-job").value();
  EXPECT_EQ(job["status"]["active"], 1);
  EXPECT_EQ(job["status"]["ready"], 1);
  w.server.finish_pod("tool-alice", pods[0], 0);
  pod = w.server.get(std::string(kPods) + "/" + pods[0]).value();
  expect_same_shape(pod["status"], recorded_response("pod-succeeded.json")["status"]);
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
  EXPECT_FALSE(pod["metadata"].contains("finalizers"));
  job = w.server.get(std::string(kJobs) + "/fx-job").value();
  expect_same_shape(job["status"], recorded_response("job-get-complete.json")["status"]);
  EXPECT_EQ(job["status"]["succeeded"], 1);
  EXPECT_FALSE(job["status"].contains("active"));
  EXPECT_FALSE(job["status"].contains("failed"));
  EXPECT_EQ(condition(job, "Complete")["status"], "True");
  EXPECT_EQ(condition(job, "SuccessCriteriaMet")["reason"], "CompletionsReached");
}

TEST(TestApiServerControllers, FailedPodsAreRetriedUpToTheBackoffLimit) {
  ApiServerWorld w;
  w.server.create(kJobs, job_manifest("fx-fail", {{"backoffLimit", 1}}));
  auto first = w.server.pods_of_job("tool-alice", "fx-fail").at(0);
  w.server.finish_pod("tool-alice", first, 3);
  json pod = w.server.get(std::string(kPods) + "/" + first).value();
  expect_same_shape(pod["status"], recorded_response("pod-failed.json")["status"]);
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 3);
  auto pods = w.server.pods_of_job("tool-alice", "fx-fail");
  ASSERT_EQ(pods.size(), 2u);  // a replacement
  std::string second = pods[0] == first ? pods[1] : pods[0];
  EXPECT_EQ(w.server.get(std::string(kJobs) + "/fx-fail").value()["status"]["failed"], 1);
  w.server.kill_pod_by_signal("tool-alice", second, 9);
  EXPECT_EQ(w.server.get(std::string(kPods) + "/" + second)
                .value()["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"],
            137);
  json job = w.server.get(std::string(kJobs) + "/fx-fail").value();
  expect_same_shape(job["status"], recorded_response("job-get-failed.json")["status"]);
  EXPECT_EQ(job["status"]["failed"], 2);
  EXPECT_EQ(condition(job, "Failed")["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(condition(job, "FailureTarget")["status"], "True");
  EXPECT_EQ(w.server.pods_of_job("tool-alice", "fx-fail").size(), 2u);  // no more retries
}

TEST(TestApiServerControllers, ParallelAndIndexedJobs) {
  ApiServerWorld w;
  w.server.create(kJobs, job_manifest("par", {{"completions", 3}, {"parallelism", 2}}));
  auto pods = w.server.pods_of_job("tool-alice", "par");
  ASSERT_EQ(pods.size(), 2u);
  w.server.finish_pod("tool-alice", pods[0], 0);
  EXPECT_EQ(w.server.pods_of_job("tool-alice", "par").size(), 3u);
  json idx =
      job_manifest("idx", {{"completions", 2}, {"parallelism", 2}, {"completionMode", "Indexed"}});
  w.server.create(kJobs, idx);
  std::set<std::string> indexes;
  for (const auto& name : w.server.pods_of_job("tool-alice", "idx")) {
    json pod = w.server.get(std::string(kPods) + "/" + name).value();
    indexes.insert(pod["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
                       .get<std::string>());
    w.server.finish_pod("tool-alice", name, 0);
  }
  EXPECT_EQ(indexes, (std::set<std::string>{"0", "1"}));
  json job = w.server.get(std::string(kJobs) + "/idx").value();
  EXPECT_EQ(job["status"]["completedIndexes"], "0-1");
  EXPECT_EQ(condition(job, "Complete")["status"], "True");
}

TEST(TestApiServerControllers, DeploymentPodsRunAndRestartInPlace) {
  ApiServerWorld w;
  json container = {{"name", "web"},
                    {"image", "busybox"},
                    {"command", {"sleep", "infinity"}},
                    {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "64Mi"}}}}}};
  json deployment = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}};
  deployment["metadata"]["name"] = "fx-web";
  deployment["spec"]["selector"]["matchLabels"]["app"] = "fx-web";
  deployment["spec"]["template"]["metadata"]["labels"]["app"] = "fx-web";
  deployment["spec"]["template"]["spec"]["containers"] = json::array({container});
  w.server.create("/apis/apps/v1/namespaces/tool-alice/deployments", deployment);
  auto pods = w.server.pods_of_deployment("tool-alice", "fx-web");
  ASSERT_EQ(pods.size(), 1u);
  w.server.set_pod_running("tool-alice", pods[0]);
  json d = w.server.get("/apis/apps/v1/namespaces/tool-alice/deployments/fx-web").value();
  expect_same_shape(d, recorded_response("deployment-get-available.json"));
  EXPECT_EQ(d["status"]["readyReplicas"], 1);
  w.server.finish_pod("tool-alice", pods[0], 1);
  json pod = w.server.get(std::string(kPods) + "/" + pods[0]).value();
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["restartCount"], 1);
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 1);
  auto alice = w.alice();
  auto scale = alice.request("GET", "/apis/apps/v1/namespaces/tool-alice/deployments/fx-web/scale");
  EXPECT_EQ(scale.json()["status"]["selector"], "app=fx-web");
}

TEST(TestApiServerControllers, PendingPodStates) {
  ApiServerWorld w;
  w.server.create(kJobs, job_manifest("p1"));
  w.server.create(kJobs, job_manifest("p2"));
  auto a = w.server.pods_of_job("tool-alice", "p1").at(0);
  auto b = w.server.pods_of_job("tool-alice", "p2").at(0);
  w.server.set_pod_image_pull_backoff("tool-alice", a);
  json pa = w.server.get(std::string(kPods) + "/" + a).value();
  EXPECT_EQ(pa["status"]["phase"], "Pending");
  EXPECT_EQ(pa["status"]["containerStatuses"][0]["state"]["waiting"]["reason"], "ImagePullBackOff");
  w.server.set_pod_unschedulable("tool-alice", b, "0/1 nodes are available: 1 Insufficient cpu.");
  json pb = w.server.get(std::string(kPods) + "/" + b).value();
  expect_same_shape(pb["status"], recorded_response("pod-pending.json")["status"]);
  EXPECT_EQ(pb["status"]["conditions"][0]["reason"], "Unschedulable");
  EXPECT_EQ(pb["status"]["conditions"][0]["message"],
            "0/1 nodes are available: 1 Insufficient cpu.");
}

TEST(TestApiServerControllers, QuotaRefusesTheObjectBeyondTheLimit) {
  ApiServerWorld w;
  auto alice = w.alice();
  w.server.set_quota("tool-alice", "count/jobs.batch", 2);
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("q1")).status, 201);
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("q2")).status, 201);
  auto refused = alice.post_json(kJobs, job_manifest("q3"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json()["message"],
            "jobs.batch \"q3\" is forbidden: exceeded quota: k8sjobs-quota, requested: "
            "count/jobs.batch=1, used: count/jobs.batch=2, limited: count/jobs.batch=2");
  EXPECT_EQ(refused.json()["reason"], "Forbidden");
  w.server.set_quota("tool-alice", "pods", 2);
  w.server.set_quota("tool-alice", "count/jobs.batch", 10);
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("q4")).status, 201);
  EXPECT_TRUE(w.server.pods_of_job("tool-alice", "q4").empty());  // no room for its pod
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "extra"}}},
              {"spec", {{"containers", {{{"name", "main"}, {"image", "busybox"}}}}}}};
  EXPECT_EQ(alice.post_json(kPods, pod).status, 403);
}

}  // namespace
}  // namespace k8sjobs::testing
