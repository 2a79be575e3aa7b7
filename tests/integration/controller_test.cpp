// SPDX-License-Identifier: Apache-2.0
// k8sjobs-controller against the test API server over HTTPS, with a fake clock: leader election
// on a Lease between two replicas (only the leader acts, the other takes over after expiry),
// and deferred jobs (-a) started when their time comes, not before, not while held, and
// after a restart of the controller mid-wait.
#include <gtest/gtest.h>

#include "apiserver/apiserver_test_helpers.h"
#include "apiserver/test_apiserver.h"
#include "k8sjobs/controller/leader_election.h"
#include "k8sjobs/controller/start_controller.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/text/rfc3339.h"
#include "support/fake_clock.h"
#include "support/test_client.h"
#include "support/tool_alice.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kToken = "controller-secret-token-0123456789";
const std::string kJobs = "/apis/batch/v1/namespaces/tool-alice/jobs";
const std::string kLease =
    "/apis/coordination.k8s.io/v1/namespaces/tool-alice/leases/k8sjobs-controller";

struct Replica {
  Replica(const testing::TestApiServer& server, testing::FakeClock& clock,
          const sys::Environment& environment, const std::string& identity)
      : client(testing::client_over(
            testing::token_connection(server, kToken, testing::kAliceNamespace), clock,
            environment)),
        elector(*client, clock,
                LeaseSettings{testing::kAliceNamespace, "k8sjobs-controller", identity}),
        starter(*client, clock) {}

  PassSummary pass() {
    auto summary = starter.reconcile(testing::kAliceNamespace, [&] { return elector.is_leader(); });
    EXPECT_TRUE(summary) << summary.error().describe();
    return summary ? *summary : PassSummary{};
  }

  std::unique_ptr<kube::KubeClient> client;
  LeaderElector elector;
  StartController starter;
};

struct Controller : ::testing::Test {
  Controller() {
    server.add_token_user(kToken, "system:serviceaccount:k8sjobs:controller",
                          {testing::kAliceNamespace});
  }

  // A Job as jsub -a makes it: k8sjobs' labels and annotations, suspended until `start`.
  void submit(const std::string& name, long long id, testing::FakeClock::time_point start,
              bool held = false) {
    json job = testing::job_manifest(name, {{"suspend", true}});
    job["metadata"]["labels"] = {{"app.kubernetes.io/managed-by", "k8sjobs"},
                                 {"k8sjobs.io/job-id", std::to_string(id)},
                                 {"k8sjobs.io/owner", "tools.alice"}};
    job["metadata"]["annotations"] = {{"k8sjobs.io/owner", "tools.alice"},
                                      {"k8sjobs.io/job-name", name},
                                      {"k8sjobs.io/start-after", text::format_rfc3339(start)}};
    if (held) job["metadata"]["annotations"]["k8sjobs.io/hold"] = "user";
    server.create(kJobs, job);
  }

  bool suspended(const std::string& name) {
    return server.get(kJobs + "/" + name).value()["spec"].value("suspend", false);
  }

  json lease_spec() { return server.get(kLease).value()["spec"]; }

  testing::TestApiServer server;
  testing::FakeClock clock;
  sys::Environment environment;
};

TEST_F(Controller, LeaseIsTakenRenewedAndTakenOverOnlyAfterExpiry) {
  Replica a(server, clock, environment, "replica-a");
  Replica b(server, clock, environment, "replica-b");
  EXPECT_TRUE(a.elector.try_acquire_or_renew());
  EXPECT_FALSE(b.elector.try_acquire_or_renew());
  EXPECT_TRUE(a.elector.is_leader());
  EXPECT_FALSE(b.elector.is_leader());
  json spec = lease_spec();
  EXPECT_EQ(spec["holderIdentity"], "replica-a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 15);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  EXPECT_EQ(spec["renewTime"], "2030-01-01T00:00:00.000000Z");
  EXPECT_EQ(spec["acquireTime"], "2030-01-01T00:00:00.000000Z");

  clock.advance(seconds(2));
  EXPECT_TRUE(a.elector.try_acquire_or_renew());
  EXPECT_EQ(lease_spec()["renewTime"], "2030-01-01T00:00:02.000000Z");
  EXPECT_EQ(lease_spec()["acquireTime"], "2030-01-01T00:00:00.000000Z");
  EXPECT_FALSE(b.elector.try_acquire_or_renew());

  // A stops renewing: after its renew deadline (10 s) it no longer acts; B waits for the
  // lease duration (15 s) from when it last saw the Lease change.
  clock.advance(seconds(10));
  EXPECT_FALSE(a.elector.is_leader());
  EXPECT_FALSE(b.elector.try_acquire_or_renew());
  clock.advance(seconds(6));
  EXPECT_TRUE(b.elector.try_acquire_or_renew());
  EXPECT_TRUE(b.elector.is_leader());
  spec = lease_spec();
  EXPECT_EQ(spec["holderIdentity"], "replica-b");
  EXPECT_EQ(spec["leaseTransitions"], 1);
  EXPECT_EQ(spec["acquireTime"], "2030-01-01T00:00:18.000000Z");
  // A comes back: the Lease is B's now.
  EXPECT_FALSE(a.elector.try_acquire_or_renew());
  EXPECT_FALSE(a.elector.is_leader());
}

TEST_F(Controller, RacingReplicasGetOneLeader) {
  Replica a(server, clock, environment, "replica-a");
  Replica b(server, clock, environment, "replica-b");
  ASSERT_TRUE(a.elector.try_acquire_or_renew());
  a.elector.release();  // holderIdentity "": free at once
  EXPECT_EQ(lease_spec()["holderIdentity"], "");
  EXPECT_FALSE(a.elector.is_leader());
  EXPECT_TRUE(b.elector.try_acquire_or_renew());
  EXPECT_EQ(lease_spec()["holderIdentity"], "replica-b");
  EXPECT_EQ(lease_spec()["leaseTransitions"], 1);
}

TEST_F(Controller, OnlyTheLeaderStartsJobsAndTheOtherTakesOver) {
  Replica a(server, clock, environment, "replica-a");
  Replica b(server, clock, environment, "replica-b");
  ASSERT_TRUE(a.elector.try_acquire_or_renew());
  ASSERT_FALSE(b.elector.try_acquire_or_renew());
  submit("due-1", 1, clock.now() - seconds(1));

  PassSummary follower = b.pass();
  EXPECT_EQ(follower.released, 0);
  EXPECT_TRUE(suspended("due-1"));
  PassSummary leader = a.pass();
  EXPECT_EQ(leader.released, 1);
  EXPECT_FALSE(suspended("due-1"));

  // The leader stops (no more renewals); B takes over after expiry and starts the next job.
  submit("due-2", 2, clock.now() + seconds(5));
  clock.advance(seconds(16));
  EXPECT_EQ(a.pass().released, 0);  // past its renew deadline: it must not act
  EXPECT_TRUE(suspended("due-2"));
  ASSERT_TRUE(b.elector.try_acquire_or_renew());
  EXPECT_EQ(b.pass().released, 1);
  EXPECT_FALSE(suspended("due-2"));
}

TEST_F(Controller, FutureJobsWaitAcrossARestartAndStartOnTime) {
  Replica first(server, clock, environment, "first");
  ASSERT_TRUE(first.elector.try_acquire_or_renew());
  submit("later", 3, clock.now() + minutes(10));
  PassSummary waiting = first.pass();
  EXPECT_EQ(waiting.waiting, 1);
  EXPECT_EQ(waiting.released, 0);
  EXPECT_EQ(waiting.next_due, clock.now() + minutes(10));
  EXPECT_TRUE(suspended("later"));

  // The controller restarts mid-wait: a new process with nothing from the first one takes
  // the Lease (released on shutdown) and finds the same job from the cluster alone.
  first.elector.release();
  clock.advance(minutes(5));
  Replica second(server, clock, environment, "second");
  ASSERT_TRUE(second.elector.try_acquire_or_renew());
  EXPECT_EQ(second.pass().waiting, 1);
  EXPECT_TRUE(suspended("later"));
  clock.advance(minutes(5));
  ASSERT_TRUE(second.elector.try_acquire_or_renew());
  EXPECT_EQ(second.pass().released, 1);
  EXPECT_FALSE(suspended("later"));
}

TEST_F(Controller, HeldDeferredJobsWaitForQrls) {
  Replica leader(server, clock, environment, "leader");
  ASSERT_TRUE(leader.elector.try_acquire_or_renew());
  submit("held", 4, clock.now() - minutes(1), /*held=*/true);
  EXPECT_EQ(leader.pass().released, 0);
  EXPECT_TRUE(suspended("held"));
  // qrls removes the hold (and leaves the job suspended while its time is ahead).
  auto released = leader.client->patch(
      kube::resources::kJobs, testing::kAliceNamespace, "held", kube::PatchType::Merge,
      json{{"metadata", {{"annotations", {{"k8sjobs.io/hold", nullptr}}}}}});
  ASSERT_TRUE(released) << released.error().describe();
  EXPECT_EQ(leader.pass().released, 1);
  EXPECT_FALSE(suspended("held"));
}

TEST_F(Controller, AStartDecidedOnAnOldVersionIsNotApplied) {
  Replica leader(server, clock, environment, "leader");
  ASSERT_TRUE(leader.elector.try_acquire_or_renew());
  submit("raced", 5, clock.now() - minutes(1));
  StartDecision decision = decide_start(server.get(kJobs + "/raced").value(), false, clock.now());
  ASSERT_EQ(decision.action, StartAction::Release);
  // qhold comes in between.
  ASSERT_TRUE(leader.client->patch(
      kube::resources::kJobs, testing::kAliceNamespace, "raced", kube::PatchType::Merge,
      json{{"metadata", {{"annotations", {{"k8sjobs.io/hold", "user"}}}}}}));
  EXPECT_FALSE(leader.starter.release(decision));
  EXPECT_TRUE(suspended("raced"));
  EXPECT_EQ(leader.pass().released, 0);
}

TEST_F(Controller, WatchEventsScheduleTheDueObjects) {
  Replica leader(server, clock, environment, "leader");
  ASSERT_TRUE(leader.elector.try_acquire_or_renew());
  submit("soon", 6, clock.now() + minutes(1));
  DueQueue queue;
  kube::WatchOptions watch;
  watch.label_selector = "app.kubernetes.io/managed-by=k8sjobs";
  int events = 0;
  auto watched = leader.client->watch(
      kube::resources::kJobs, testing::kAliceNamespace, watch, [&](const kube::WatchEvent& event) {
        note_event(queue, event, false, clock.now());
        return ++events == 1 ? kube::WatchControl::Stop : kube::WatchControl::Continue;
      });
  ASSERT_TRUE(watched) << watched.error().describe();
  EXPECT_EQ(queue.earliest(), clock.now() + minutes(1));
  EXPECT_TRUE(queue.take_due(clock.now()).empty());
  clock.advance(minutes(1));
  auto due = queue.take_due(clock.now());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(leader.starter.reconcile_object(
                due[0], [] { return true; }, nullptr),
            StartController::Outcome::Released);
  EXPECT_FALSE(suspended("soon"));
}

// --all-namespaces: one LIST across the cluster (a ClusterRole), each job patched in its own
// namespace.
TEST_F(Controller, AllNamespacesInOnePass) {
  server.add_token_user("cluster-wide-token-0123456789", "system:serviceaccount:k8sjobs:all",
                        {"*"});
  auto client = testing::client_over(
      testing::token_connection(server, "cluster-wide-token-0123456789", testing::kAliceNamespace),
      clock, environment);
  submit("here", 7, clock.now() - minutes(1));
  json other = server.get(kJobs + "/here").value();
  other["metadata"] = {{"name", "there"},
                       {"labels", other["metadata"]["labels"]},
                       {"annotations", other["metadata"]["annotations"]}};
  other["metadata"]["labels"]["k8sjobs.io/job-id"] = "8";
  other.erase("status");
  other["spec"] = testing::job_manifest("there", {{"suspend", true}})["spec"];
  server.create("/apis/batch/v1/namespaces/tool-bob/jobs", other);
  StartController starter(*client, clock);
  auto pass = starter.reconcile("", [] { return true; });
  ASSERT_TRUE(pass) << pass.error().describe();
  EXPECT_EQ(pass->released, 2);
  EXPECT_FALSE(suspended("here"));
  EXPECT_FALSE(server.get("/apis/batch/v1/namespaces/tool-bob/jobs/there")
                   .value()["spec"]
                   .value("suspend", true));
}

}  // namespace
}  // namespace k8sjobs::controller
