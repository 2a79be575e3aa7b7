// SPDX-License-Identifier: Apache-2.0
// A tool with jobs of both kinds in its namespace: one submitted with jsub, three made by the
// Toolforge jobs framework (`toolforge jobs run`: a one-off Job, a scheduled CronJob and a
// continuous Deployment, in the framework's own shapes, tests/data/toolforge). The built qstat
// lists all four with job numbers that do not change, qstat -j shows a framework job, qdel and
// jstop stop them; with interop.toolforge_jobs: false they are not seen (nor touched).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support/cluster_fixture.h"
#include "support/tool_alice.h"
#include "support/toolforge_objects.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

struct Row {
  long long id = 0;
  std::string user;
  std::string state;
};

// qstat's rows by job name.
std::map<std::string, Row> rows_of(const std::string& listing) {
  std::map<std::string, Row> rows;
  std::istringstream in(listing);
  std::string line;
  std::getline(in, line);  // header
  std::getline(in, line);  // dashes
  while (std::getline(in, line)) {
    std::istringstream words(line);
    Row row;
    std::string priority, name;
    if (words >> row.id >> priority >> name >> row.user >> row.state) rows[name] = row;
  }
  return rows;
}

class ToolforgeInteropE2E : public ::testing::Test {
 protected:
  ToolforgeInteropE2E() {
    auto submitted = cluster.run("jsub/jsub", {"-stderr", "-N", "mine", "sleep", "600"});
    EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
    mine = submitted_job_id(submitted.out);
    create_toolforge_jobs(cluster.server(), "alice", kAliceNamespace);
  }

  std::map<std::string, Row> qstat() {
    auto listed = cluster.run("qstat/qstat", {});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.err, "");
    return rows_of(listed.out);
  }

  bool exists(const std::string& path) {
    auto object = cluster.server().get(path);
    return object && !(*object)["metadata"].contains("deletionTimestamp");
  }

  ClusterFixture cluster;
  long long mine = 0;
};

TEST_F(ToolforgeInteropE2E, QstatListsBothKindsWithJobNumbersThatDoNotChange) {
  auto first = qstat();
  ASSERT_EQ(first.size(), 4u);
  for (const char* name : {"mine", "fetch", "daily", "bot"}) {
    ASSERT_EQ(first.count(name), 1u) << name;
    EXPECT_EQ(first[name].user, "tools.alice") << name;
  }
  EXPECT_EQ(first["mine"].id, mine);
  // From the counter jsub takes its numbers from: all different, after jsub's.
  std::set<long long> ids;
  for (const auto& [name, row] : first) ids.insert(row.id);
  EXPECT_EQ(ids.size(), 4u);
  for (const char* name : {"fetch", "daily", "bot"}) EXPECT_GT(first[name].id, mine) << name;
  EXPECT_EQ(first["daily"].state, "qw");  // waiting for its next run

  // The Deployment's pod runs: r, like ours.
  auto pods = cluster.server().pods_of_deployment(kAliceNamespace, "bot");
  ASSERT_EQ(pods.size(), 1u);
  cluster.server().set_pod_running(kAliceNamespace, pods.front());

  auto second = qstat();
  for (const auto& [name, row] : first) EXPECT_EQ(second[name].id, row.id) << name;
  EXPECT_EQ(second["bot"].state, "r");
  // The numbers are recorded: one entry per framework job.
  auto record =
      cluster.server().get("/api/v1/namespaces/tool-alice/configmaps/k8sjobs-foreign-ids");
  ASSERT_TRUE(record);
  EXPECT_EQ((*record)["data"].size(), 3u);
}

TEST_F(ToolforgeInteropE2E, QstatJShowsAFrameworkJobByName) {
  auto rows = qstat();
  auto detail = cluster.run("qstat/qstat", {"-j", "fetch"});
  EXPECT_EQ(detail.exit_code, 0) << detail.err;
  EXPECT_NE(detail.out.find("job_number:                 " + std::to_string(rows["fetch"].id)),
            std::string::npos)
      << detail.out;
  EXPECT_NE(detail.out.find("job_name:                   fetch"), std::string::npos) << detail.out;
  EXPECT_NE(detail.out.find("account:                    toolforge-jobs-framework"),
            std::string::npos)
      << detail.out;
  EXPECT_NE(detail.out.find("./fetch.sh"), std::string::npos) << detail.out;
  auto queued = cluster.run("qstat/job", {"daily"});
  EXPECT_EQ(queued.exit_code, 2) << queued.out << queued.err;  // queued
}

TEST_F(ToolforgeInteropE2E, QdelAndJstopStopFrameworkJobs) {
  auto rows = qstat();
  auto deleted = cluster.run("qdel/qdel", {std::to_string(rows["fetch"].id)});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err;
  EXPECT_FALSE(exists("/apis/batch/v1/namespaces/tool-alice/jobs/fetch"));

  auto unscheduled = cluster.run("qdel/qdel", {"daily"});
  EXPECT_EQ(unscheduled.exit_code, 0) << unscheduled.out << unscheduled.err;
  EXPECT_FALSE(exists("/apis/batch/v1/namespaces/tool-alice/cronjobs/daily"));

  auto stopped = cluster.run("qstat/jstop", {"bot"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_NE(stopped.out.find(std::to_string(rows["bot"].id)), std::string::npos) << stopped.out;
  EXPECT_FALSE(exists("/apis/apps/v1/namespaces/tool-alice/deployments/bot"));

  // Ours is untouched; the framework's are gone from the listing.
  auto after = qstat();
  EXPECT_EQ(after.size(), 1u);
  EXPECT_EQ(after.count("mine"), 1u);
}

// -hold_jid waits only for k8sjobs' own jobs: k8sjobs-controller could not follow the
// framework's, so naming one (by name or by its number) is Grid Engine's "not found".
TEST_F(ToolforgeInteropE2E, HoldJidCannotWaitForAFrameworkJob) {
  auto rows = qstat();
  for (const std::string& wanted : {std::string("fetch"), std::to_string(rows["fetch"].id)}) {
    auto refused =
        cluster.run("jsub/jsub", {"-stderr", "-N", "after", "-hold_jid", wanted, "true"});
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_EQ(refused.err,
              "Unable to run job: denied: job \"" + wanted + "\" not found\nExiting.\n");
  }
  auto waits = cluster.run("jsub/jsub", {"-stderr", "-N", "after", "-hold_jid", "mine", "true"});
  EXPECT_EQ(waits.exit_code, 0) << waits.err;
}

TEST_F(ToolforgeInteropE2E, QholdLeavesThemToTheFramework) {
  auto rows = qstat();
  auto held = cluster.run("qdel/qhold", {std::to_string(rows["bot"].id)});
  EXPECT_NE(held.exit_code, 0) << held.out;
  EXPECT_NE(held.err.find("toolforge jobs"), std::string::npos) << held.err;
  auto deployment = cluster.server().get("/apis/apps/v1/namespaces/tool-alice/deployments/bot");
  ASSERT_TRUE(deployment);
  EXPECT_EQ((*deployment)["spec"]["replicas"], 1);
}

TEST_F(ToolforgeInteropE2E, ARecordedNumberThatIsOneOfOursIsNotShownForTheirs) {
  // Someone wrote jsub's job number for the framework's "bot" into the record.
  auto bot = cluster.server().get("/apis/apps/v1/namespaces/tool-alice/deployments/bot");
  ASSERT_TRUE(bot);
  cluster.server().create(
      "/api/v1/namespaces/tool-alice/configmaps",
      nlohmann::json{
          {"metadata", {{"name", "k8sjobs-foreign-ids"}}},
          {"data", {{(*bot)["metadata"]["uid"].get<std::string>(), std::to_string(mine)}}}});
  auto listed = cluster.run("qstat/qstat", {});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  auto rows = rows_of(listed.out);
  EXPECT_EQ(rows.count("bot"), 0u) << listed.out;
  EXPECT_EQ(rows["mine"].id, mine);
  EXPECT_NE(listed.err.find("is a k8sjobs job's"), std::string::npos) << listed.err;
  // qdel of that number reaches ours only.
  auto deleted = cluster.run("qdel/qdel", {std::to_string(mine)});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_TRUE(exists("/apis/apps/v1/namespaces/tool-alice/deployments/bot"));
}

TEST_F(ToolforgeInteropE2E, AnotherToolCannotSeeOrStopThem) {
  auto rows = qstat();
  auto refused = cluster.run("qdel/qdel", {std::to_string(rows["bot"].id)}, cluster.bob());
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_TRUE(exists("/apis/apps/v1/namespaces/tool-alice/deployments/bot"));
}

TEST_F(ToolforgeInteropE2E, QstatStaysReadOnlyWhenTheNumbersCannotBeRecorded) {
  // A user who may read everything but write no ConfigMap: the framework's jobs cannot be
  // numbered, so they are not shown, with a warning; the listing of ours is unchanged.
  using nlohmann::json;
  auto rule = [](const char* group, const char* resource, json verbs) {
    return json{{"apiGroups", {group}}, {"resources", {resource}}, {"verbs", verbs}};
  };
  cluster.server().bind_role(
      "tools.alice",
      json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
           {"kind", "Role"},
           {"metadata", {{"name", "reader"}, {"namespace", kAliceNamespace}}},
           {"rules",
            json::array({rule("batch", "jobs", {"list"}), rule("batch", "cronjobs", {"list"}),
                         rule("apps", "deployments", {"list"}), rule("", "pods", {"list"}),
                         rule("", "configmaps", {"get"})})}});
  auto listed = cluster.run("qstat/qstat", {});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  auto rows = rows_of(listed.out);
  EXPECT_EQ(rows.size(), 1u) << listed.out;
  EXPECT_EQ(rows.count("mine"), 1u);
  EXPECT_NE(listed.err.find("qstat: warning: "), std::string::npos) << listed.err;
  EXPECT_NE(listed.err.find("not shown"), std::string::npos) << listed.err;
}

TEST_F(ToolforgeInteropE2E, TheSiteSwitchTurnsItOff) {
  {
    std::ofstream config(cluster.environment(cluster.alice())["K8SJOBS_CONFIG"], std::ios::app);
    config << "interop:\n  toolforge_jobs: false\n";
  }
  auto rows = qstat();
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.count("mine"), 1u);
  auto missing = cluster.run("qdel/qdel", {"bot"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(exists("/apis/apps/v1/namespaces/tool-alice/deployments/bot"));
  EXPECT_FALSE(
      cluster.server().get("/api/v1/namespaces/tool-alice/configmaps/k8sjobs-foreign-ids"));
}

}  // namespace
}  // namespace k8sjobs::testing
