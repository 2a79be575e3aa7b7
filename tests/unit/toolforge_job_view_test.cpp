// SPDX-License-Identifier: Apache-2.0
// The Toolforge jobs framework's objects as qstat sees them: the shapes `toolforge jobs run`
// writes (tests/data/toolforge), their states mapped like ours, a CronJob's runs folded into it,
// and hostile values in every field that proves what an object is: skipped with one warning,
// never an exception, the good jobs beside them unchanged.

#include <gtest/gtest.h>

#include <cctype>

#include "k8sjobs/jobs/toolforge_job_view.h"
#include "support/build_paths.h"
#include "support/temp_dir.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

constexpr const char* kNs = "tool-alice";

// A framework object as the server returns it: the file, with what the server adds.
json served(const std::string& name, const std::string& uid) {
  json object = json::parse(
      testing::read_file(std::string(K8SJOBS_TEST_DATA_DIR) + "/toolforge/" + name + ".json"));
  object["metadata"]["uid"] = uid;
  object["metadata"]["creationTimestamp"] = "2026-03-01T10:00:00Z";
  object["metadata"]["resourceVersion"] = "7";
  return object;
}

// A pod of a framework object: its template's labels, a phase.
json pod_of(const json& owner, const std::string& name, const std::string& phase,
            const std::string& created = "2026-03-01T10:00:05Z") {
  const json& spec =
      owner["kind"] == "CronJob" ? owner["spec"]["jobTemplate"]["spec"] : owner["spec"];
  json pod{{"apiVersion", "v1"},
           {"kind", "Pod"},
           {"metadata",
            {{"name", name},
             {"namespace", kNs},
             {"creationTimestamp", created},
             {"labels", spec["template"]["metadata"]["labels"]}}},
           {"spec", {{"nodeName", "tools-k8s-worker-1"}}},
           {"status", {{"phase", phase}}}};
  if (phase == "Running") pod["status"]["startTime"] = "2026-03-01T10:00:07Z";
  return pod;
}

ForeignJobListing collect(const std::vector<json>& jobs, const std::vector<json>& cronjobs,
                          const std::vector<json>& deployments, const std::vector<json>& pods) {
  ToolforgeJobCollector collector(kNs, "tools.");
  for (const auto& job : jobs) collector.add_job(job);
  for (const auto& cronjob : cronjobs) collector.add_cronjob(cronjob);
  for (const auto& deployment : deployments) collector.add_deployment(deployment);
  for (const auto& pod : pods) collector.add_pod(pod);
  return collector.take();
}

const ForeignJob* named(const ForeignJobListing& listing, const std::string& name) {
  for (const auto& job : listing.jobs)
    if (job.record.name == name) return &job;
  return nullptr;
}

TEST(ToolforgeJobView, TheFrameworksThreeKindsAreJobsOfTheTool) {
  json job = served("job", "11111111-aaaa-4bbb-8ccc-000000000001");
  json cronjob = served("cronjob", "11111111-aaaa-4bbb-8ccc-000000000002");
  json deployment = served("deployment", "11111111-aaaa-4bbb-8ccc-000000000003");
  auto listing =
      collect({job}, {cronjob}, {deployment},
              {pod_of(job, "fetch-x1", "Pending"), pod_of(deployment, "bot-7d-1", "Running")});
  EXPECT_TRUE(listing.warnings.empty()) << listing.warnings.front();
  ASSERT_EQ(listing.jobs.size(), 3u);

  const ForeignJob* fetch = named(listing, "fetch");
  ASSERT_NE(fetch, nullptr);
  EXPECT_EQ(fetch->uid, "11111111-aaaa-4bbb-8ccc-000000000001");
  EXPECT_EQ(fetch->record.id, 0);
  EXPECT_EQ(fetch->record.owner, "tools.alice");
  EXPECT_FALSE(fetch->record.continuous);
  EXPECT_EQ(fetch->record.managed_by, "toolforge-jobs-framework");
  EXPECT_EQ(fetch->record.backend_uid, fetch->uid);
  EXPECT_EQ(fetch->record.backend_namespace, kNs);
  EXPECT_EQ(fetch->record.backend_objects,
            (std::vector<std::pair<std::string, std::string>>{{"Job", "fetch"}}));
  EXPECT_EQ(fetch->record.cwd, "/data/project/alice");
  EXPECT_NE(fetch->record.script_file.find("./fetch.sh"), std::string::npos);
  ASSERT_EQ(fetch->record.tasks.size(), 1u);
  EXPECT_EQ(fetch->record.tasks[0].state, JobState::Starting);  // scheduled on a node

  const ForeignJob* daily = named(listing, "daily");
  ASSERT_NE(daily, nullptr);
  EXPECT_EQ(daily->record.backend_objects.front().first, "CronJob");
  EXPECT_EQ(daily->record.tasks[0].state, JobState::Pending);  // between runs: qw
  EXPECT_NE(daily->record.scheduling_info.find("17 3 * * *"), std::string::npos);

  const ForeignJob* bot = named(listing, "bot");
  ASSERT_NE(bot, nullptr);
  EXPECT_TRUE(bot->record.continuous);
  EXPECT_EQ(bot->record.backend_objects.front().first, "Deployment");
  EXPECT_EQ(bot->record.tasks[0].state, JobState::Running);
  EXPECT_EQ(bot->record.tasks[0].node, "tools-k8s-worker-1");
}

TEST(ToolforgeJobView, ACronJobsRunIsPartOfItAndShowsItRunning) {
  json cronjob = served("cronjob", "c-1");
  // The Job the CronJob started: the template's labels (component cronjobs), its own uid.
  json run{{"apiVersion", "batch/v1"},
           {"kind", "Job"},
           {"metadata",
            {{"name", "daily-29000000"},
             {"namespace", kNs},
             {"uid", "r-1"},
             {"labels", cronjob["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]}}},
           {"spec", json::object()}};
  auto listing = collect({run}, {cronjob}, {}, {pod_of(cronjob, "daily-29000000-x", "Running")});
  EXPECT_TRUE(listing.warnings.empty());
  ASSERT_EQ(listing.jobs.size(), 1u);
  EXPECT_EQ(listing.jobs[0].record.tasks[0].state, JobState::Running);

  // The run ended: the CronJob waits for the next one again.
  listing = collect({run}, {cronjob}, {}, {pod_of(cronjob, "daily-29000000-x", "Succeeded")});
  ASSERT_EQ(listing.jobs.size(), 1u);
  EXPECT_EQ(listing.jobs[0].record.tasks[0].state, JobState::Pending);
}

TEST(ToolforgeJobView, StatesAreMappedLikeOurs) {
  json done = served("job", "j-1");
  done["status"]["conditions"] = json::array({{{"type", "Complete"}, {"status", "True"}}});
  json failed = served("job", "j-2");
  failed["metadata"]["labels"]["app.kubernetes.io/name"] = "other";
  failed["status"]["conditions"] = json::array({{{"type", "Failed"}, {"status", "True"}}});
  json stopped = served("deployment", "d-1");
  stopped["spec"]["replicas"] = 0;
  json deleting = served("cronjob", "c-1");
  deleting["metadata"]["deletionTimestamp"] = "2026-03-01T11:00:00Z";
  json restarted = served("deployment", "d-2");
  restarted["metadata"]["labels"]["app.kubernetes.io/name"] = "bot2";
  json ended = pod_of(restarted, "bot2-x", "Failed");
  ended["metadata"]["labels"]["app.kubernetes.io/name"] = "bot2";
  auto listing = collect({done, failed}, {deleting}, {stopped, restarted}, {ended});
  ASSERT_EQ(listing.jobs.size(), 5u);
  EXPECT_EQ(named(listing, "fetch")->record.tasks[0].state, JobState::Succeeded);
  EXPECT_EQ(named(listing, "other")->record.tasks[0].state, JobState::Failed);
  EXPECT_EQ(named(listing, "bot")->record.tasks[0].state, JobState::Held);
  EXPECT_EQ(named(listing, "bot2")->record.tasks[0].state, JobState::Restarted);
  EXPECT_EQ(named(listing, "daily")->record.tasks[0].state, JobState::Deleting);
}

std::vector<json> hostile_values() {
  return {nullptr,
          true,
          0,
          -1,
          1.5,
          "",
          "k8sjobs ",
          "-x-",
          std::string("\xff\xfe\x1b[2J"),
          "a/b",
          std::string(65, 'a'),
          json::array({1, "a"}),
          json::object(),
          std::string(1 << 20, 'x')};
}

// Each field that proves what an object is, in each kind: a hostile value skips that object
// with one warning naming it, and the good neighbour is listed exactly as without it.
class ToolforgeJobViewHostile : public ::testing::TestWithParam<std::string> {};

TEST_P(ToolforgeJobViewHostile, AnObjectWhoseIdentityIsNotProvenIsSkippedWithOneWarning) {
  const std::string field = GetParam();
  json neighbour = served("deployment", "good-1");
  auto expected = collect({}, {}, {neighbour}, {});
  ASSERT_EQ(expected.jobs.size(), 1u);
  for (const char* kind : {"job", "cronjob", "deployment"}) {
    for (const json& value : hostile_values()) {
      json object = served(kind, "bad-1");
      object["metadata"]["labels"]["app.kubernetes.io/name"] = "hostile";
      if (field == "uid" || field == "namespace") {
        object["metadata"][field] = value;
      } else {
        object["metadata"]["labels"][field] = value;
      }
      ForeignJobListing listing;
      ASSERT_NO_THROW({
        listing = std::string(kind) == "job"       ? collect({object}, {}, {neighbour}, {})
                  : std::string(kind) == "cronjob" ? collect({}, {object}, {neighbour}, {})
                                                   : collect({}, {}, {object, neighbour}, {});
      });
      // A Job labelled as a CronJob's run is part of that CronJob: skipped without a word.
      bool a_run = std::string(kind) == "job" && field == "app.kubernetes.io/component" &&
                   value == "cronjobs";
      ASSERT_EQ(listing.jobs.size(), 1u)
          << kind << " " << field << "=" << value.dump().substr(0, 40);
      EXPECT_EQ(listing.jobs[0].record.name, "bot");
      EXPECT_EQ(listing.jobs[0].uid, "good-1");
      ASSERT_EQ(listing.warnings.size(), a_run ? 0u : 1u) << kind << " " << field;
      if (!a_run) {
        EXPECT_EQ(listing.warnings[0].rfind("ignoring " + std::string(kind) + "/", 0), 0u)
            << listing.warnings[0];
        EXPECT_LT(listing.warnings[0].size(), 400u);
        EXPECT_EQ(listing.warnings[0].find('\x1b'), std::string::npos);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fields, ToolforgeJobViewHostile,
                         ::testing::Values("app.kubernetes.io/managed-by", "toolforge",
                                           "app.kubernetes.io/component", "app.kubernetes.io/name",
                                           "app.kubernetes.io/created-by", "uid", "namespace"),
                         [](const auto& param_info) {
                           std::string name;
                           for (char c : param_info.param)
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(ToolforgeJobView, HostilePodsAndFieldsShownNeverThrow) {
  json job = served("job", "j-1");
  std::vector<json> pods;
  for (const json& value : hostile_values()) {
    json pod = pod_of(job, "p", "Running");
    pod["metadata"]["labels"]["app.kubernetes.io/name"] = value;
    pods.push_back(pod);
    json shown = served("job", "j-1");
    shown["spec"]["template"]["spec"]["containers"][0]["command"] = value;
    shown["spec"]["template"]["spec"]["containers"][0]["workingDir"] = value;
    shown["spec"]["suspend"] = value;
    shown["status"] = value;
    ForeignJobListing listing;
    ASSERT_NO_THROW(listing = collect({shown}, {}, {}, {}));
    ASSERT_EQ(listing.jobs.size(), 1u);
    EXPECT_EQ(listing.jobs[0].record.cwd.find('\x1b'), std::string::npos);
  }
  ForeignJobListing listing;
  ASSERT_NO_THROW(listing = collect({job}, {}, {}, pods));
  ASSERT_EQ(listing.jobs.size(), 1u);
  EXPECT_EQ(listing.jobs[0].record.tasks[0].state, JobState::Pending);  // no pod was believed
  // One warning per pod whose name label is not a label value (the strings that are stay).
  EXPECT_GE(listing.warnings.size(), hostile_values().size() - 2);
}

}  // namespace
}  // namespace k8sjobs::jobs
