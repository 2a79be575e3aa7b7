// Updates, patches and deletes: conflicts, content types, propagation policies, preconditions.

#include <gtest/gtest.h>

#include "apiserver/apiserver_test_helpers.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

TEST(TestApiServerWrite, PutWithAStaleResourceVersionConflicts) {
  ApiServerWorld w;
  auto alice = w.alice();
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "cfg"}}},
             {"data", {{"k", "1"}}}};
  auto created = alice.post_json("/api/v1/namespaces/tool-alice/configmaps", cm).json();
  json update = created;
  update["data"]["k"] = "2";
  auto ok = alice.request("PUT", "/api/v1/namespaces/tool-alice/configmaps/cfg", update.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.json()["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"]);
  update["data"]["k"] = "3";  // still carries the old resourceVersion
  auto stale = alice.request("PUT", "/api/v1/namespaces/tool-alice/configmaps/cfg", update.dump());
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.json()["message"],
            "Operation cannot be fulfilled on configmaps \"cfg\": the object has been modified; "
            "please apply your changes to the latest version and try again");
  EXPECT_EQ(stale.json()["reason"], "Conflict");
  EXPECT_EQ(w.server.get("/api/v1/namespaces/tool-alice/configmaps/cfg").value()["data"]["k"], "2");
}

TEST(TestApiServerWrite, MergePatchResumesASuspendedJobAndChecksResourceVersion) {
  ApiServerWorld w;
  auto alice = w.alice();
  auto created = alice.post_json(kJobs, job_manifest("fx-suspend", {{"suspend", true}})).json();
  EXPECT_TRUE(w.server.pods_of_job("tool-alice", "fx-suspend").empty());
  auto suspended = w.server.get(std::string(kJobs) + "/fx-suspend").value();
  EXPECT_EQ(suspended["status"]["conditions"][0]["type"], "Suspended");
  auto stale = alice.request(
      "PATCH", std::string(kJobs) + "/fx-suspend",
      json{{"metadata", {{"resourceVersion", "1"}}}, {"spec", {{"suspend", false}}}}.dump(),
      "application/merge-patch+json");
  EXPECT_EQ(stale.status, 409);
  auto wrong_type = alice.request("PATCH", std::string(kJobs) + "/fx-suspend",
                                  R"({"spec":{"suspend":false}})", "application/json");
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_EQ(wrong_type.json(), recorded_response("job-patch-wrong-content-type-415.json"));
  auto resumed = alice.request("PATCH", std::string(kJobs) + "/fx-suspend",
                               R"({"spec":{"suspend":false}})", "application/merge-patch+json");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(resumed.json()["metadata"]["generation"], 2);
  EXPECT_EQ(w.server.pods_of_job("tool-alice", "fx-suspend").size(), 1u);
  auto job = w.server.get(std::string(kJobs) + "/fx-suspend").value();
  EXPECT_EQ(job["status"]["active"], 1);
  EXPECT_EQ(job["status"]["conditions"][0]["status"], "False");
  EXPECT_EQ(job["status"]["conditions"][0]["reason"], "JobResumed");
  (void)created;
}

// kube-apiserver v1.27+: a Job suspended since its creation may change its pod template's
// labels, annotations and scheduling directives, nothing else of it; once started, none.
TEST(TestApiServerWrite, ASuspendedJobThatNeverRanMayRelabelItsPodTemplateOnly) {
  ApiServerWorld w;
  auto alice = w.alice();
  alice.post_json(kJobs, job_manifest("fx-relabel", {{"suspend", true}}));
  const std::string path = std::string(kJobs) + "/fx-relabel";
  auto relabel = [&](const std::string& value) {
    return alice.request(
        "PATCH", path,
        json{{"spec", {{"template", {{"metadata", {{"labels", {{"run", value}}}}}}}}}}.dump(),
        "application/merge-patch+json");
  };
  auto relabelled = relabel("7");
  ASSERT_EQ(relabelled.status, 200) << relabelled.body;
  EXPECT_EQ(relabelled.json()["spec"]["template"]["metadata"]["labels"]["run"], "7");
  auto image = alice.request(
      "PATCH", path,
      R"({"spec":{"template":{"spec":{"containers":[{"name":"main","image":"debian"}]}}}})",
      "application/merge-patch+json");
  EXPECT_EQ(image.status, 422) << image.body;
  EXPECT_NE(image.json()["message"].get<std::string>().find("field is immutable"),
            std::string::npos);

  // The number and the start in one JSON patch, as k8sjobs-controller sends them.
  auto started =
      alice.request("PATCH", path,
                    R"([{"op":"add","path":"/spec/template/metadata/labels/run","value":"8"},
          {"op":"replace","path":"/spec/suspend","value":false}])",
                    "application/json-patch+json");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(w.server.pods_of_job("tool-alice", "fx-relabel").size(), 1u);
  EXPECT_EQ(relabel("9").status, 422);

  // Suspended again after it ran: still immutable.
  auto suspended =
      alice.request("PATCH", path, R"({"spec":{"suspend":true}})", "application/merge-patch+json");
  ASSERT_EQ(suspended.status, 200) << suspended.body;
  EXPECT_EQ(relabel("10").status, 422);
}

TEST(TestApiServerWrite, JsonPatchAppliesOperationsAndFailsOnAFailedTest) {
  ApiServerWorld w;
  auto alice = w.alice();
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("jp", {{"suspend", true}})).status, 201);
  auto failed = alice.request(
      "PATCH", std::string(kJobs) + "/jp",
      R"([{"op":"test","path":"/spec/suspend","value":false},{"op":"replace","path":"/spec/suspend","value":false}])",
      "application/json-patch+json");
  EXPECT_EQ(failed.status, 422);
  EXPECT_EQ(failed.json()["reason"], "Invalid");
  EXPECT_TRUE(w.server.pods_of_job("tool-alice", "jp").empty());
  auto ok = alice.request(
      "PATCH", std::string(kJobs) + "/jp",
      R"([{"op":"test","path":"/spec/suspend","value":true},{"op":"add","path":"/metadata/labels/extra","value":"yes"}])",
      "application/json-patch+json");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()["metadata"]["labels"]["extra"], "yes");
  auto missing =
      alice.request("PATCH", std::string(kJobs) + "/nope", "[]", "application/json-patch+json");
  EXPECT_EQ(missing.status, 404);
}

TEST(TestApiServerWrite, DeletingAJobWithoutAPolicyOrphansItsPodsWithAWarning) {
  ApiServerWorld w;
  auto alice = w.alice();
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("fx-orphan")).status, 201);
  std::string pod = w.server.pods_of_job("tool-alice", "fx-orphan").at(0);
  auto r = alice.request("DELETE", std::string(kJobs) + "/fx-orphan");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("warning"),
            "299 - \"child pods are preserved by default when jobs are deleted; set "
            "propagationPolicy=Background to remove them or set propagationPolicy=Orphan to "
            "suppress this warning\"");
  json body = r.json();
  expect_same_shape(body["metadata"],
                    recorded_response("job-delete-default-orphan-200.json")["metadata"]);
  EXPECT_EQ(body["metadata"]["finalizers"], json({"orphan"}));
  EXPECT_FALSE(w.server.get(std::string(kJobs) + "/fx-orphan").has_value());
  auto left = w.server.get(std::string(kPods) + "/" + pod);
  ASSERT_TRUE(left.has_value());
  EXPECT_FALSE(left.value()["metadata"].contains("ownerReferences"));
  EXPECT_FALSE(left.value()["metadata"].contains("finalizers"));
}

TEST(TestApiServerWrite, BackgroundAndForegroundDeletionRemoveDependents) {
  ApiServerWorld w;
  auto alice = w.alice();
  std::string uid = alice.post_json(kJobs, job_manifest("fx-job")).json()["metadata"]["uid"];
  ASSERT_EQ(w.server.pods_of_job("tool-alice", "fx-job").size(), 1u);
  auto bg = alice.request("DELETE", std::string(kJobs) + "/fx-job?propagationPolicy=Background");
  ASSERT_EQ(bg.status, 200);
  json expected = recorded_response("job-delete-background-200.json");
  expected["details"]["uid"] = uid;
  EXPECT_EQ(bg.json(), expected);
  EXPECT_TRUE(bg.header("warning").empty());
  EXPECT_TRUE(w.server.pods_of_job("tool-alice", "fx-job").empty());

  ASSERT_EQ(alice.post_json(kJobs, job_manifest("body-policy")).status, 201);
  auto by_body = alice.request(
      "DELETE", std::string(kJobs) + "/body-policy",
      R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"})");
  EXPECT_EQ(by_body.json()["status"], "Success");
  EXPECT_TRUE(w.server.list(kPods).empty());

  json deployment = {{"apiVersion", "apps/v1"},
                     {"kind", "Deployment"},
                     {"metadata", {{"name", "fx-web"}}},
                     {"spec",
                      {{"replicas", 2},
                       {"selector", {{"matchLabels", {{"app", "fx-web"}}}}},
                       {"template",
                        {{"metadata", {{"labels", {{"app", "fx-web"}}}}},
                         {"spec", {{"containers", {{{"name", "web"}, {"image", "busybox"}}}}}}}}}}};
  ASSERT_EQ(alice.post_json("/apis/apps/v1/namespaces/tool-alice/deployments", deployment).status,
            201);
  EXPECT_EQ(w.server.pods_of_deployment("tool-alice", "fx-web").size(), 2u);
  auto fg = alice.request(
      "DELETE",
      "/apis/apps/v1/namespaces/tool-alice/deployments/fx-web?propagationPolicy=Foreground");
  ASSERT_EQ(fg.status, 200);
  EXPECT_EQ(fg.json()["metadata"]["finalizers"], json({"foregroundDeletion"}));
  EXPECT_TRUE(fg.json()["metadata"].contains("deletionTimestamp"));
  EXPECT_TRUE(w.server.pods_of_deployment("tool-alice", "fx-web").empty());
  EXPECT_FALSE(w.server.get("/apis/apps/v1/namespaces/tool-alice/deployments/fx-web").has_value());
}

TEST(TestApiServerWrite, DeletePreconditionsAndPodDeleteReturnsThePod) {
  ApiServerWorld w;
  auto alice = w.alice();
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "fx-pending"}}},
              {"spec", {{"containers", {{{"name", "main"}, {"image", "busybox"}}}}}}};
  auto created = alice.post_json(kPods, pod).json();
  auto wrong_uid = alice.request("DELETE", std::string(kPods) + "/fx-pending",
                                 R"({"preconditions":{"uid":"not-it"}})");
  EXPECT_EQ(wrong_uid.status, 409);
  EXPECT_EQ(wrong_uid.json()["message"],
            "Operation cannot be fulfilled on pods \"fx-pending\": Precondition failed: UID in "
            "precondition: not-it, UID in object meta: " +
                created["metadata"]["uid"].get<std::string>());
  auto wrong_rv = alice.request("DELETE", std::string(kPods) + "/fx-pending",
                                R"({"preconditions":{"resourceVersion":"1"}})");
  EXPECT_EQ(wrong_rv.status, 409);
  auto ok = alice.request("DELETE", std::string(kPods) + "/fx-pending",
                          json{{"preconditions", {{"uid", created["metadata"]["uid"]}}}}.dump());
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.json()["kind"], "Pod");
  expect_same_shape(ok.json()["metadata"], recorded_response("pod-delete-200.json")["metadata"]);
  EXPECT_EQ(alice.request("DELETE", std::string(kPods) + "/fx-pending").status, 404);
}

}  // namespace
}  // namespace k8sjobs::testing
