// SPDX-License-Identifier: Apache-2.0
// -hold_jid end to end: the built jsub/qsub resolve predecessors at submission (a name naming
// no job is refused and creates nothing), the jobs wait suspended as hqw with Grid Engine's
// qstat -j lines, qrls leaves the dependency in place, and the built k8sjobs-controller --once
// starts each job only once all its predecessors have finished, whatever their exit status.
// Jobs are finished through the test API server, never by waiting on a clock.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "support/build_paths.h"
#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/controller_process.h"
#include "support/tool_alice.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

class HoldJidE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  CommandOutput controller_once() {
    auto result = run_controller_once(cluster, kAliceNamespace);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result;
  }

  long long submit(const std::vector<std::string>& args) { return cluster.submit(args); }

  bool suspended(long long id) { return cluster.job_suspended(kAliceNamespace, id); }

  // Runs the job's pod to its end with this exit code.
  void finish(long long id, int exit_code) {
    auto pods = cluster.pods_of(kAliceNamespace, id);
    ASSERT_EQ(pods.size(), 1u) << "job " << id;
    cluster.server().set_pod_running(kAliceNamespace, pods.front());
    cluster.server().finish_pod(kAliceNamespace, pods.front(), exit_code);
  }

  std::string state_of(long long id) {
    auto listing = cluster.run("qstat/qstat", {});
    std::istringstream in(listing.out);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      long long number = 0;
      std::string prior, name, user, state;
      if (words >> number >> prior >> name >> user >> state && number == id) return state;
    }
    return "<not listed>";
  }

  std::size_t job_count() {
    return cluster.server().list("/apis/batch/v1/namespaces/tool-alice/jobs").size();
  }
};

TEST_F(HoldJidE2E, AChainRunsInOrder) {
  const long long a = submit({"-stderr", "-N", "align", "true"});
  const long long b = submit({"-stderr", "-N", "sam2bam", "-hold_jid", "align", "true"});
  const long long c = submit({"-stderr", "-N", "index", "-hold_jid", std::to_string(b), "true"});
  EXPECT_FALSE(suspended(a));
  EXPECT_TRUE(suspended(b));
  EXPECT_TRUE(suspended(c));
  EXPECT_EQ(state_of(b), "hqw");
  EXPECT_EQ(cluster.job_object(kAliceNamespace, b)
                .value()["metadata"]["annotations"]["k8sjobs.io/hold-jid"],
            std::to_string(a));

  auto pass = controller_once();
  EXPECT_NE(pass.err.find("0 started"), std::string::npos) << pass.err;
  EXPECT_NE(pass.err.find("2 waiting for other jobs"), std::string::npos) << pass.err;
  EXPECT_TRUE(suspended(b));

  finish(a, 0);
  controller_once();
  EXPECT_FALSE(suspended(b));
  EXPECT_TRUE(suspended(c));  // b has started, not finished
  finish(b, 0);
  controller_once();
  EXPECT_FALSE(suspended(c));
}

TEST_F(HoldJidE2E, FanInWaitsForAllAndAFailedPredecessorStillReleases) {
  const long long a = submit({"-stderr", "-N", "part-a", "true"});
  const long long b = submit({"-stderr", "-N", "part-b", "false"});
  auto qsub = cluster.run("qsub/qsub", {"-b", "y", "-N", "merge", "-hold_jid", "part-*", "true"});
  ASSERT_EQ(qsub.exit_code, 0) << qsub.err;
  const long long c = submitted_job_id(qsub.out);
  EXPECT_EQ(cluster.job_object(kAliceNamespace, c)
                .value()["metadata"]["annotations"]["k8sjobs.io/hold-jid"],
            std::to_string(a) + "," + std::to_string(b));

  finish(a, 0);
  controller_once();
  EXPECT_TRUE(suspended(c));  // b still runs
  finish(b, 1);               // failed: counts as finished all the same
  controller_once();
  EXPECT_FALSE(suspended(c));
}

TEST_F(HoldJidE2E, ANameNamingNoJobIsRefusedAndNothingIsCreated) {
  submit({"-stderr", "-N", "align", "true"});
  const std::size_t before = job_count();
  auto jsub = cluster.run("jsub/jsub", {"-stderr", "-N", "next", "-hold_jid", "nosuch", "true"});
  EXPECT_EQ(jsub.exit_code, 1);
  EXPECT_EQ(jsub.err, "Unable to run job: denied: job \"nosuch\" not found\nExiting.\n");
  auto qsub = cluster.run("qsub/qsub", {"-b", "y", "-hold_jid", "align,4711", "true"});
  EXPECT_EQ(qsub.exit_code, 1);
  EXPECT_EQ(qsub.err, "Unable to run job: denied: job \"4711\" not found\nExiting.\n");
  EXPECT_EQ(job_count(), before);
}

TEST_F(HoldJidE2E, QstatShowsTheListsAndQrlsLeavesTheDependency) {
  const long long a = submit({"-stderr", "-N", "first", "true"});
  const long long b = submit({"-stderr", "-N", "second", "-hold_jid", "first", "true"});
  auto of_b = cluster.run("qstat/qstat", {"-j", std::to_string(b)});
  EXPECT_NE(of_b.out.find("\njid_predecessor_list (req):  first\n"
                          "jid_predecessor_list:       " +
                          std::to_string(a) + "\n"),
            std::string::npos)
      << of_b.out;
  auto of_a = cluster.run("qstat/qstat", {"-j", std::to_string(a)});
  EXPECT_NE(of_a.out.find("\njid_successor_list:          " + std::to_string(b) + "\n"),
            std::string::npos)
      << of_a.out;

  // qrls removes user holds only, as in Grid Engine: the job still waits for its predecessor.
  EXPECT_EQ(cluster.run("qdel/qhold", {std::to_string(b)}).exit_code, 0);
  EXPECT_EQ(cluster.run("qdel/qrls", {std::to_string(b)}).exit_code, 0);
  EXPECT_TRUE(suspended(b));
  EXPECT_EQ(state_of(b), "hqw");

  // A user hold (-h) wins over finished predecessors until qrls.
  const long long c = submit({"-stderr", "-N", "third", "-h", "-hold_jid", "first", "true"});
  finish(a, 0);
  controller_once();
  EXPECT_FALSE(suspended(b));
  EXPECT_TRUE(suspended(c));
  EXPECT_EQ(cluster.run("qdel/qrls", {std::to_string(c)}).exit_code, 0);
  EXPECT_TRUE(suspended(c));  // qrls leaves the start to the controller
  controller_once();
  EXPECT_FALSE(suspended(c));
  auto started = cluster.run("qstat/qstat", {"-j", std::to_string(b)});
  EXPECT_EQ(started.out.find("jid_predecessor_list:"), std::string::npos) << started.out;
  EXPECT_NE(started.out.find("jid_predecessor_list (req):  first"), std::string::npos);
}

TEST_F(HoldJidE2E, AGarbageAnnotationIsLoggedAndLeftAlone) {
  const long long a = submit({"-stderr", "-N", "first", "true"});
  const long long b = submit({"-stderr", "-N", "second", "-hold_jid", "first", "true"});
  finish(a, 0);
  const std::string path =
      "/apis/batch/v1/namespaces/tool-alice/jobs/" +
      cluster.job_object(kAliceNamespace, b).value()["metadata"]["name"].get<std::string>();
  cluster.server().merge_patch(path,
                               {{"metadata", {{"annotations", {{"k8sjobs.io/hold-jid", "1;x"}}}}}});
  auto pass = controller_once();
  EXPECT_NE(pass.err.find("k8sjobs.io/hold-jid \"1;x\" is not a list of job numbers"),
            std::string::npos)
      << pass.err;
  EXPECT_TRUE(suspended(b));
  auto listing = cluster.run("qstat/qstat", {});
  EXPECT_EQ(listing.exit_code, 0);
  EXPECT_NE(listing.err.find("k8sjobs.io/hold-jid"), std::string::npos) << listing.err;
}

// The controller as a Deployment runs it: the watch event of the finished predecessor starts
// the successor at once (the re-check without an event comes only after 60 s).
TEST_F(HoldJidE2E, RunningControllerStartsTheSuccessorWhenThePredecessorEnds) {
  RunningController controller(cluster, kAliceNamespace, "e2e-loop", std::chrono::seconds(14));
  const ::testing::AssertionResult leading = controller.wait_until_leading(std::chrono::seconds(8));
  const long long a = submit({"-stderr", "-N", "first", "true"});
  const long long b = submit({"-stderr", "-N", "second", "-hold_jid", "first", "true"});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const bool waited = suspended(b);
  finish(a, 0);
  const ::testing::AssertionResult started = wait_until(
      [&] { return !suspended(b); }, std::chrono::seconds(4), "the controller to start job b");
  // Ended now, not at its 14 s limit: what the test waited for has happened (or never will).
  const CommandOutput& output = controller.stop();
  EXPECT_TRUE(leading) << output.err;
  EXPECT_TRUE(waited) << output.err;
  EXPECT_TRUE(started) << output.err;
}

}  // namespace
}  // namespace k8sjobs::testing
