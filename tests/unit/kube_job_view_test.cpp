// How qstat sees Kubernetes objects: JobRecords derived from Jobs, Deployments and Pods that a
// real kube-apiserver returned (tests/data/k8s/responses/k8sjobs/README.md).

#include <gtest/gtest.h>

#include <fstream>

#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/qstat/state.h"
#include "support/build_paths.h"
#include "support/recorded_objects.h"
#include "support/temp_dir.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

TimePoint utc(const std::string& text) {
  std::tm parts{};
  strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

JobRecord only(const ClusterSnapshot& snapshot) {
  auto records = derive_job_records(snapshot);
  EXPECT_EQ(records.size(), 1u);
  return records.empty() ? JobRecord{} : records.front();
}

std::string letters(const JobRecord& job) {
  EXPECT_EQ(job.tasks.size(), 1u);
  return job.tasks.empty() ? "" : qstat::state_letters(job, job.tasks.front());
}

TEST(KubeJobView, RunningJob) {
  JobRecord job = only({{testing::recorded_object("job-running")},
                        {},
                        {testing::recorded_object("pod-running")},
                        {}});
  EXPECT_EQ(job.id, 101);
  EXPECT_EQ(job.name, "fx-job");
  EXPECT_EQ(job.owner, "tools.alice");
  EXPECT_FALSE(job.continuous);
  EXPECT_EQ(job.submission_time, utc("2026-11-23T14:54:30Z"));
  EXPECT_EQ(job.backend_namespace, "tool-alice");
  EXPECT_EQ(job.backend_objects,
            (std::vector<std::pair<std::string, std::string>>{{"Job", "fx-job"}}));
  EXPECT_EQ(job.script_file, "/usr/bin/fx-job");
  EXPECT_EQ(job.job_args, std::vector<std::string>{"--once"});
  EXPECT_EQ(job.hard_queue, "task");
  ASSERT_EQ(job.tasks.size(), 1u);
  const TaskRecord& task = job.tasks[0];
  EXPECT_EQ(task.state, JobState::Running);
  EXPECT_EQ(task.node, "sim-node-1");
  EXPECT_EQ(task.start_time, utc("2026-11-23T14:54:37Z"));
  EXPECT_EQ(letters(job), "r");
}

TEST(KubeJobView, CompleteJobIsFinishedWithExitCodeZero) {
  JobRecord job = only({{testing::recorded_object("job-complete")},
                        {},
                        {testing::recorded_object("pod-succeeded")},
                        {}});
  EXPECT_EQ(job.id, 102);
  EXPECT_EQ(job.tasks.at(0).state, JobState::Succeeded);
  EXPECT_EQ(job.tasks.at(0).exit_code, 0);
  EXPECT_EQ(letters(job), "z");
  EXPECT_EQ(job.error_reason, "");
}

TEST(KubeJobView, FailedJobKeepsTheExitCodeAndTheReason) {
  JobRecord job = only(
      {{testing::recorded_object("job-failed")}, {}, {testing::recorded_object("pod-failed")}, {}});
  EXPECT_EQ(job.tasks.at(0).state, JobState::Failed);
  EXPECT_EQ(job.tasks.at(0).exit_code, 3);
  EXPECT_FALSE(job.tasks.at(0).signal.has_value());
  EXPECT_EQ(job.error_reason, "BackoffLimitExceeded: Job has reached the specified backoff limit");
}

// When a finished task ended: its container's finishedAt, else (its pod gone) the Job's
// completionTime, else, for a failed Job (which has none), its Failed condition's time.
TEST(KubeJobView, FinishedTasksKnowWhenTheyEnded) {
  EXPECT_EQ(only({{testing::recorded_object("job-complete")},
                  {},
                  {testing::recorded_object("pod-succeeded")},
                  {}})
                .tasks.at(0)
                .end_time,
            utc("2026-11-23T14:54:41Z"));
  EXPECT_EQ(only({{testing::recorded_object("job-complete")}, {}, {}, {}}).tasks.at(0).end_time,
            utc("2026-11-23T14:54:42Z"));
  EXPECT_EQ(only({{testing::recorded_object("job-failed")}, {}, {}, {}}).tasks.at(0).end_time,
            utc("2026-11-23T14:54:57Z"));
  EXPECT_FALSE(only({{testing::recorded_object("job-running")}, {}, {}, {}})
                   .tasks.at(0)
                   .end_time.has_value());
}

TEST(KubeJobView, SignalFromTheShellsExitCode) {
  json pod = testing::recorded_object("pod-failed");
  pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] = 137;
  JobRecord job = only({{testing::recorded_object("job-failed")}, {}, {pod}, {}});
  EXPECT_EQ(job.tasks.at(0).signal, 9);
}

TEST(KubeJobView, SuspendedJobIsHeld) {
  JobRecord job = only({{testing::recorded_object("job-suspended")}, {}, {}, {}});
  EXPECT_EQ(job.tasks.at(0).state, JobState::Held);
  EXPECT_EQ(letters(job), "hqw");
}

TEST(KubeJobView, SuspendedJobWhosePodHasNotStartedIsHeld) {
  // qhold suspends the Job; its unscheduled pod is removed a moment later.
  json pod = testing::recorded_object("pod-pending");
  pod["metadata"]["labels"]["k8sjobs.io/job-id"] = "104";
  pod["metadata"]["deletionTimestamp"] = "2026-11-23T14:55:10Z";
  JobRecord job = only({{testing::recorded_object("job-suspended")}, {}, {pod}, {}});
  EXPECT_EQ(letters(job), "hqw");
}

TEST(KubeJobView, UnschedulablePodIsWaitingWithTheSchedulersMessage) {
  JobRecord job = only({{testing::recorded_object("job-pending")},
                        {},
                        {testing::recorded_object("pod-pending")},
                        {}});
  EXPECT_EQ(job.id, 106);
  EXPECT_EQ(letters(job), "qw");
  EXPECT_EQ(job.tasks.at(0).scheduling_info,
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
            "1 No preemption victims found for incoming pod.");
}

TEST(KubeJobView, ImagePullBackOffIsAnError) {
  json pod = testing::recorded_object("pod-pending");
  pod["spec"]["nodeName"] = "sim-node-1";
  pod["status"]["containerStatuses"] =
      json::array({{{"name", "job"},
                    {"state",
                     {{"waiting",
                       {{"reason", "ImagePullBackOff"},
                        {"message", "Back-off pulling image \"nope:latest\""}}}}},
                    {"restartCount", 0}}});
  JobRecord job = only({{testing::recorded_object("job-pending")}, {}, {pod}, {}});
  EXPECT_EQ(letters(job), "Eqw");
  EXPECT_EQ(job.tasks.at(0).error_reason,
            "ImagePullBackOff: Back-off pulling image \"nope:latest\"");
}

TEST(KubeJobView, DeletedRunningPodIsDr) {
  json pod = testing::recorded_object("pod-running");
  pod["metadata"]["deletionTimestamp"] = "2026-11-23T14:55:00Z";
  JobRecord job = only({{testing::recorded_object("job-running")}, {}, {pod}, {}});
  EXPECT_EQ(letters(job), "dr");
}

TEST(KubeJobView, AvailableDeploymentIsARunningContinuousJob) {
  JobRecord job = only({{},
                        {testing::recorded_object("deployment-available")},
                        {testing::recorded_object("pod-running-of-deployment")},
                        {}});
  EXPECT_EQ(job.id, 105);
  EXPECT_TRUE(job.continuous);
  EXPECT_EQ(job.backend_objects,
            (std::vector<std::pair<std::string, std::string>>{{"Deployment", "fx-web"}}));
  EXPECT_EQ(letters(job), "r");
  EXPECT_EQ(job.tasks.at(0).node, "sim-node-1");
}

TEST(KubeJobView, DeploymentScaledToZeroIsHeld) {
  json deployment = testing::recorded_object("deployment-available");
  deployment["spec"]["replicas"] = 0;
  JobRecord job = only({{}, {deployment}, {}, {}});
  EXPECT_EQ(letters(job), "hqw");
}

TEST(KubeJobView, WholeNamespaceSortedByIdAndForeignObjectsIgnored) {
  json foreign = testing::recorded_object("job-running");
  foreign["metadata"]["labels"].erase("k8sjobs.io/job-id");
  ClusterSnapshot snapshot;
  snapshot.jobs = {
      testing::recorded_object("job-pending"),  testing::recorded_object("job-failed"),
      testing::recorded_object("job-running"),  testing::recorded_object("job-suspended"),
      testing::recorded_object("job-complete"), foreign};
  snapshot.deployments = {testing::recorded_object("deployment-available")};
  snapshot.pods = {
      testing::recorded_object("pod-pending"),
      testing::recorded_object("pod-running-of-deployment"), testing::recorded_object("pod-failed"),
      testing::recorded_object("pod-succeeded"), testing::recorded_object("pod-running")};
  auto records = derive_job_records(snapshot);
  std::vector<long long> ids;
  std::vector<std::string> states;
  for (const auto& record : records) {
    ids.push_back(record.id);
    states.push_back(qstat::state_letters(record, record.tasks.at(0)));
  }
  EXPECT_EQ(ids, (std::vector<long long>{101, 102, 103, 104, 105, 106}));
  EXPECT_EQ(states, (std::vector<std::string>{"r", "z", "z", "hqw", "r", "qw"}));
}

TEST(KubeJobView, CollectorGivesTheSameRecordsInAnyOrderAndForgetsARestartedKind) {
  std::vector<json> jobs = {
      testing::recorded_object("job-pending"), testing::recorded_object("job-failed"),
      testing::recorded_object("job-running"), testing::recorded_object("job-suspended"),
      testing::recorded_object("job-complete")};
  std::vector<json> pods = {
      testing::recorded_object("pod-pending"),
      testing::recorded_object("pod-running-of-deployment"), testing::recorded_object("pod-failed"),
      testing::recorded_object("pod-succeeded"), testing::recorded_object("pod-running")};
  auto expected =
      derive_job_records({jobs, {testing::recorded_object("deployment-available")}, pods, {}});

  // Pods before their owners, as pages of different kinds may arrive; a pods LIST that
  // started over after its first page (expired continue token).
  JobViewCollector collector;
  collector.add_pod(testing::recorded_object("pod-running"));
  collector.clear_pods();
  for (auto it = pods.rbegin(); it != pods.rend(); ++it) collector.add_pod(*it);
  collector.add_deployment(testing::recorded_object("deployment-available"));
  collector.add_job(testing::recorded_object("job-running"));
  collector.clear_jobs();
  for (const auto& job : jobs) collector.add_job(job);
  auto records = collector.take_records();
  ASSERT_EQ(records.size(), expected.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].id, expected[i].id);
    ASSERT_EQ(records[i].tasks.size(), expected[i].tasks.size());
    EXPECT_EQ(qstat::state_letters(records[i], records[i].tasks[0]),
              qstat::state_letters(expected[i], expected[i].tasks[0]));
    EXPECT_EQ(records[i].tasks[0].node, expected[i].tasks[0].node);
    EXPECT_EQ(records[i].tasks[0].exit_code, expected[i].tasks[0].exit_code);
  }
  EXPECT_TRUE(collector.take_records().empty());
}

TEST(KubeJobView, ReadsOnlyTheSpecFieldsItDeclares) {
  // What a projected LIST keeps of each kind must be enough: strip every other spec field.
  auto strip = [](json object, const std::vector<std::string>& keep) {
    json spec = json::object();
    for (const auto& key : keep) {
      if (object["spec"].contains(key)) spec[key] = object["spec"][key];
    }
    object["spec"] = spec;
    return object;
  };
  json suspended = testing::recorded_object("job-suspended");
  json running_pod = testing::recorded_object("pod-running");
  json deployment = testing::recorded_object("deployment-available");
  deployment["spec"]["replicas"] = 0;
  auto whole = derive_job_records(
      {{suspended, testing::recorded_object("job-running")}, {deployment}, {running_pod}, {}});
  auto projected = derive_job_records(
      {{strip(suspended, JobViewCollector::job_spec_fields()),
        strip(testing::recorded_object("job-running"), JobViewCollector::job_spec_fields())},
       {strip(deployment, JobViewCollector::deployment_spec_fields())},
       {strip(running_pod, JobViewCollector::pod_spec_fields())},
       {}});
  ASSERT_EQ(projected.size(), 3u);
  ASSERT_EQ(whole.size(), 3u);
  for (size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(qstat::state_letters(projected[i], projected[i].tasks.at(0)),
              qstat::state_letters(whole[i], whole[i].tasks.at(0)));
    EXPECT_EQ(projected[i].tasks[0].node, whole[i].tasks[0].node);
  }
  EXPECT_EQ(projected[0].tasks[0].node, "sim-node-1");
}

}  // namespace
}  // namespace k8sjobs::jobs

namespace k8sjobs::jobs {
namespace {

// The kinds are listed side by side (KubeBackend::collect), so their objects arrive
// interleaved: the warnings still come by kind (Jobs, Deployments, Pods), each kind's in the
// order its objects came, as when the kinds were listed in turn.
TEST(KubeJobView, WarningsComeByKindWhateverOrderTheObjectsCameIn) {
  auto with_id = [](json object, const std::string& name, const std::string& id) {
    object["metadata"]["name"] = name;
    object["metadata"]["labels"]["k8sjobs.io/job-id"] = id;
    return object;
  };
  JobViewCollector collector(/*lean=*/true);
  collector.add_pod(with_id(testing::recorded_object("pod-running"), "pod-a", "x1"));
  collector.add_job(with_id(testing::recorded_object("job-running"), "job-a", "x2"));
  collector.add_pod(with_id(testing::recorded_object("pod-running"), "pod-b", "x3"));
  collector.add_deployment(
      with_id(testing::recorded_object("deployment-available"), "deploy-a", "x4"));
  collector.add_job(with_id(testing::recorded_object("job-running"), "job-b", "x5"));
  collector.take_table();
  const auto warnings = collector.take_warnings();
  ASSERT_EQ(warnings.size(), 5u);
  const std::vector<std::string> order = {"job/job-a", "job/job-b", "deployment/deploy-a",
                                          "pod/pod-a", "pod/pod-b"};
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_NE(warnings[i].find(order[i]), std::string::npos) << i << ": " << warnings[i];
  }
}

}  // namespace
}  // namespace k8sjobs::jobs
