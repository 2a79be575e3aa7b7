// The built jsub, qstat, qdel, qhold, qrls, job and jstop against the test API
// server over real HTTPS, run as child processes with a user's environment
// (TZ=UTC), while the test moves the pods through their phases on the server.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "apiserver/https_test_client.h"
#include "support/build_paths.h"
#include "support/cluster_fixture.h"
#include "support/tool_alice.h"

namespace k8sjobs::testing {
namespace {

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
    auto pods = cluster.pods_of(kAliceNamespace, id);
    EXPECT_EQ(pods.size(), 1u) << "job " << id;
    return pods.empty() ? "" : pods.front();
  }

  // The lines of a listing that begin with `prefix`.
  static std::vector<std::string> lines_starting(const std::string& listing,
                                                 const std::string& prefix) {
    std::vector<std::string> found;
    std::istringstream in(listing);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(prefix, 0) == 0) found.push_back(line);
    }
    return found;
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

  cluster.server().set_pod_running(kAliceNamespace, only_pod(id), "node-1");
  listing = qstat_out();
  EXPECT_NE(listing.find(row(id, "sleeper", "r")), std::string::npos) << listing;
  EXPECT_NE(listing.find("task@node-1"), std::string::npos) << listing;

  auto job = run("qstat/job", {"-v", "sleeper"});
  EXPECT_EQ(job.exit_code, 1) << job.err;
  EXPECT_EQ(job.out.rfind("Job 'sleeper' has been running since ", 0), 0u) << job.out;

  cluster.server().finish_pod(kAliceNamespace, only_pod(id), 0);
  EXPECT_EQ(qstat_out(),
            "");  // Grid Engine forgets finished jobs; no header either
  auto gone = run("qstat/job", {"sleeper"});
  EXPECT_EQ(gone.exit_code, 0);
  EXPECT_EQ(gone.out, "");
}

TEST_F(QstatE2E, ImagePullFailureIsEqwWithTheReasonInDetail) {
  long long id = submit("badimg");
  cluster.server().set_pod_image_pull_backoff(kAliceNamespace, only_pod(id));
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
  cluster.server().set_pod_running(kAliceNamespace, only_pod(running));

  auto deleted_running = run("qdel/qdel", {std::to_string(running)});
  EXPECT_EQ(deleted_running.exit_code, 0) << deleted_running.err;
  EXPECT_EQ(deleted_running.out,
            "tools.alice has registered the job " + std::to_string(running) + " for deletion\n");

  auto deleted_pending = run("qdel/qdel", {"waiter"});
  EXPECT_EQ(deleted_pending.exit_code, 0) << deleted_pending.err;
  EXPECT_EQ(deleted_pending.out, "tools.alice has deleted job " + std::to_string(pending) + "\n");
  auto job = cluster.job_object(kAliceNamespace, pending);
  EXPECT_TRUE(!job || (*job)["metadata"].contains("deletionTimestamp"));

  auto unknown = run("qdel/qdel", {"999"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.out, "denied: job \"999\" does not exist\n");

  auto usage = run("qdel/qdel", {});
  EXPECT_EQ(usage.exit_code, 1);
  EXPECT_EQ(usage.out, "ERROR! no option argument\n");
  EXPECT_NE(usage.err.find("usage: qdel"), std::string::npos);
}

TEST_F(QstatE2E, ArrayJobListsOnlyTheTasksNotDoneLikeGridEngine) {
  auto submitted = run("jsub/jsub", {"-stderr", "-N", "arr", "-t", "1-4", "sleep", "600"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  long long id = submitted_job_id(submitted.out);
  ASSERT_GT(id, 0) << submitted.out;
  // The Indexed Job's pods by completion index (task = index + 1).
  std::map<std::string, std::string> pod_of_index;
  for (const auto& pod : cluster.pods_of(kAliceNamespace, id)) {
    auto object = cluster.server().get("/api/v1/namespaces/tool-alice/pods/" + pod);
    ASSERT_TRUE(object.has_value()) << pod;
    pod_of_index[(*object)["metadata"]["annotations"].value(
        "batch.kubernetes.io/job-completion-index", "")] = pod;
  }
  ASSERT_EQ(pod_of_index.size(), 4u);
  ASSERT_EQ(pod_of_index.count("0") + pod_of_index.count("3"), 2u);

  const std::string id_text = std::to_string(id);
  auto rows = lines_starting(qstat_out(), row(id, "arr", "qw"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].ends_with("    1 1-4:1")) << rows[0];

  // Tasks 1 and 2 succeed: the Job controller records indexes 0-1 as completed.
  cluster.server().finish_pod(kAliceNamespace, pod_of_index["0"], 0);
  cluster.server().finish_pod(kAliceNamespace, pod_of_index["1"], 0);
  auto job = cluster.job_object(kAliceNamespace, id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ((*job)["status"].value("completedIndexes", ""), "0-1");
  EXPECT_EQ((*job)["status"].value("succeeded", 0), 2);
  std::string listing = qstat_out();
  // Every row of the job, whatever its state: "%7d %7.5f %-10.10s %-12.12s " is 40 characters.
  auto job_rows = lines_starting(listing, row(id, "arr", "").substr(0, 40));
  ASSERT_EQ(job_rows.size(), 1u) << listing;
  EXPECT_EQ(job_rows[0].rfind(row(id, "arr", "qw"), 0), 0u) << listing;
  EXPECT_TRUE(job_rows[0].ends_with("    1 3-4:1")) << listing;

  // Task 3 runs: one row for it (with its queue), one for the pending task 4.
  cluster.server().set_pod_running(kAliceNamespace, pod_of_index["2"], "node-1");
  listing = qstat_out();
  auto running = lines_starting(listing, row(id, "arr", "r"));
  ASSERT_EQ(running.size(), 1u) << listing;
  EXPECT_NE(running[0].find("task@node-1"), std::string::npos) << listing;
  EXPECT_TRUE(running[0].ends_with("    1 3")) << listing;
  auto pending = lines_starting(listing, row(id, "arr", "qw"));
  ASSERT_EQ(pending.size(), 1u) << listing;
  EXPECT_TRUE(pending[0].ends_with("    1 4")) << listing;

  // qstat -s z shows the finished tasks 1-2 as well.
  auto finished = run("qstat/qstat", {"-s", "z"});
  ASSERT_EQ(finished.exit_code, 0) << finished.err;
  auto done = lines_starting(finished.out, row(id, "arr", "z"));
  ASSERT_EQ(done.size(), 1u) << finished.out;
  EXPECT_TRUE(done[0].ends_with("    1 1-2:1")) << finished.out;
}

TEST_F(QstatE2E, QdelOfAJobAlreadyInDeletion) {
  long long id = submit("lingers");
  const std::string number = std::to_string(id);
  cluster.server().set_pod_running(kAliceNamespace, only_pod(id));
  // A finalizer (as a user's controller might add) keeps the Job, marked for deletion, after
  // the DELETE: a real server sets deletionTimestamp and waits for the finalizer to go.
  auto job = cluster.job_object(kAliceNamespace, id);
  ASSERT_TRUE(job.has_value());
  const std::string path =
      "/apis/batch/v1/namespaces/tool-alice/jobs/" + (*job)["metadata"].value("name", "");
  HttpsTestClient api(cluster.server().port(), cluster.server().ca_pem(), cluster.alice().token);
  auto patched = api.request("PATCH", path, R"({"metadata":{"finalizers":["example.org/keep"]}})",
                             "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;

  auto first = run("qdel/qdel", {number});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "tools.alice has registered the job " + number + " for deletion\n");
  job = cluster.job_object(kAliceNamespace, id);
  ASSERT_TRUE(job.has_value());
  EXPECT_TRUE((*job)["metadata"].contains("deletionTimestamp"));
  EXPECT_NE(qstat_out().find(row(id, "lingers", "dr")), std::string::npos);

  // Grid Engine answers a second qdel with an information, not an error: exit code 0.
  auto again = run("qdel/qdel", {number});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "job " + number + " is already in deletion\n");
  EXPECT_EQ(again.err, "");
  auto by_name = run("qdel/qdel", {"lingers"});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_EQ(by_name.out, "job " + number + " is already in deletion\n");

  // Once the finalizer goes, so does the Job (and qstat forgets it).
  auto released = api.request("PATCH", path, R"({"metadata":{"finalizers":null}})",
                              "application/merge-patch+json");
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_FALSE(cluster.job_object(kAliceNamespace, id).has_value());
  EXPECT_EQ(qstat_out(), "");
}

TEST_F(QstatE2E, ListingIsOnePaginatedListPerKindWithoutPerJobRequests) {
  // 700 jobs: jsub makes one; the others are copies of its Job with their own ID, created on
  // the server directly (the Job controller gives each its pod).
  long long first = submit("many");
  auto job = cluster.job_object(kAliceNamespace, first);
  ASSERT_TRUE(job.has_value());
  nlohmann::json copy = *job;
  copy.erase("status");
  for (const char* key : {"uid", "resourceVersion", "creationTimestamp", "generation"}) {
    copy["metadata"].erase(key);
  }
  copy["spec"].erase("selector");
  for (const char* key : {"batch.kubernetes.io/controller-uid", "controller-uid"}) {
    copy["spec"]["template"]["metadata"]["labels"].erase(key);
  }
  const int kJobs = 700;
  for (long long id = first + 1; id < first + kJobs; ++id) {
    copy["metadata"]["name"] = "many-" + std::to_string(id);
    copy["metadata"]["labels"]["k8sjobs.io/job-id"] = std::to_string(id);
    copy["spec"]["template"]["metadata"]["labels"]["k8sjobs.io/job-id"] = std::to_string(id);
    cluster.server().create("/apis/batch/v1/namespaces/tool-alice/jobs", copy);
  }
  cluster.server().clear_requests();

  std::string listing = qstat_out();
  EXPECT_EQ(lines_starting(listing, row(first, "many", "qw")).size(), 1u);
  EXPECT_EQ(lines_starting(listing, row(first + kJobs - 1, "many", "qw")).size(), 1u);
  EXPECT_EQ(std::count(listing.begin(), listing.end(), '\n'), kJobs + 2) << listing.substr(0, 500);

  // Jobs and Pods take two pages each (500 + 200), Deployments one: Jobs then Deployments on
  // one connection, Pods on another at the same time, so only each lane's order is fixed. Then
  // the Toolforge jobs framework's (interop.toolforge_jobs): the record of their numbers and one
  // LIST per kind, none of their pods when there is no such job. Nothing else is asked, and
  // nothing written.
  const std::string selector = "labelSelector=app.kubernetes.io%2Fmanaged-by%3Dk8sjobs&limit=500";
  const std::string framework =
      "labelSelector=app.kubernetes.io%2Fmanaged-by%3Dtoolforge-jobs-framework&limit=500";
  std::vector<std::string> seen;
  for (const auto& request : cluster.server().requests()) {
    EXPECT_EQ(request.method, "GET") << request.path;
    std::string query = request.query.substr(0, request.query.find("&continue="));
    bool ours = seen.size() < 5;
    if (request.path.find("/configmaps/") == std::string::npos) {
      EXPECT_EQ(query, ours ? selector : framework) << request.path << "?" << request.query;
    }
    bool continued = request.query.find("&continue=") != std::string::npos;
    seen.push_back(request.path + (continued ? " (continue)" : ""));
  }
  ASSERT_EQ(seen.size(), 9u);
  std::vector<std::string> pods_lane;
  std::vector<std::string> jobs_lane;
  for (size_t i = 0; i < 5; ++i) {
    (seen[i].rfind("/api/v1/", 0) == 0 ? pods_lane : jobs_lane).push_back(seen[i]);
  }
  EXPECT_EQ(jobs_lane, (std::vector<std::string>{
                           "/apis/batch/v1/namespaces/tool-alice/jobs",
                           "/apis/batch/v1/namespaces/tool-alice/jobs (continue)",
                           "/apis/apps/v1/namespaces/tool-alice/deployments",
                       }));
  EXPECT_EQ(pods_lane, (std::vector<std::string>{
                           "/api/v1/namespaces/tool-alice/pods",
                           "/api/v1/namespaces/tool-alice/pods (continue)",
                       }));
  EXPECT_EQ(std::vector<std::string>(seen.begin() + 5, seen.end()),
            (std::vector<std::string>{
                "/api/v1/namespaces/tool-alice/configmaps/k8sjobs-foreign-ids",
                "/apis/batch/v1/namespaces/tool-alice/jobs",
                "/apis/batch/v1/namespaces/tool-alice/cronjobs",
                "/apis/apps/v1/namespaces/tool-alice/deployments",
            }));
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
  auto job = cluster.job_object(kAliceNamespace, id);
  ASSERT_TRUE(job.has_value());
  EXPECT_TRUE((*job)["spec"].value("suspend", false));
  EXPECT_NE(qstat_out().find(row(id, "holdme", "hqw")), std::string::npos);

  auto released = run("qdel/qrls", {"holdme"});
  EXPECT_EQ(released.exit_code, 0) << released.err;
  EXPECT_EQ(released.out, "modified hold of job " + number + "\n");
  EXPECT_FALSE((*cluster.job_object(kAliceNamespace, id))["spec"].value("suspend", false));
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
  cluster.server().set_pod_running(kAliceNamespace, only_pod(running));
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
