// The built jsub, qstat, qdel, qhold, qrls, job and jstop against the test API
// server over real HTTPS, run as child processes with a user's environment
// (TZ=UTC), while the test moves the pods through their phases on the server.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "support/cluster_fixture.h"

namespace k8sjobs::testing {
namespace {

constexpr const char* kNs = "tool-alice";

// The start of a listing row: "%7d %7.5f %-10.10s %-12.12s %-5.5s ".
std::string row(long long id, const std::string& name, const std::string& state) {
  char text[128];
  std::snprintf(text, sizeof text, "%7lld %7.5f %-10.10s %-12.12s %-5.5s ", id, 0.5, name.c_str(),
                "tools.alice", state.c_str());
  return text;
}

class QstatE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  CommandOutput run(const std::string& command, std::vector<std::string> args) {
    return cluster.run(command, std::move(args));
  }

  // jsub NAME sleep 600 → the job id.
  long long submit(const std::string& name) {
    auto result = run("jsub/jsub", {"-stderr", "-N", name, "sleep", "600"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    long long id = submitted_job_id(result.out);
    EXPECT_GT(id, 0) << result.out << result.err;
    return id;
  }

  std::string only_pod(long long id) {
    auto pods = cluster.pods_of(kNs, id);
    EXPECT_EQ(pods.size(), 1u) << "job " << id;
    return pods.empty() ? "" : pods.front();
  }

  std::string qstat_out() {
    auto result = run("qstat/qstat", {});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    return result.out;
  }
};

TEST_F(QstatE2E, JobGoesFromQueuedToRunningToGone) {
  long long id = submit("sleeper");
  std::string listing = qstat_out();
  EXPECT_EQ(listing.rfind("job-ID  prior   name       user         state submit/start at     "
                          "queue                          slots ja-task-ID \n",
                          0),
            0u)
      << listing;
  EXPECT_NE(listing.find(row(id, "sleeper", "qw")), std::string::npos) << listing;

  cluster.server().set_pod_running(kNs, only_pod(id), "node-1");
  listing = qstat_out();
  EXPECT_NE(listing.find(row(id, "sleeper", "r")), std::string::npos) << listing;
  EXPECT_NE(listing.find("task@node-1"), std::string::npos) << listing;

  auto job = run("qstat/job", {"-v", "sleeper"});
  EXPECT_EQ(job.exit_code, 1) << job.err;
  EXPECT_EQ(job.out.rfind("Job 'sleeper' has been running since ", 0), 0u) << job.out;

  cluster.server().finish_pod(kNs, only_pod(id), 0);
  EXPECT_EQ(qstat_out(),
            "");  // Grid Engine forgets finished jobs; no header either
  auto gone = run("qstat/job", {"sleeper"});
  EXPECT_EQ(gone.exit_code, 0);
  EXPECT_EQ(gone.out, "");
}

TEST_F(QstatE2E, ImagePullFailureIsEqwWithTheReasonInDetail) {
  long long id = submit("badimg");
  cluster.server().set_pod_image_pull_backoff(kNs, only_pod(id));
  std::string listing = qstat_out();
  EXPECT_NE(listing.find(row(id, "badimg", "Eqw")), std::string::npos) << listing;

  auto detail = run("qstat/qstat", {"-j", std::to_string(id)});
  EXPECT_EQ(detail.exit_code, 0) << detail.err;
  EXPECT_NE(detail.out.find("job_number:                 " + std::to_string(id) + "\n"),
            std::string::npos)
      << detail.out;
  EXPECT_NE(detail.out.find("ImagePullBackOff"), std::string::npos) << detail.out;

  auto missing = run("qstat/qstat", {"-j", "999"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Following jobs do not exist: \n999\n");
}

TEST_F(QstatE2E, QdelAnswersForRunningPendingAndUnknownJobs) {
  long long running = submit("runner");
  long long pending = submit("waiter");
  cluster.server().set_pod_running(kNs, only_pod(running));

  auto deleted_running = run("qdel/qdel", {std::to_string(running)});
  EXPECT_EQ(deleted_running.exit_code, 0) << deleted_running.err;
  EXPECT_EQ(deleted_running.out,
            "tools.alice has registered the job " + std::to_string(running) + " for deletion\n");

  auto deleted_pending = run("qdel/qdel", {"waiter"});
  EXPECT_EQ(deleted_pending.exit_code, 0) << deleted_pending.err;
  EXPECT_EQ(deleted_pending.out, "tools.alice has deleted job " + std::to_string(pending) + "\n");
  auto job = cluster.job_object(kNs, pending);
  EXPECT_TRUE(!job || (*job)["metadata"].contains("deletionTimestamp"));

  auto unknown = run("qdel/qdel", {"999"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.out, "denied: job \"999\" does not exist\n");

  auto usage = run("qdel/qdel", {});
  EXPECT_EQ(usage.exit_code, 1);
  EXPECT_EQ(usage.out, "ERROR! no option argument\n");
  EXPECT_NE(usage.err.find("usage: qdel"), std::string::npos);
}

TEST_F(QstatE2E, JstopDeletesByName) {
  long long id = submit("stopme");
  auto stopped = run("qstat/jstop", {"stopme"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(stopped.out, "tools.alice has deleted job " + std::to_string(id) + "\n");

  auto none = run("qstat/jstop", {"nosuchjob"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err, "No job 'nosuchjob' is currently queued or running\n");
}

TEST_F(QstatE2E, HoldAndReleaseAPendingJob) {
  long long id = submit("holdme");
  const std::string number = std::to_string(id);
  auto held = run("qdel/qhold", {number});
  EXPECT_EQ(held.exit_code, 0) << held.err;
  EXPECT_EQ(held.out, "modified hold of job " + number + "\n");
  auto job = cluster.job_object(kNs, id);
  ASSERT_TRUE(job.has_value());
  EXPECT_TRUE((*job)["spec"].value("suspend", false));
  EXPECT_NE(qstat_out().find(row(id, "holdme", "hqw")), std::string::npos);

  auto released = run("qdel/qrls", {"holdme"});
  EXPECT_EQ(released.exit_code, 0) << released.err;
  EXPECT_EQ(released.out, "modified hold of job " + number + "\n");
  EXPECT_FALSE((*cluster.job_object(kNs, id))["spec"].value("suspend", false));
  EXPECT_NE(qstat_out().find(row(id, "holdme", "qw")), std::string::npos);
}

TEST_F(QstatE2E, AnotherUsersNamespaceIsRefusedWithAClearMessage) {
  // bob's token only opens tool-bob; claiming to be tools.alice leads to
  // tool-alice.
  auto result = cluster.run("qstat/qstat", {}, cluster.bob(), std::string("tools.alice"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.rfind("qstat: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("forbidden"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("tool-alice"), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST_F(QstatE2E, XmlValidatesAgainstTheQstatSchema) {
  long long running = submit("xmlrun");
  submit("xmlwait");
  cluster.server().set_pod_running(kNs, only_pod(running));
  auto xml = run("qstat/qstat", {"-xml"});
  ASSERT_EQ(xml.exit_code, 0) << xml.err;
  EXPECT_NE(xml.out.find("<JB_name>xmlrun</JB_name>"), std::string::npos) << xml.out;
  EXPECT_NE(xml.out.find("<JB_name>xmlwait</JB_name>"), std::string::npos) << xml.out;
  auto file = cluster.dir().write("qstat.xml", xml.out);
  CommandSpec lint;
  lint.program = "/usr/bin/xmllint";
  lint.args = {"--noout", "--schema", std::string(K8SJOBS_TEST_DATA_DIR) + "/qstat/qstat-nons.xsd",
               file.string()};
  auto checked = run_command(lint);
  EXPECT_EQ(checked.exit_code, 0) << checked.err << xml.out;
}

}  // namespace
}  // namespace k8sjobs::testing
