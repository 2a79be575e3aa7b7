// SPDX-License-Identifier: Apache-2.0
// Every run of a converted CronJob is its own job: the built k8sjobs-migrate applies a crontab
// line as a CronJob, its runs (created here as Kubernetes' CronJob controller creates them from
// the jobTemplate) wait suspended, and the built k8sjobs-controller --once gives each its own
// number from the namespace's counter, in the Job's and its pods' labels, and starts it; qstat
// then shows each run under its number.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/controller_process.h"
#include "support/shipped_rbac.h"
#include "support/tool_alice.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

class CronRunIdsE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  CommandOutput controller_once() { return run_controller_once(cluster, kAliceNamespace); }

  // What the CronJob controller does at a schedule tick: a Job from the jobTemplate, owned by
  // the CronJob.
  std::string tick(const json& cronjob, int run) {
    const json& job_template = cronjob["spec"]["jobTemplate"];
    const std::string name =
        cronjob["metadata"]["name"].get<std::string>() + "-" + std::to_string(29000000 + run);
    json job = {{"apiVersion", "batch/v1"},
                {"kind", "Job"},
                {"metadata",
                 {{"name", name},
                  {"labels", job_template["metadata"]["labels"]},
                  {"annotations", job_template["metadata"]["annotations"]},
                  {"ownerReferences",
                   {{{"apiVersion", "batch/v1"},
                     {"kind", "CronJob"},
                     {"name", cronjob["metadata"]["name"]},
                     {"uid", cronjob["metadata"]["uid"]},
                     {"controller", true},
                     {"blockOwnerDeletion", true}}}}}},
                {"spec", job_template["spec"]}};
    cluster.server().create(kAliceJobsPath, job, "kube-controller-manager");
    return name;
  }
};

TEST_F(CronRunIdsE2E, EachRunGetsItsOwnNumberBeforeItsPodStarts) {
  {
    std::ofstream crontab(cluster.home_of(cluster.alice()) / "crontab.txt");
    crontab << "*/5 * * * * jsub -once -N tick /bin/true\n";
  }
  auto applied = cluster.run("migration/k8sjobs-migrate", {"apply", "crontab.txt"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  auto cronjobs = cluster.server().list("/apis/batch/v1/namespaces/tool-alice/cronjobs");
  ASSERT_EQ(cronjobs.size(), 1u);
  // A job submitted with jsub takes a number from the same counter.
  auto submitted = cluster.run("jsub/jsub", {"-terse", "-N", "other", "/bin/true"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const long long jsub_id = std::stoll(submitted.out);

  const std::string first = tick(cronjobs[0], 1);
  const std::string second = tick(cronjobs[0], 2);
  auto waiting = cluster.server().get(kAliceJobsPath + "/" + first).value();
  EXPECT_TRUE(waiting["spec"]["suspend"].get<bool>());
  EXPECT_TRUE(cluster.server().pods_of_job(kAliceNamespace, first).empty())
      << "started without a number";
  // qstat says why it does not list them yet.
  auto before = cluster.run("qstat/qstat", {});
  EXPECT_NE(before.err.find("waits for k8sjobs-controller to give it a job number"),
            std::string::npos)
      << before.err;

  // With exactly the rights deploy/rbac.yaml gives it (the counter is read and written too).
  cluster.server().bind_role("tools.alice", controller_role(shipped_controller_rules()));
  auto pass = controller_once();
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_NE(pass.err.find("2 CronJob runs numbered"), std::string::npos) << pass.err;

  std::set<long long> numbers;
  for (const auto& name : {first, second}) {
    auto job = cluster.server().get(kAliceJobsPath + "/" + name).value();
    const auto& labels = job["metadata"]["labels"];
    EXPECT_FALSE(labels.contains("k8sjobs.io/awaiting-job-id")) << labels.dump();
    const long long number = std::stoll(labels["k8sjobs.io/job-id"].get<std::string>());
    EXPECT_GT(number, jsub_id);
    numbers.insert(number);
    EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"]["k8sjobs.io/job-id"],
              std::to_string(number));
    EXPECT_FALSE(job["spec"]["suspend"].get<bool>());
    // Its pod carries the number, where the container's JOB_ID comes from.
    auto pods = cluster.server().pods_of_job(kAliceNamespace, name);
    ASSERT_EQ(pods.size(), 1u) << name;
    auto pod = cluster.server().get("/api/v1/namespaces/tool-alice/pods/" + pods[0]).value();
    EXPECT_EQ(pod["metadata"]["labels"]["k8sjobs.io/job-id"], std::to_string(number));
    bool job_id_from_label = false;
    for (const auto& variable : pod["spec"]["containers"][0]["env"]) {
      if (variable["name"] == "JOB_ID") {
        job_id_from_label = variable["valueFrom"]["fieldRef"]["fieldPath"] ==
                            "metadata.labels['k8sjobs.io/job-id']";
      }
    }
    EXPECT_TRUE(job_id_from_label) << pod["spec"]["containers"][0]["env"].dump();
  }
  EXPECT_EQ(numbers.size(), 2u);

  // qstat (the tool's own rights again) lists both runs under their numbers and name.
  cluster.server().bind_role(
      "tools.alice", controller_role(json::array(
                         {{{"apiGroups", {"*"}}, {"resources", {"*"}}, {"verbs", {"*"}}}})));
  auto listing = cluster.run("qstat/qstat", {});
  EXPECT_EQ(listing.err, "");
  std::istringstream lines(listing.out);
  std::set<long long> listed;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    long long id = 0;
    std::string priority, name;
    if (words >> id >> priority >> name && name == "tick") listed.insert(id);
  }
  EXPECT_EQ(listed, numbers) << listing.out;

  // Nothing is waiting any more: a second pass numbers nothing and changes nothing.
  auto again = controller_once();
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("CronJob runs numbered"), std::string::npos) << again.err;

  // Once the runs have finished, each is accounted under its own number (qacct -j NUMBER).
  for (const auto& name : {first, second})
    for (const auto& pod : cluster.server().pods_of_job(kAliceNamespace, name))
      cluster.server().finish_pod(kAliceNamespace, pod, 0);
  auto finished = wait_until(
      [&] {
        for (const auto& name : {first, second}) {
          auto job = cluster.server().get(kAliceJobsPath + "/" + name);
          if (!job) return false;
          bool complete = false;
          for (const auto& condition :
               job->value("status", json::object()).value("conditions", json::array()))
            complete = complete || (condition.value("type", "") == "Complete" &&
                                    condition.value("status", "") == "True");
          if (!complete) return false;
        }
        return true;
      },
      kEventDeadline, "both runs to complete");
  ASSERT_TRUE(finished);
  auto accounted = controller_once();
  EXPECT_NE(accounted.err.find("accounting: 2 jobs accounted"), std::string::npos) << accounted.err;
  for (long long number : numbers) {
    auto shown = cluster.run("qacct/qacct", {"-j", std::to_string(number)});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    std::string line = "jobnumber    " + std::to_string(number);
    EXPECT_NE(shown.out.find("\n" + line), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("\njobname      tick "), std::string::npos) << shown.out;
  }
}

}  // namespace
}  // namespace k8sjobs::testing
