// SPDX-License-Identifier: Apache-2.0
// What the controller's mail and accounting passes list (controller/job_view_listing.h): k8sjobs'
// Jobs and pods over HTTPS, page by page, cut to what JobViewCollector reads and the uid, never
// the half of each object that is managedFields nor a pod's spec beyond its node.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "apiserver/apiserver_test_helpers.h"
#include "apiserver/test_apiserver.h"
#include "k8sjobs/controller/job_view_listing.h"
#include "support/fake_clock.h"
#include "support/test_client.h"
#include "support/tool_alice.h"

namespace k8sjobs::controller {
namespace {

using nlohmann::json;

json labelled_k8sjobs_job(const std::string& name, long long id) {
  json job = testing::job_manifest(name);
  job["metadata"]["labels"] = {{"app.kubernetes.io/managed-by", "k8sjobs"},
                               {"k8sjobs.io/job-id", std::to_string(id)}};
  job["metadata"]["annotations"] = {{"k8sjobs.io/job-name", name}};
  job["spec"]["template"]["metadata"]["labels"] = job["metadata"]["labels"];
  return job;
}

TEST(JobViewListing, ListsOurJobsAndPodsCutToWhatTheCollectorReads) {
  testing::TestApiServer server;
  server.add_token_user(testing::kAliceToken, "system:serviceaccount:k8sjobs:controller",
                        {testing::kAliceNamespace});
  // More than one page of each (500 a page), and one Job that is not k8sjobs'.
  for (int i = 0; i < 501; ++i)
    server.create(testing::kAliceJobsPath, labelled_k8sjobs_job("j" + std::to_string(i), i + 1));
  server.create(testing::kAliceJobsPath, testing::job_manifest("someone-elses"));
  testing::FakeClock clock;
  sys::Environment environment;
  auto client = testing::client_over(
      testing::token_connection(server, testing::kAliceToken, testing::kAliceNamespace), clock,
      environment);

  auto listed = list_job_view_objects(*client, testing::kAliceNamespace);
  ASSERT_TRUE(listed) << listed.error().describe();
  ASSERT_EQ(listed->jobs.size(), 501u);
  ASSERT_EQ(listed->pods.size(), 501u);  // the server's Job controller made one each

  ASSERT_TRUE(
      server.list(testing::kAliceJobsPath).front().at("metadata").contains("managedFields"));
  auto expect_cut = [](const json& object, const std::set<std::string>& spec_kept) {
    const json& metadata = object.at("metadata");
    EXPECT_FALSE(metadata.contains("managedFields"));
    for (const char* kept : {"uid", "name", "namespace", "labels", "creationTimestamp"})
      EXPECT_TRUE(metadata.contains(kept)) << kept;
    for (const auto& [key, value] : object.at("spec").items())
      EXPECT_TRUE(spec_kept.contains(key)) << key;
  };
  expect_cut(listed->jobs.front(), {"suspend"});
  expect_cut(listed->pods.back(), {"nodeName", "schedulingGates"});
  EXPECT_EQ(listed->jobs.front()["metadata"]["annotations"]["k8sjobs.io/job-name"], "j0");
}

}  // namespace
}  // namespace k8sjobs::controller
