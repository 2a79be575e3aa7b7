// SPDX-License-Identifier: Apache-2.0
// What the status page reads from the cluster besides the jobs, against the test API server
// over HTTPS: capacity from nodes and memory from metrics.k8s.io (a 403 or a 404 is a quiet
// note, asked again only after ten minutes), and a job's Events by involvedObject.

#include <gtest/gtest.h>

#include <set>

#include "apiserver/apiserver_test_helpers.h"
#include "apiserver/test_apiserver.h"
#include "k8sjobs/controller/cluster_facts_reader.h"
#include "k8sjobs/controller/job_events_reader.h"
#include "support/fake_clock.h"
#include "support/test_client.h"
#include "support/tool_alice.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;

struct StatusClusterReads : ::testing::Test {
  StatusClusterReads() {
    server.add_token_user("alice-token", "tools.alice", {testing::kAliceNamespace});
    server.add_token_user("controller-token", "system:serviceaccount:k8sjobs-system:controller",
                          {"*"});
    server.create("/api/v1/nodes",
                  {{"metadata", {{"name", "node-1"}}},
                   {"status", {{"allocatable", {{"cpu", "4"}, {"memory", "16Gi"}}}}}});
  }

  std::unique_ptr<kube::KubeClient> client(const std::string& token) {
    return testing::client_over(testing::token_connection(server, token, testing::kAliceNamespace),
                                clock, environment);
  }

  // A k8sjobs Job (job number `id`) and its running pod; returns the pod's name.
  std::string running_job(const std::string& name, long long id) {
    json job = testing::job_manifest(name);
    const json labels = {{"app.kubernetes.io/managed-by", "k8sjobs"},
                         {"k8sjobs.io/job-id", std::to_string(id)},
                         {"k8sjobs.io/owner", "tools.alice"}};
    job["metadata"]["labels"] = labels;
    job["spec"]["template"]["metadata"]["labels"] = labels;
    server.create("/apis/batch/v1/namespaces/tool-alice/jobs", job);
    const std::string pod = server.pods_of_job(testing::kAliceNamespace, name).at(0);
    server.set_pod_running(testing::kAliceNamespace, pod);
    return pod;
  }

  testing::TestApiServer server;
  testing::FakeClock clock;
  sys::Environment environment;
};

TEST_F(StatusClusterReads, CapacityAndMemoryWhereTheClusterAllowsIt) {
  const std::string pod = running_job("worker", 7);
  ClusterFactsReader reader(client("controller-token"), {testing::kAliceNamespace}, clock);
  status::ClusterFacts facts;
  reader.read(facts);
  ASSERT_TRUE(facts.capacity.has_value());
  EXPECT_EQ(facts.capacity->nodes, 1);
  EXPECT_EQ(facts.capacity->cpu_millis, 4000);
  EXPECT_EQ(facts.capacity->memory_bytes, 16LL << 30);
  // No metrics-server: 404, a note, and no second request for ten minutes.
  EXPECT_FALSE(facts.memory.has_value());
  EXPECT_EQ(facts.memory_note, "this cluster does not serve pod metrics (metrics.k8s.io)");
  server.set_pod_memory_usage(testing::kAliceNamespace, pod, 300LL << 20);
  server.clear_requests();
  reader.read(facts);
  EXPECT_FALSE(facts.memory.has_value());
  EXPECT_TRUE(server.requests().empty());  // nodes too: once a minute
  clock.advance(ClusterFactsReader::kRetryRefused);
  reader.read(facts);
  ASSERT_TRUE(facts.memory.has_value()) << facts.memory_note;
  EXPECT_EQ(*facts.memory, (status::MemoryUsage{{{testing::kAliceNamespace, 7, 0}, 300LL << 20}}));
  bool selected = false;
  for (const auto& request : server.requests())
    if (request.path == "/apis/metrics.k8s.io/v1beta1/namespaces/tool-alice/pods")
      selected = request.query.find("managed-by") != std::string::npos;
  EXPECT_TRUE(selected);
}

TEST_F(StatusClusterReads, AControllerBoundPerNamespaceSaysItMayNotListNodes) {
  ClusterFactsReader reader(client("alice-token"), {testing::kAliceNamespace}, clock);
  status::ClusterFacts facts;
  reader.read(facts);
  EXPECT_FALSE(facts.capacity.has_value());
  EXPECT_EQ(facts.capacity_note, "the controller may not list nodes");
}

TEST_F(StatusClusterReads, AJobsEventsAreItsJobsAndItsPodsNotOthers) {
  running_job("worker", 7);
  running_job("other", 8);
  JobEventsReader reader(client("controller-token"), clock);
  jobs::JobRecord job;
  job.id = 7;
  job.backend_objects = {{"Job", "worker"}};
  const status::JobEvents events = reader.read(testing::kAliceNamespace, job);
  EXPECT_TRUE(events.unavailable.empty()) << events.unavailable;
  std::set<std::string> seen;
  for (const auto& event : events.events) {
    seen.insert(event.reason);
    EXPECT_EQ(event.object.find("other"), std::string::npos) << event.object;
  }
  EXPECT_EQ(seen, (std::set<std::string>{"SuccessfulCreate", "Scheduled", "Pulled", "Created",
                                         "Started"}));
  // Kept for a few seconds: asking again costs nothing.
  server.clear_requests();
  reader.read(testing::kAliceNamespace, job);
  EXPECT_TRUE(server.requests().empty());
  // Under a Role without Events, the page says why.
  server.bind_role(
      "system:serviceaccount:k8sjobs-system:controller",
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "Role"},
       {"metadata", {{"name", "no-events"}}},
       {"rules",
        json::array({{{"apiGroups", {""}}, {"resources", {"pods"}}, {"verbs", {"list"}}}})}});
  clock.advance(JobEventsReader::kKeepFor);
  EXPECT_EQ(reader.read(testing::kAliceNamespace, job).unavailable,
            "the controller may not list Events here (RBAC)");
}

}  // namespace
}  // namespace k8sjobs::controller
