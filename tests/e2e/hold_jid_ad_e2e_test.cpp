// SPDX-License-Identifier: Apache-2.0
// -hold_jid_ad end to end: the built qsub checks Grid Engine's conditions at submission (array
// jobs of the same range; Grid Engine's messages, nothing created), the successor's pods wait
// behind their scheduling gate as hqw tasks (the test API server, like kube-scheduler, never
// binds a gated pod), and the built k8sjobs-controller --once releases task i only when the
// predecessor's task i has finished, whatever its exit status. Nothing waits on a clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/controller_process.h"
#include "support/shipped_rbac.h"
#include "support/tool_alice.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

constexpr const char* kIndexKey = "batch.kubernetes.io/job-completion-index";

class HoldJidAdE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  CommandOutput controller_once() {
    auto result = run_controller_once(cluster, kAliceNamespace);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result;
  }

  // qsub -terse: "12.1-3:1".
  long long qsub(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"-terse", "-b", "y"};
    all.insert(all.end(), args.begin(), args.end());
    auto result = cluster.run("qsub/qsub", all);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return std::atoll(result.out.c_str());
  }

  // The newest pod of each completion index of job `id`.
  std::map<int, json> pods_by_index(long long id) {
    std::map<int, json> pods;
    for (const auto& pod : cluster.server().list("/api/v1/namespaces/tool-alice/pods")) {
      const auto& labels = pod["metadata"].value("labels", json::object());
      if (labels.value("k8sjobs.io/job-id", "") != std::to_string(id)) continue;
      const auto& annotations = pod["metadata"].value("annotations", json::object());
      pods[std::stoi(annotations.value(kIndexKey, "0"))] = pod;
    }
    return pods;
  }

  bool gated(long long id, int index) {
    const json pod = pods_by_index(id).at(index);
    return !pod["spec"].value("schedulingGates", json::array()).empty();
  }

  void finish(long long id, int index, int exit_code) {
    const std::string name = pods_by_index(id).at(index)["metadata"]["name"];
    cluster.server().set_pod_running(kAliceNamespace, name);
    cluster.server().finish_pod(kAliceNamespace, name, exit_code);
  }

  // The state column of each task line of `id` in plain qstat ("hqw", "qw", ...) by task id.
  std::map<int, std::string> task_states(long long id) {
    std::map<int, std::string> states;
    std::istringstream in(cluster.run("qstat/qstat", {}).out);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      long long number = 0;
      std::string prior, name, user, state, date, time;
      if (!(words >> number >> prior >> name >> user >> state >> date >> time) || number != id)
        continue;
      std::vector<std::string> rest;
      for (std::string word; words >> word;) rest.push_back(word);
      if (rest.empty()) continue;
      // The last column is the task id or range ("1", "2-3:1").
      const std::string& tasks = rest.back();
      const auto dash = tasks.find('-');
      const int first = std::atoi(tasks.c_str());
      const int last = dash == std::string::npos ? first : std::atoi(tasks.c_str() + dash + 1);
      for (int task = first; task <= last; ++task) states[task] = state;
    }
    return states;
  }
};

TEST_F(HoldJidAdE2E, EachTaskWaitsForItsOwnPredecessorTaskWhateverItsExitStatus) {
  const long long align = qsub({"-N", "align", "-t", "1-3", "true"});
  const long long sam2bam = qsub({"-N", "sam2bam", "-t", "1-3", "-hold_jid_ad", "align", "true"});
  const json job = cluster.job_object(kAliceNamespace, sam2bam).value();
  EXPECT_EQ(job["metadata"]["annotations"]["k8sjobs.io/hold-jid-ad"], std::to_string(align));
  EXPECT_FALSE(job["spec"].value("suspend", false));  // the Job runs; its pods wait
  ASSERT_EQ(pods_by_index(sam2bam).size(), 3u);
  for (int index = 0; index < 3; ++index) EXPECT_TRUE(gated(sam2bam, index)) << index;
  // The test server is kube-scheduler here: it never binds a gated pod.
  EXPECT_THROW(
      cluster.server().set_pod_running(
          kAliceNamespace, pods_by_index(sam2bam).at(0)["metadata"]["name"].get<std::string>()),
      std::logic_error);
  EXPECT_EQ(task_states(sam2bam), (std::map<int, std::string>{{1, "hqw"}, {2, "hqw"}, {3, "hqw"}}));
  auto detail = cluster.run("qstat/qstat", {"-j", std::to_string(sam2bam)});
  EXPECT_NE(detail.out.find("\nja_ad_predecessor_list (req):  align\n"
                            "ja_ad_predecessor_list:       " +
                            std::to_string(align) + "\n"),
            std::string::npos)
      << detail.out;

  controller_once();
  for (int index = 0; index < 3; ++index) EXPECT_TRUE(gated(sam2bam, index)) << index;

  finish(align, 1, 0);  // task 2
  auto pass = controller_once();
  EXPECT_NE(pass.err.find("array tasks: 1 released, 2 waiting"), std::string::npos) << pass.err;
  EXPECT_TRUE(gated(sam2bam, 0));
  EXPECT_FALSE(gated(sam2bam, 1));
  EXPECT_TRUE(gated(sam2bam, 2));
  EXPECT_EQ(task_states(sam2bam).at(2), "qw");
  EXPECT_EQ(task_states(sam2bam).at(1), "hqw");
  finish(sam2bam, 1, 0);  // the released task runs and ends

  finish(align, 0, 3);  // task 1 fails: its index has failed (backoffLimitPerIndex 0)
  controller_once();
  EXPECT_FALSE(gated(sam2bam, 0));
  EXPECT_TRUE(gated(sam2bam, 2));

  finish(align, 2, 0);
  controller_once();
  EXPECT_FALSE(gated(sam2bam, 2));
}

TEST_F(HoldJidAdE2E, ARestartedControllerOrAGoneJobReleasesFromWhatTheClusterShows) {
  const long long align = qsub({"-N", "align", "-t", "1-2", "true"});
  const long long next = qsub({"-N", "next", "-t", "1-2", "-hold_jid_ad", "align", "true"});
  // The predecessor is deleted (qdel): Grid Engine counts a job that is gone as finished.
  EXPECT_EQ(cluster.run("qdel/qdel", {std::to_string(align)}).exit_code, 0);
  controller_once();
  EXPECT_FALSE(gated(next, 0));
  EXPECT_FALSE(gated(next, 1));
}

// deploy/rbac.yaml is enough to release a task, and the patch on pods is what it needs: bound to
// the shipped rules without it, the controller lists the gated pod but cannot release it.
TEST_F(HoldJidAdE2E, TheShippedRbacIsEnoughToReleaseATask) {
  const long long align = qsub({"-N", "align", "-t", "1-1", "true"});
  const long long next = qsub({"-N", "next", "-t", "1-1", "-hold_jid_ad", "align", "true"});
  finish(align, 0, 0);
  const json rules = shipped_controller_rules();
  json without_patch = rules;
  bool removed = false;
  for (auto& rule : without_patch) {
    if (rule["resources"] != json::array({"pods"})) continue;
    auto& verbs = rule["verbs"];
    verbs.erase(std::remove(verbs.begin(), verbs.end(), json("patch")), verbs.end());
    removed = true;
  }
  ASSERT_TRUE(removed) << "deploy/rbac.yaml grants no pod rule";
  cluster.server().bind_role("tools.alice", controller_role(without_patch));
  auto refused = run_controller_once(cluster, kAliceNamespace);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("not released"), std::string::npos) << refused.err;
  EXPECT_TRUE(gated(next, 0));

  cluster.server().bind_role("tools.alice", controller_role(rules));
  auto pass = controller_once();
  EXPECT_NE(pass.err.find("array tasks: 1 released"), std::string::npos) << pass.err;
  EXPECT_FALSE(gated(next, 0));
}

TEST_F(HoldJidAdE2E, GridEnginesConditionsAreCheckedAtSubmissionAndNothingIsCreated) {
  qsub({"-N", "single", "true"});
  qsub({"-N", "wide", "-t", "1-8", "true"});
  const std::size_t before =
      cluster.server().list("/apis/batch/v1/namespaces/tool-alice/jobs").size();
  const std::string not_array =
      "Can only specify \"-hold_jid_ad\" option with an array job (using \"-t\" option)";
  const std::vector<std::pair<std::vector<std::string>, std::string>> refusals = {
      {{"-hold_jid_ad", "wide"}, not_array},                 // the job is not an array
      {{"-t", "1-8", "-hold_jid_ad", "single"}, not_array},  // nor is the one it names
      {{"-t", "1-4", "-hold_jid_ad", "wide"},
       "This array job must have the same range of sub-tasks as the dependent array job "
       "specified with -hold_jid_ad"},
      {{"-t", "1-8", "-hold_jid_ad", "nosuch"}, "denied: job \"nosuch\" not found"},
  };
  for (const auto& [options, message] : refusals) {
    std::vector<std::string> args = {"-b", "y"};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back("true");
    auto refused = cluster.run("qsub/qsub", args);
    EXPECT_EQ(refused.exit_code, 1) << message;
    EXPECT_EQ(refused.err, "Unable to run job: " + message + "\nExiting.\n");
  }
  EXPECT_EQ(cluster.server().list("/apis/batch/v1/namespaces/tool-alice/jobs").size(), before);
}

}  // namespace
}  // namespace k8sjobs::testing
