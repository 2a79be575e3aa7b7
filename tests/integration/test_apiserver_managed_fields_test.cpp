// SPDX-License-Identifier: Apache-2.0
// metadata.managedFields on the test API server, compared with what kube-apiserver v1.32
// recorded for the same requests (tests/data/k8s/responses: the same manifests, written by a
// client whose User-Agent was "k8s-real-fixtures/1.0"; the pods moved by a simulated node that
// wrote as "fake-kubelet", here "kubelet").

#include <gtest/gtest.h>

#include <memory>
#include <regex>

#include "apiserver/apiserver_test_helpers.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"
#include "support/test_client.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

// Recorded uids and pod IPs differ from ours: keys naming them are compared without them.
json normalized(const json& fields) {
  if (!fields.is_object()) return fields;
  json out = json::object();
  static const std::regex uid(R"(^k:\{"uid":"[^"]*"\}$)");
  static const std::regex ip(R"(^k:\{"ip":"[^"]*"\}$)");
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    std::string key = it.key();
    if (std::regex_match(key, uid)) key = R"(k:{"uid":"*"})";
    if (std::regex_match(key, ip)) key = R"(k:{"ip":"*"})";
    out[key] = normalized(it.value());
  }
  return out;
}

// The entry of `manager` (and subresource) in an object's managedFields, or null.
json entry_of(const json& object, const std::string& manager, const std::string& subresource = "") {
  for (const auto& entry : object["metadata"].value("managedFields", json::array())) {
    if (entry.value("manager", "") == manager && entry.value("subresource", "") == subresource) {
      return entry;
    }
  }
  return nullptr;
}

json fields_of(const json& object, const std::string& manager,
               const std::string& subresource = "") {
  json entry = entry_of(object, manager, subresource);
  return entry.is_null() ? json() : normalized(entry["fieldsV1"]);
}

std::vector<std::string> managers_of(const json& object) {
  std::vector<std::string> managers;
  for (const auto& entry : object["metadata"].value("managedFields", json::array())) {
    managers.push_back(entry.value("manager", "") +
                       (entry.contains("subresource") ? "/" + entry.value("subresource", "") : ""));
  }
  return managers;
}

// The manifest the recordings' fx-job was created from.
json fx_job() {
  json job = job_manifest("fx-job");
  job["metadata"]["labels"]["fx-run"] = "r1";
  job["spec"]["template"]["metadata"] = {{"annotations", {{"sim/duration-seconds", "4"}}}};
  return job;
}

struct ManagedFieldsWorld : ApiServerWorld {
  std::unique_ptr<HttpsTestClient> fixtures_client() {
    auto client = std::make_unique<HttpsTestClient>(server.port(), server.ca_pem(), "alice-token");
    client->set_user_agent("k8s-real-fixtures/1.0");
    return client;
  }
};

TEST(TestApiServerManagedFields, AJobAndItsPodCarryTheRecordedManagedFieldsAtEachStep) {
  ManagedFieldsWorld w;
  auto client = w.fixtures_client();
  auto created = client->post_json(kJobs, fx_job());
  ASSERT_EQ(created.status, 201) << created.body;
  const json recorded_create = recorded_response("job-create-201.json");
  json entry = entry_of(created.json(), "k8s-real-fixtures");
  ASSERT_FALSE(entry.is_null()) << created.body;
  // Same keys, same order, same values but the time.
  const json recorded_entry = recorded_create["metadata"]["managedFields"][0];
  std::vector<std::string> keys, recorded_keys;
  const auto recorded_ordered = nlohmann::ordered_json::parse(
      recorded_text("job-create-201.json"))["metadata"]["managedFields"][0];
  for (auto it = recorded_ordered.begin(); it != recorded_ordered.end(); ++it) {
    recorded_keys.push_back(it.key());
  }
  auto ordered_entry = nlohmann::ordered_json::parse(created.body)["metadata"]["managedFields"][0];
  for (auto it = ordered_entry.begin(); it != ordered_entry.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"manager", "operation", "apiVersion", "time",
                                            "fieldsType", "fieldsV1"}));
  EXPECT_EQ(keys, recorded_keys);
  EXPECT_EQ(entry["operation"], "Update");
  EXPECT_EQ(entry["apiVersion"], "batch/v1");
  EXPECT_EQ(entry["fieldsType"], "FieldsV1");
  EXPECT_TRUE(std::regex_match(entry["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_EQ(normalized(entry["fieldsV1"]), normalized(recorded_entry["fieldsV1"]));
  EXPECT_EQ(managers_of(created.json()), (std::vector<std::string>{"k8s-real-fixtures"}));

  // The Job controller made the pod and wrote the Job's status.
  auto pods = w.server.pods_of_job("tool-alice", "fx-job");
  ASSERT_EQ(pods.size(), 1u);
  const std::string pod_path = std::string(kPods) + "/" + pods[0];
  w.server.set_pod_running("tool-alice", pods[0]);
  json pod = client->request("GET", pod_path).json();
  const json recorded_running = recorded_response("pod-running.json");
  EXPECT_EQ(fields_of(pod, "kube-controller-manager"),
            fields_of(recorded_running, "kube-controller-manager"));
  EXPECT_EQ(fields_of(pod, "kubelet", "status"),
            fields_of(recorded_running, "fake-kubelet", "status"));

  w.server.finish_pod("tool-alice", pods[0], 0);
  pod = client->request("GET", pod_path).json();
  const json recorded_succeeded = recorded_response("pod-succeeded.json");
  // The controller counted the pod and took its finalizer away: no longer in its set either.
  EXPECT_EQ(fields_of(pod, "kube-controller-manager"),
            fields_of(recorded_succeeded, "kube-controller-manager"));
  EXPECT_EQ(fields_of(pod, "kubelet", "status"),
            fields_of(recorded_succeeded, "fake-kubelet", "status"));

  json job = client->request("GET", std::string(kJobs) + "/fx-job").json();
  const json recorded_complete = recorded_response("job-get-complete.json");
  EXPECT_EQ(fields_of(job, "k8s-real-fixtures"), fields_of(recorded_complete, "k8s-real-fixtures"));
  EXPECT_EQ(fields_of(job, "kube-controller-manager", "status"),
            fields_of(recorded_complete, "kube-controller-manager", "status"));
  EXPECT_EQ(managers_of(job), managers_of(recorded_complete));
  // As big as the real one, give or take the digits of resourceVersions.
  const double size = static_cast<double>(job.dump().size());
  const double recorded_size = static_cast<double>(recorded_complete.dump().size());
  EXPECT_NEAR(size / recorded_size, 1.0, 0.02) << size << " vs " << recorded_size;
}

TEST(TestApiServerManagedFields, DeploymentsAndCronJobsAsRecorded) {
  ManagedFieldsWorld w;
  auto client = w.fixtures_client();
  json deployment = recorded_response("deployment-create-201.json");
  deployment["metadata"] = {{"name", "fx-web"}, {"labels", {{"app", "fx-web"}}}};
  deployment.erase("status");
  auto created = client->post_json("/apis/apps/v1/namespaces/tool-alice/deployments", deployment);
  ASSERT_EQ(created.status, 201) << created.body;
  const json recorded_created = recorded_response("deployment-create-201.json");
  EXPECT_EQ(fields_of(created.json(), "k8s-real-fixtures"),
            fields_of(recorded_created, "k8s-real-fixtures"));
  auto pods = w.server.pods_of_deployment("tool-alice", "fx-web");
  ASSERT_EQ(pods.size(), 1u);
  w.server.set_pod_running("tool-alice", pods[0]);
  json available =
      client->request("GET", "/apis/apps/v1/namespaces/tool-alice/deployments/fx-web").json();
  const json recorded_available = recorded_response("deployment-get-available.json");
  EXPECT_EQ(fields_of(available, "kube-controller-manager", "status"),
            fields_of(recorded_available, "kube-controller-manager", "status"));
  EXPECT_EQ(managers_of(available), managers_of(recorded_available));

  json cronjob = recorded_response("cronjob-create-201.json");
  cronjob["metadata"] = {{"name", "fx-cron"}, {"labels", {{"app", "fx"}}}};
  cronjob.erase("status");
  created = client->post_json("/apis/batch/v1/namespaces/tool-alice/cronjobs", cronjob);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(fields_of(created.json(), "k8s-real-fixtures"),
            fields_of(recorded_response("cronjob-create-201.json"), "k8s-real-fixtures"));
}

TEST(TestApiServerManagedFields, TheManagerIsTheFieldManagerParameterElseTheUserAgent) {
  ManagedFieldsWorld w;
  auto alice = w.alice();  // User-Agent k8sjobs-tests/1.0
  auto created = alice.post_json(kJobs, job_manifest("by-agent"));
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(managers_of(created.json()), (std::vector<std::string>{"k8sjobs-tests"}));

  alice.set_user_agent("curl/8.5.0");
  created = alice.post_json(kJobs, job_manifest("by-curl"));
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(managers_of(created.json()), (std::vector<std::string>{"curl"}));

  created = alice.post_json(std::string(kJobs) + "?fieldManager=jsub", job_manifest("by-param"));
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(managers_of(created.json()), (std::vector<std::string>{"jsub"}));

  // The library's own client: User-Agent k8sjobs/<version>.
  sys::SystemClock clock;
  auto environment = sys::Environment::from_process();
  auto client =
      client_over(token_connection(w.server, "alice-token", "tool-alice"), clock, environment);
  auto made = client->create(kube::resources::kJobs, "tool-alice", job_manifest("by-library"));
  ASSERT_TRUE(made) << made.error().describe();
  EXPECT_EQ(managers_of(*made), (std::vector<std::string>{"k8sjobs"}));
  json kept = *w.server.get(std::string(kJobs) + "/by-library");
  EXPECT_EQ(managers_of(kept),
            (std::vector<std::string>{"k8sjobs", "kube-controller-manager/status"}));

  // Objects an administrator creates: kubectl create's manager.
  json admin = w.server.create(kJobs, job_manifest("by-admin"));
  EXPECT_EQ(managers_of(admin), (std::vector<std::string>{"kubectl-create"}));
}

TEST(TestApiServerManagedFields, AWriterTakesOverTheFieldsItChangesAndRemovedFieldsLeaveEverySet) {
  ManagedFieldsWorld w;
  auto alice = w.alice();
  json manifest = job_manifest("held");
  manifest["metadata"]["annotations"] = {{"note", "a"}};
  ASSERT_EQ(alice.post_json(std::string(kJobs) + "?fieldManager=jsub", manifest).status, 201);
  auto patched = alice.request("PATCH", std::string(kJobs) + "/held?fieldManager=qhold",
                               R"({"spec":{"suspend":true},"metadata":{"annotations":null}})",
                               "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  json job = *w.server.get(std::string(kJobs) + "/held");
  // Sorted by time, then manager: all three wrote within the same second or later.
  auto managers = managers_of(job);
  ASSERT_EQ(managers.size(), 3u) << job["metadata"]["managedFields"].dump();
  EXPECT_EQ(fields_of(job, "qhold"), json::parse(R"({"f:spec":{"f:suspend":{}}})"));
  json creator = fields_of(job, "jsub");
  EXPECT_FALSE(creator["f:spec"].contains("f:suspend")) << creator.dump();
  EXPECT_TRUE(creator["f:spec"].contains("f:backoffLimit")) << creator.dump();
  EXPECT_FALSE(creator["f:metadata"].contains("f:annotations")) << creator.dump();
  EXPECT_TRUE(creator["f:metadata"].contains("f:labels")) << creator.dump();
  // The controller recorded the suspension under the status subresource.
  json status = fields_of(job, "kube-controller-manager", "status");
  EXPECT_TRUE(status["f:status"].contains("f:conditions")) << status.dump();
  // What a client sends as managedFields is not what the server keeps.
  json replaced = job;
  replaced["metadata"]["managedFields"] = json::array();
  replaced["metadata"]["labels"]["extra"] = "x";
  auto put = alice.request("PUT", std::string(kJobs) + "/held", replaced.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  job = put.json();
  EXPECT_EQ(fields_of(job, "k8sjobs-tests"),
            json::parse(R"({"f:metadata":{"f:labels":{"f:extra":{}}}})"));
  EXPECT_EQ(fields_of(job, "qhold"), json::parse(R"({"f:spec":{"f:suspend":{}}})"));
}

}  // namespace
}  // namespace k8sjobs::testing
