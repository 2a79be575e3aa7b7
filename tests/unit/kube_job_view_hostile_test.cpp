// SPDX-License-Identifier: Apache-2.0
// Objects k8sjobs did not write, or that someone changed: every field of each kind (Job,
// Deployment, Pod, the details annotation) fed with wrong types, huge and negative numbers,
// empty strings, bytes that are not UTF-8 and a 1 MB value. No exception escapes, the good
// jobs beside them are listed exactly, a bad identity is skipped with a warning naming it.

#include <gtest/gtest.h>

#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/qstat/job_detail.h"
#include "k8sjobs/qstat/listing.h"
#include "support/build_paths.h"
#include "support/recorded_objects.h"
#include "support/temp_dir.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

std::vector<json> hostile_values() {
  return {nullptr,
          true,
          0,
          -1,
          json::parse("18446744073709551615"),
          json::parse("99999999999999999999"),
          -9223372036854775807LL - 1,
          1.5,
          "",
          "abc",
          "0",
          "-1",
          "+7",
          " 101",
          "99999999999999999999",
          "0-2000000000",
          std::string("\xff\xfe\xed\xb3\xbf"),
          json::array(),
          json::array({1, "a", nullptr}),
          json::object(),
          json{{"a", {{"b", 1}}}},
          std::string(1 << 20, '7')};
}

// The good neighbours whose output must not change: a pending Job with its pod, a Deployment.
ClusterSnapshot neighbours() {
  return {{testing::recorded_object("job-pending")},
          {testing::recorded_object("deployment-available")},
          {testing::recorded_object("pod-pending"),
           testing::recorded_object("pod-running-of-deployment")},
          {}};
}

// What qstat shows of the records: -j (every field) and the listing with finished jobs.
std::string shown(const std::vector<JobRecord>& records) {
  qstat::ListingOptions options;
  options.users = {"*"};
  options.states.finished = true;
  auto zone = qstat::TimeZone::utc();
  return qstat::render_job_detail(records, zone) + qstat::render_listing(records, options, zone);
}

std::vector<JobRecord> without(std::vector<JobRecord> records, long long id) {
  std::erase_if(records, [id](const JobRecord& record) { return record.id == id; });
  return records;
}

struct Mutation {
  std::string kind;  // "job", "deployment", "pod"
  std::string pointer;
};

// Applies `value` at `pointer` of the object the mutation names, added to the neighbours.
ClusterSnapshot with(const Mutation& mutation, const json& value) {
  ClusterSnapshot snapshot = neighbours();
  json object;
  if (mutation.kind == "job") {
    object = testing::recorded_object("job-failed");
  } else if (mutation.kind == "deployment") {
    object = testing::recorded_object("deployment-available");
    object["metadata"]["name"] = "fx-web-2";
    object["metadata"]["labels"]["k8sjobs.io/job-id"] = "107";
  } else {
    object = testing::recorded_object("pod-failed");
  }
  if (mutation.pointer.empty()) {
    object = value;
  } else {
    object[json::json_pointer(mutation.pointer)] = value;
  }
  if (mutation.kind == "job") {
    snapshot.jobs.push_back(object);
  } else if (mutation.kind == "deployment") {
    snapshot.deployments.push_back(object);
  } else {
    snapshot.jobs.push_back(testing::recorded_object("job-failed"));
    snapshot.pods.push_back(object);
  }
  return snapshot;
}

const std::vector<Mutation>& mutations() {
  static const std::vector<Mutation> kAll = [] {
    std::vector<Mutation> all;
    for (const char* kind : {"job", "deployment"}) {
      for (const char* pointer : {"",
                                  "/metadata",
                                  "/metadata/name",
                                  "/metadata/namespace",
                                  "/metadata/labels",
                                  "/metadata/labels/app.kubernetes.io~1managed-by",
                                  "/metadata/labels/k8sjobs.io~1job-id",
                                  "/metadata/labels/k8sjobs.io~1owner",
                                  "/metadata/annotations",
                                  "/metadata/annotations/k8sjobs.io~1job-name",
                                  "/metadata/annotations/k8sjobs.io~1owner",
                                  "/metadata/annotations/k8sjobs.io~1submit-time",
                                  "/metadata/annotations/k8sjobs.io~1details",
                                  "/metadata/annotations/k8sjobs.io~1mail-options",
                                  "/metadata/annotations/k8sjobs.io~1mail-list",
                                  "/metadata/creationTimestamp",
                                  "/metadata/deletionTimestamp",
                                  "/spec",
                                  "/spec/suspend",
                                  "/spec/replicas",
                                  "/status",
                                  "/status/conditions",
                                  "/status/conditions/0",
                                  "/status/conditions/0/type",
                                  "/status/conditions/0/status",
                                  "/status/conditions/0/reason",
                                  "/status/completedIndexes",
                                  "/status/failedIndexes"}) {
        all.push_back({kind, pointer});
      }
    }
    for (const char* pointer : {"",
                                "/metadata",
                                "/metadata/labels",
                                "/metadata/labels/k8sjobs.io~1job-id",
                                "/metadata/annotations",
                                "/metadata/annotations/batch.kubernetes.io~1job-completion-index",
                                "/metadata/creationTimestamp",
                                "/metadata/deletionTimestamp",
                                "/spec",
                                "/spec/nodeName",
                                "/status",
                                "/status/phase",
                                "/status/startTime",
                                "/status/conditions",
                                "/status/conditions/0",
                                "/status/conditions/0/message",
                                "/status/containerStatuses",
                                "/status/containerStatuses/0",
                                "/status/containerStatuses/0/restartCount",
                                "/status/containerStatuses/0/state",
                                "/status/containerStatuses/0/state/terminated",
                                "/status/containerStatuses/0/state/terminated/exitCode",
                                "/status/containerStatuses/0/state/terminated/signal",
                                "/status/containerStatuses/0/state/waiting",
                                "/status/containerStatuses/0/state/waiting/reason",
                                "/status/containerStatuses/0/state/running",
                                "/status/containerStatuses/0/state/running/startedAt"}) {
      all.push_back({"pod", pointer});
    }
    // Each field of the details annotation, as JSON text inside it.
    json details = json::parse(
        testing::recorded_object("job-failed")["metadata"]["annotations"]["k8sjobs.io/details"]
            .get<std::string>());
    details["array"] = {{"first", 1}, {"last", 1}, {"step", 1}};
    for (const auto& [key, ignored] : details.items()) all.push_back({"details", "/" + key});
    return all;
  }();
  return kAll;
}

// One case per kind, so the cases spread over ctest's processes.
class KubeJobViewHostileKind : public ::testing::TestWithParam<std::string> {};

TEST_P(KubeJobViewHostileKind, EveryFieldWithEveryWrongValue) {
  const std::string expected = shown(derive_job_records(neighbours()));
  for (const auto& mutation : mutations()) {
    if (mutation.kind != GetParam()) continue;
    for (const json& value : hostile_values()) {
      ClusterSnapshot snapshot;
      if (mutation.kind == "details") {
        json job = testing::recorded_object("job-failed");
        json details =
            json::parse(job["metadata"]["annotations"]["k8sjobs.io/details"].get<std::string>());
        details[json::json_pointer(mutation.pointer)] = value;
        job["metadata"]["annotations"]["k8sjobs.io/details"] =
            details.dump(-1, ' ', false, json::error_handler_t::replace);
        snapshot = neighbours();
        snapshot.jobs.push_back(job);
      } else {
        snapshot = with(mutation, value);
      }
      const std::string what =
          mutation.kind + " " + mutation.pointer + " = " +
          value.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 60);
      JobListing listing;
      ASSERT_NO_THROW(listing = derive_job_listing(snapshot)) << what;
      // The neighbours (103 is the mutated Job's, 107 the mutated Deployment's) are exact.
      EXPECT_EQ(shown(without(without(listing.records, 103), 107)), expected) << what;
      // The mutated owner is listed, or skipped with a warning that names it.
      long long id = mutation.kind == "deployment" ? 107 : 103;
      bool listed = std::any_of(listing.records.begin(), listing.records.end(),
                                [id](const JobRecord& record) { return record.id == id; });
      if (!listed) {
        ASSERT_FALSE(listing.warnings.empty()) << what;
        EXPECT_EQ(listing.warnings[0].rfind("ignoring " + mutation.kind + "/", 0), 0u)
            << what << ": " << listing.warnings[0];
      }
      for (const auto& warning : listing.warnings) {
        EXPECT_LT(warning.size(), 1000u) << what;
        EXPECT_EQ(warning.find('\n'), std::string::npos) << what;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryKind, KubeJobViewHostileKind,
                         ::testing::Values("job", "deployment", "pod", "details"));

ClusterSnapshot with_job(json job) {
  ClusterSnapshot snapshot = neighbours();
  snapshot.jobs.push_back(std::move(job));
  return snapshot;
}

std::vector<std::string> warnings_for_job_id(const json& id) {
  json job = testing::recorded_object("job-failed");
  job["metadata"]["name"] = "hostile-1";
  job["metadata"]["labels"]["k8sjobs.io/job-id"] = id;
  auto listing = derive_job_listing(with_job(job));
  EXPECT_EQ(shown(listing.records), shown(derive_job_records(neighbours())));
  return listing.warnings;
}

TEST(KubeJobViewHostile, BadJobIdLabelsAreSkippedWithTheirReason) {
  using W = std::vector<std::string>;
  EXPECT_EQ(warnings_for_job_id("abc"),
            W{"ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job number"});
  EXPECT_EQ(warnings_for_job_id("99999999999999999999"),
            W{"ignoring job/hostile-1: label k8sjobs.io/job-id \"99999999999999999999\" is not a "
              "job number (too large)"});
  EXPECT_EQ(warnings_for_job_id("0"), W{"ignoring job/hostile-1: label k8sjobs.io/job-id \"0\" is "
                                        "not a job number (they start at 1)"});
  EXPECT_EQ(warnings_for_job_id("-3"),
            W{"ignoring job/hostile-1: label k8sjobs.io/job-id \"-3\" is not a job number"});
  EXPECT_EQ(warnings_for_job_id(""), W{"ignoring job/hostile-1: label k8sjobs.io/job-id \"\" is "
                                       "empty, not a job number"});
  EXPECT_EQ(warnings_for_job_id(42),
            W{"ignoring job/hostile-1: label k8sjobs.io/job-id is not a string"});
  EXPECT_EQ(warnings_for_job_id("\x1b]0;pwned\x07"),
            W{"ignoring job/hostile-1: label k8sjobs.io/job-id \"\\x1b]0;pwned\\x07\" is not a "
              "job number"});
}

TEST(KubeJobViewHostile, AnOwnerThatIsNotProvenIsSkipped) {
  json job = testing::recorded_object("job-failed");
  job["metadata"]["labels"]["k8sjobs.io/owner"] = "tools.bob";
  auto listing = derive_job_listing(with_job(job));
  EXPECT_EQ(listing.warnings,
            std::vector<std::string>{
                "ignoring job/fx-fail: label k8sjobs.io/owner \"tools.bob\" does not match "
                "annotation k8sjobs.io/owner \"tools.alice\""});
  job = testing::recorded_object("job-failed");
  job["metadata"]["annotations"].erase("k8sjobs.io/owner");
  listing = derive_job_listing(with_job(job));
  EXPECT_EQ(listing.warnings,
            std::vector<std::string>{
                "ignoring job/fx-fail: annotation k8sjobs.io/owner is missing or not a string"});
  json deployment = testing::recorded_object("deployment-available");
  deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "helm";
  listing = derive_job_listing({{}, {deployment}, {}, {}});
  EXPECT_TRUE(listing.records.empty());
  EXPECT_EQ(listing.warnings, std::vector<std::string>{"ignoring deployment/fx-web: label "
                                                       "app.kubernetes.io/managed-by is not "
                                                       "k8sjobs"});
}

TEST(KubeJobViewHostile, BadPodsAreSkippedWithTheirReason) {
  json pod = testing::recorded_object("pod-failed");
  pod["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] = "x1";
  auto listing = derive_job_listing({{testing::recorded_object("job-failed")}, {}, {pod}, {}});
  ASSERT_EQ(listing.records.size(), 1u);
  EXPECT_EQ(listing.warnings,
            std::vector<std::string>{"ignoring pod/" + pod["metadata"]["name"].get<std::string>() +
                                     ": annotation batch.kubernetes.io/job-completion-index "
                                     "\"x1\" is not a number"});
}

TEST(KubeJobViewHostile, BadDetailsShowDefaultsAndSaySo) {
  json job = testing::recorded_object("job-failed");
  json details =
      json::parse(job["metadata"]["annotations"]["k8sjobs.io/details"].get<std::string>());
  details["slots"] = "many";
  details["args"] = 5;
  job["metadata"]["annotations"]["k8sjobs.io/details"] = details.dump();
  auto listing = derive_job_listing({{job}, {}, {}, {}});
  ASSERT_EQ(listing.records.size(), 1u);
  EXPECT_EQ(listing.records[0].slots, 1);
  EXPECT_TRUE(listing.records[0].job_args.empty());
  EXPECT_EQ(listing.warnings,
            std::vector<std::string>{
                "job/fx-fail: annotation k8sjobs.io/details: \"args\" is not a list of strings; "
                "\"slots\" is not a number from 1 to 100000 (shown as not set)"});

  job["metadata"]["annotations"]["k8sjobs.io/details"] = "{\"cwd\": \"\\udcff\"}";
  listing = derive_job_listing({{job}, {}, {}, {}});
  ASSERT_EQ(listing.records.size(), 1u);
  EXPECT_EQ(listing.warnings, std::vector<std::string>{"job/fx-fail: annotation "
                                                       "k8sjobs.io/details: is not JSON (shown "
                                                       "as not set)"});
  job["metadata"]["annotations"]["k8sjobs.io/details"] = std::string(1 << 20, ' ') + "{}";
  listing = derive_job_listing({{job}, {}, {}, {}});
  ASSERT_EQ(listing.records.size(), 1u);
  EXPECT_EQ(listing.warnings,
            std::vector<std::string>{"job/fx-fail: annotation k8sjobs.io/details: is larger than "
                                     "262144 bytes (shown as not set)"});
}

TEST(KubeJobViewHostile, ServerIndexListsCannotFillMemory) {
  json job = testing::recorded_object("job-failed");
  json details =
      json::parse(job["metadata"]["annotations"]["k8sjobs.io/details"].get<std::string>());
  details["array"] = {{"first", 1}, {"last", 3}, {"step", 1}};
  job["metadata"]["annotations"]["k8sjobs.io/details"] = details.dump();
  job["status"]["conditions"] = json::array();
  job["status"]["completedIndexes"] = "0-2000000000,x,5-";
  job["status"]["failedIndexes"] = "99999999999999999999";
  auto listing = derive_job_listing({{job}, {}, {}, {}});
  ASSERT_EQ(listing.records.size(), 1u);
  ASSERT_EQ(listing.records[0].tasks.size(), 3u);
  for (const auto& task : listing.records[0].tasks) EXPECT_EQ(task.state, JobState::Succeeded);
}

}  // namespace
}  // namespace k8sjobs::jobs
