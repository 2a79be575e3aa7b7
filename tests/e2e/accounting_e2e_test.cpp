// SPDX-License-Identifier: Apache-2.0
// qacct end to end. On the test API server: a job finishes, k8sjobs-controller --once (bound
// to deploy/rbac.yaml's rules only) writes its record into the namespace's accounting shard
// and marks the Job, a second pass writes nothing more, and qacct (the user's shipped Role)
// prints it in Grid Engine's layout. On the embedded default: jsub, the job ends, qacct -j.
#include <gtest/gtest.h>

#include <sstream>

#include "support/build_paths.h"
#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/local_command.h"
#include "support/shipped_rbac.h"
#include "support/temp_dir.h"
#include "support/tool_alice.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

const std::string kConfigMaps = "/api/v1/namespaces/tool-alice/configmaps";

class AccountingE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  CommandOutput controller_once() {
    return cluster.run(
        "controller/k8sjobs-controller",
        {"--once", "--namespace", kAliceNamespace, "--identity", "e2e", "--kubeconfig",
         (cluster.dir().path() / "kube" / "alice.kubeconfig").string()});
  }

  // Every record in the namespace's accounting shards, by data key.
  std::map<std::string, json> stored_records() {
    std::map<std::string, json> records;
    for (const auto& shard : cluster.server().list(kConfigMaps)) {
      const json labels = shard["metadata"].value("labels", json::object());
      if (labels.value("k8sjobs.io/accounting", "") != "records") continue;
      const json data = shard.value("data", json::object());
      for (const auto& [key, value] : data.items())
        records[key] = json::parse(value.get<std::string>());
    }
    return records;
  }

  int shard_count() {
    int count = 0;
    for (const auto& shard : cluster.server().list(kConfigMaps))
      if (shard["metadata"]["name"].get<std::string>().starts_with("k8sjobs-acct-")) ++count;
    return count;
  }
};

std::string field_line(const std::string& label, const std::string& value) {
  std::string line = label;
  line.append(13 - label.size(), ' ');
  line += value;
  if (value.size() < 20) line.append(20 - value.size(), ' ');
  return line + "\n";
}

TEST_F(AccountingE2E, TheControllerAccountsAFinishedJobOnceAndQacctPrintsIt) {
  auto submitted = cluster.run("jsub/jsub", {"-stderr", "-N", "counted", "-mem", "1g", "true"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const long long id = submitted_job_id(submitted.out);
  const std::string pod = cluster.wait_for_pod(kAliceNamespace, id);
  ASSERT_FALSE(pod.empty());
  cluster.server().set_pod_running(kAliceNamespace, pod);

  // Still running: nothing to account.
  cluster.server().bind_role("tools.alice", controller_role(shipped_controller_rules()));
  auto early = controller_once();
  EXPECT_EQ(early.exit_code, 0) << early.err;
  EXPECT_TRUE(stored_records().empty()) << early.err;
  auto missing = cluster.run("qacct/qacct", {"-j", std::to_string(id)});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_EQ(missing.err, "error: job id " + std::to_string(id) + " not found\n");

  cluster.server().finish_pod(kAliceNamespace, pod, 3);
  auto job_finished = wait_until(
      [&] {
        auto job = cluster.job_object(kAliceNamespace, id);
        if (!job) return false;
        for (const auto& condition : (*job)["status"].value("conditions", json::array()))
          if (condition.value("type", "") == "Failed" && condition.value("status", "") == "True")
            return true;
        return false;
      },
      kEventDeadline, "the Job to fail");
  ASSERT_TRUE(job_finished);

  auto pass = controller_once();
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_NE(pass.err.find("accounting: 1 jobs accounted (1 records)"), std::string::npos)
      << pass.err;
  auto records = stored_records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records.begin()->second["jobnumber"], id);
  EXPECT_EQ(records.begin()->second["exit_status"], 3);
  auto job = cluster.job_object(kAliceNamespace, id);
  ASSERT_TRUE(job);
  EXPECT_EQ((*job)["metadata"]["annotations"].value("k8sjobs.io/accounted", ""), "true");

  // A second pass, and one after the mark is lost (a crash between the two writes): still
  // one record.
  auto again = controller_once();
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("jobs accounted"), std::string::npos) << again.err;
  cluster.server().merge_patch(
      "/apis/batch/v1/namespaces/tool-alice/jobs/" + (*job)["metadata"]["name"].get<std::string>(),
      {{"metadata", {{"annotations", {{"k8sjobs.io/accounted", nullptr}}}}}});
  auto rewritten = controller_once();
  EXPECT_EQ(rewritten.exit_code, 0) << rewritten.err;
  EXPECT_EQ(stored_records().size(), 1u);
  EXPECT_EQ(shard_count(), 1);

  // qacct with the user's rights (docs/examples/role.yaml is tested in rbac_role_e2e_test).
  cluster.server().bind_role(
      "tools.alice", controller_role(json::array(
                         {{{"apiGroups", {"*"}}, {"resources", {"*"}}, {"verbs", {"*"}}}})));
  auto shown = cluster.run("qacct/qacct", {"-j", std::to_string(id)});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.err, "");
  EXPECT_EQ(shown.out.rfind(std::string(62, '=') + "\n" + field_line("qname", "task"), 0), 0u)
      << shown.out;
  EXPECT_NE(shown.out.find(field_line("hostname", "node-1")), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(field_line("owner", "tools.alice")), std::string::npos);
  EXPECT_NE(shown.out.find(field_line("jobname", "counted")), std::string::npos);
  EXPECT_NE(shown.out.find(field_line("jobnumber", std::to_string(id))), std::string::npos);
  EXPECT_NE(shown.out.find(field_line("taskid", "undefined")), std::string::npos);
  EXPECT_NE(shown.out.find(field_line("exit_status", "3")), std::string::npos);
  EXPECT_NE(shown.out.find("\ncategory     -l h_vmem=1G"), std::string::npos) << shown.out;
  EXPECT_EQ(cluster.run("qacct/qacct", {"-j", "counted"}).out, shown.out);

  auto summary = cluster.run("qacct/qacct", {"-o", "tools.alice"});
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_EQ(summary.out.rfind("OWNER         WALLCLOCK", 0), 0u) << summary.out;
  EXPECT_NE(summary.out.find("\ntools.alic"), std::string::npos) << summary.out;
}

TEST_F(AccountingE2E, ARecordThatIsNotOneIsSkippedWithAWarning) {
  cluster.server().create(
      kConfigMaps,
      {{"apiVersion", "v1"},
       {"kind", "ConfigMap"},
       {"metadata",
        {{"name", "k8sjobs-acct-202001-0"}, {"labels", {{"k8sjobs.io/accounting", "records"}}}}},
       {"data",
        {{"bad", "{\"key\":\"x\""},
         {"good",
          R"({"key":"tool-alice/u/0","jobnumber":5,"owner":"tools.alice","jobname":"old"})"}}}});
  auto shown = cluster.run("qacct/qacct", {"-j", "5"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find(field_line("jobname", "old")), std::string::npos) << shown.out;
  EXPECT_EQ(shown.err,
            "qacct: warning: ignoring configmap/k8sjobs-acct-202001-0 record \"bad\": is not "
            "JSON\n");
}

TEST(LocalAccountingE2E, AFinishedLocalJobIsInQacct) {
  TempDir home;
  home.write("no-config.yaml", "backend: local\n");
  auto run = [&](const std::string& command, std::vector<std::string> args) {
    return run_local_command(home, command, std::move(args));
  };
  auto submitted = run("jsub/jsub", {"-N", "localacct", "sh", "-c", "exit 4"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const long long id = submitted_job_id(submitted.out);
  CommandOutput shown;
  auto accounted = wait_until(
      [&] {
        shown = run("qacct/qacct", {"-j", std::to_string(id)});
        return shown.exit_code == 0;
      },
      kEventDeadline, "qacct to show the local job");
  ASSERT_TRUE(accounted) << shown.out << shown.err;
  EXPECT_EQ(shown.err, "");
  EXPECT_NE(shown.out.find(field_line("jobname", "localacct")), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(field_line("exit_status", "4")), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(field_line("owner", "tools.alice")), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(home.path() / "state" / "accounting"));
  auto summary = run("qacct/qacct", {});
  EXPECT_EQ(summary.out.rfind("Total System Usage\n", 0), 0u) << summary.out;
  auto unknown = run("qacct/qacct", {"-j", "nosuchjob"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "error: job name nosuchjob not found\n");
}

}  // namespace
}  // namespace k8sjobs::testing
