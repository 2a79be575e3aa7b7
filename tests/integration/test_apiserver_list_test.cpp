// Lists: label and field selectors, limit/continue pagination, Exact lists and compaction (410).

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "apiserver/apiserver_test_helpers.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

std::vector<std::string> names(const json& list) {
  std::vector<std::string> out;
  for (const auto& item : list["items"]) out.push_back(item["metadata"]["name"]);
  return out;
}

json job_with_labels(const std::string& name, const json& labels, bool suspend = true) {
  json job = job_manifest(name, {{"suspend", suspend}});
  job["metadata"]["labels"] = labels;
  return job;
}

TEST(TestApiServerList, LabelSelectorsSupportEveryOperator) {
  ApiServerWorld w;
  auto alice = w.alice();
  ASSERT_EQ(alice.post_json(kJobs, job_with_labels("a", {{"app", "fx"}, {"tier", "web"}})).status,
            201);
  ASSERT_EQ(alice.post_json(kJobs, job_with_labels("b", {{"app", "fx"}, {"tier", "db"}})).status,
            201);
  ASSERT_EQ(alice.post_json(kJobs, job_with_labels("c", {{"app", "other"}})).status, 201);
  auto select = [&](const std::string& selector) {
    auto r = alice.request("GET", std::string(kJobs) + "?labelSelector=" + selector);
    EXPECT_EQ(r.status, 200) << selector << ": " << r.body;
    return names(r.json());
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(select("app%3Dfx"), (V{"a", "b"}));
  EXPECT_EQ(select("app%3D%3Dfx"), (V{"a", "b"}));
  EXPECT_EQ(select("app!%3Dfx"), (V{"c"}));
  EXPECT_EQ(select("tier%20in%20(web,db)"), (V{"a", "b"}));
  EXPECT_EQ(select("tier%20notin%20(web)"), (V{"b", "c"}));
  EXPECT_EQ(select("tier"), (V{"a", "b"}));
  EXPECT_EQ(select("!tier"), (V{"c"}));
  EXPECT_EQ(select("app%3Dfx,tier!%3Dweb"), (V{"b"}));
  auto bad = alice.request("GET", std::string(kJobs) + "?labelSelector=app%3D%3D%3Dx%20y");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["reason"], "BadRequest");
  auto list = alice.request("GET", std::string(kJobs) + "?labelSelector=app%3Dfx").json();
  EXPECT_EQ(list["kind"], "JobList");
  EXPECT_EQ(list["apiVersion"], "batch/v1");
  EXPECT_EQ(list["metadata"]["resourceVersion"], w.server.resource_version());
  EXPECT_FALSE(list["items"][0].contains("kind"));  // like the real server
}

TEST(TestApiServerList, FieldSelectorsOnNameNamespaceAndPodPhase) {
  ApiServerWorld w;
  auto alice = w.alice();
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("one")).status, 201);
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("two")).status, 201);
  auto by_name = alice.request("GET", std::string(kJobs) + "?fieldSelector=metadata.name%3Dtwo");
  EXPECT_EQ(names(by_name.json()), std::vector<std::string>{"two"});
  auto not_name = alice.request("GET", std::string(kJobs) + "?fieldSelector=metadata.name!%3Dtwo");
  EXPECT_EQ(names(not_name.json()), std::vector<std::string>{"one"});
  auto ns = alice.request("GET",
                          std::string(kJobs) + "?fieldSelector=metadata.namespace%3D%3Dtool-alice");
  EXPECT_EQ(ns.json()["items"].size(), 2u);
  auto pod = w.server.pods_of_job("tool-alice", "one").at(0);
  w.server.set_pod_running("tool-alice", pod);
  auto running = alice.request("GET", std::string(kPods) + "?fieldSelector=status.phase%3DRunning");
  EXPECT_EQ(names(running.json()), std::vector<std::string>{pod});
  auto pending = alice.request("GET", std::string(kPods) + "?fieldSelector=status.phase%3DPending");
  EXPECT_EQ(names(pending.json()), w.server.pods_of_job("tool-alice", "two"));
  auto unsupported = alice.request("GET", std::string(kJobs) + "?fieldSelector=spec.foo%3Dx");
  EXPECT_EQ(unsupported.status, 400);
  EXPECT_EQ(unsupported.json()["message"], "field label not supported: spec.foo");
}

// core/v1 Events as kube-apiserver v1.32 serves them: the components write them (the Job
// controller on the Job, the scheduler through events.k8s.io with eventTime only, the kubelet on
// the pod), a field selector on involvedObject.kind/name picks one object's, and a field the
// real server does not index is a 400 Status.
TEST(TestApiServerList, EventsOfAJobAndItsPodByInvolvedObject) {
  ApiServerWorld w;
  auto alice = w.alice();
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("one")).status, 201);
  const std::string pod = w.server.pods_of_job("tool-alice", "one").at(0);
  w.server.set_pod_running("tool-alice", pod, "node-2");
  const std::string events = "/api/v1/namespaces/tool-alice/events?fieldSelector=";
  auto of_job =
      alice.request("GET", events + "involvedObject.kind%3DJob%2CinvolvedObject.name%3Done");
  ASSERT_EQ(of_job.status, 200) << of_job.body;
  ASSERT_EQ(of_job.json()["items"].size(), 1u);
  const json created = of_job.json()["items"][0];
  EXPECT_EQ(created["reason"], "SuccessfulCreate");
  EXPECT_EQ(created["message"], "Created pod: " + pod);
  EXPECT_EQ(created["source"]["component"], "job-controller");
  EXPECT_EQ(created["involvedObject"]["apiVersion"], "batch/v1");
  EXPECT_EQ(created["count"], 1);
  auto of_pod =
      alice.request("GET", events + "involvedObject.kind%3DPod%2CinvolvedObject.name%3D" + pod);
  // Listed by name (the object's name and a random suffix), as the real server lists them.
  std::map<std::string, json> by_reason;
  const json pod_events = of_pod.json();
  for (const auto& item : pod_events["items"]) by_reason[item["reason"]] = item;
  ASSERT_EQ(by_reason.size(), 4u) << of_pod.body;
  for (const char* reason : {"Scheduled", "Pulled", "Created", "Started"})
    EXPECT_EQ(by_reason.count(reason), 1u) << reason;
  const json& scheduled = by_reason["Scheduled"];
  EXPECT_TRUE(scheduled["lastTimestamp"].is_null());
  EXPECT_TRUE(scheduled["eventTime"].is_string());
  EXPECT_EQ(scheduled["reportingComponent"], "default-scheduler");
  EXPECT_EQ(scheduled["message"], "Successfully assigned tool-alice/" + pod + " to node-2");
  EXPECT_EQ(by_reason["Started"]["source"]["host"], "node-2");
  EXPECT_EQ(by_reason["Started"]["involvedObject"]["fieldPath"], "spec.containers{main}");
  auto unsupported = alice.request("GET", events + "involvedObject.foo%3Dx");
  EXPECT_EQ(unsupported.status, 400);
  EXPECT_EQ(unsupported.json()["kind"], "Status");
  EXPECT_EQ(unsupported.json()["reason"], "BadRequest");
  EXPECT_EQ(unsupported.json()["message"], "field label not supported: involvedObject.foo");
}

// Nodes are cluster-scoped: a user confined to namespaces may not list them (403 at the
// cluster scope, as kube-apiserver words it); one bound cluster-wide may.
TEST(TestApiServerList, NodesAreClusterScoped) {
  ApiServerWorld w;
  w.server.create("/api/v1/nodes",
                  {{"metadata", {{"name", "node-1"}}},
                   {"status", {{"allocatable", {{"cpu", "4"}, {"memory", "16Gi"}}}}}});
  auto forbidden = w.alice().request("GET", "/api/v1/nodes");
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.json()["message"],
            "nodes is forbidden: User \"tools.alice\" cannot list resource \"nodes\" in API group "
            "\"\" at the cluster scope");
  w.server.add_token_user("admin-token", "admin", {"*"});
  auto listed = HttpsTestClient(w.server.port(), w.server.ca_pem(), "admin-token")
                    .request("GET", "/api/v1/nodes");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json()["items"].size(), 1u);
  EXPECT_FALSE(listed.json()["items"][0]["metadata"].contains("namespace"));
  EXPECT_EQ(listed.json()["items"][0]["status"]["allocatable"]["memory"], "16Gi");
}

TEST(TestApiServerList, PaginatesWithOpaqueContinueTokensAtOneResourceVersion) {
  ApiServerWorld w;
  auto alice = w.alice();
  for (const char* n : {"j1", "j2", "j3", "j4", "j5"}) {
    ASSERT_EQ(alice.post_json(kJobs, job_manifest(n, {{"suspend", true}})).status, 201);
  }
  auto first = alice.request("GET", std::string(kJobs) + "?limit=2").json();
  json recorded = recorded_response("jobs-list-limit1.json");
  expect_same_shape(first["metadata"], recorded["metadata"]);
  expect_same_shape(first["items"][0]["metadata"], recorded["items"][0]["metadata"]);
  expect_same_shape(first["items"][0]["spec"], recorded["items"][0]["spec"]);
  EXPECT_EQ(names(first), (std::vector<std::string>{"j1", "j2"}));
  EXPECT_EQ(first["metadata"]["remainingItemCount"], 3);
  const std::string rv = first["metadata"]["resourceVersion"];
  // Changes after the first page do not show up in later pages (consistent snapshot).
  ASSERT_EQ(alice.post_json(kJobs, job_manifest("j6", {{"suspend", true}})).status, 201);
  ASSERT_EQ(alice.request("DELETE", std::string(kJobs) + "/j3?propagationPolicy=Background").status,
            200);
  std::vector<std::string> seen = names(first);
  std::string token = first["metadata"]["continue"];
  while (!token.empty()) {
    auto page = alice.request("GET", std::string(kJobs) + "?limit=2&continue=" + token).json();
    EXPECT_EQ(page["metadata"]["resourceVersion"], rv);
    for (const auto& n : names(page)) seen.push_back(n);
    token = page["metadata"].value("continue", "");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"j1", "j2", "j3", "j4", "j5"}));
  auto last = alice.request("GET", std::string(kJobs) + "?limit=10").json();
  EXPECT_FALSE(last["metadata"].contains("continue"));
  EXPECT_FALSE(last["metadata"].contains("remainingItemCount"));
}

TEST(TestApiServerList, CompactionExpiresOldContinueTokensAndExactLists) {
  ApiServerWorld w;
  auto alice = w.alice();
  for (const char* n : {"fx-fail", "fx-job", "fx-other"}) {
    ASSERT_EQ(alice.post_json(kJobs, job_manifest(n, {{"suspend", true}})).status, 201);
  }
  auto page = alice.request("GET", std::string(kJobs) + "?limit=1").json();
  std::string token = page["metadata"]["continue"];
  std::string old_rv = page["metadata"]["resourceVersion"];
  ASSERT_EQ(
      alice.request("DELETE", std::string(kJobs) + "/fx-other?propagationPolicy=Background").status,
      200);
  auto exact = alice.request(
      "GET", std::string(kJobs) + "?resourceVersion=" + old_rv + "&resourceVersionMatch=Exact");
  EXPECT_EQ(exact.status, 200);
  EXPECT_EQ(names(exact.json()), (std::vector<std::string>{"fx-fail", "fx-job", "fx-other"}));
  w.server.compact();
  auto expired = alice.request("GET", std::string(kJobs) + "?limit=1&continue=" + token);
  EXPECT_EQ(expired.status, 410);
  json body = expired.json();
  json recorded = recorded_response("jobs-list-old-continue-410.json");
  EXPECT_EQ(body["message"], recorded["message"]);
  EXPECT_EQ(body["reason"], "Expired");
  EXPECT_EQ(body["code"], 410);
  EXPECT_FALSE(body["metadata"]["continue"].get<std::string>().empty());
  auto old = alice.request(
      "GET", std::string(kJobs) + "?resourceVersion=" + old_rv + "&resourceVersionMatch=Exact");
  EXPECT_EQ(old.status, 410);
  EXPECT_EQ(old.json(), recorded_response("jobs-list-rv1-exact-410.json"));
}

}  // namespace
}  // namespace k8sjobs::testing
