// SPDX-License-Identifier: Apache-2.0
// The job numbers of the Toolforge jobs framework's jobs against the test API server over
// HTTPS: taken from jsub's counter once and kept, no write when nothing is new, entries of jobs
// that are gone forgotten, two commands that see a new job at once agree on its number, and a
// record that cannot be written is a warning (the job is then not numbered), never an error.
#include <gtest/gtest.h>

#include "apiserver/test_apiserver.h"
#include "k8sjobs/jobs/foreign_job_ids.h"
#include "k8sjobs/jobs/job_id_allocator.h"
#include "support/fake_clock.h"
#include "support/test_client.h"
#include "support/tool_alice.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

const std::string kRecordPath = "/api/v1/namespaces/tool-alice/configmaps/k8sjobs-foreign-ids";

std::vector<ForeignJob> jobs_with(const std::vector<std::string>& uids) {
  std::vector<ForeignJob> jobs;
  for (const auto& uid : uids) jobs.push_back(ForeignJob{uid, JobRecord{}});
  return jobs;
}

struct ForeignIds : ::testing::Test {
  ForeignIds() {
    server.add_token_user(testing::kAliceToken, "tools.alice", {testing::kAliceNamespace});
  }

  // What one command does: read the record, (list), assign. Returns uid → number.
  std::map<std::string, long long> assign(const std::vector<std::string>& uids,
                                          std::vector<std::string>* warnings = nullptr,
                                          const ForeignJobIds* before = nullptr) {
    auto client = testing::client_over(
        testing::token_connection(server, testing::kAliceToken, testing::kAliceNamespace), clock,
        environment);
    JobIdAllocator allocator(*client, clock);
    ForeignJobIdRecord record(*client, allocator, testing::kAliceNamespace);
    ForeignJobIds read;
    if (before == nullptr) {
      auto current = record.read();
      EXPECT_TRUE(current) << current.error().describe();
      if (current) read = *current;
    }
    auto jobs = jobs_with(uids);
    std::vector<std::string> said;
    record.assign(jobs, before != nullptr ? *before : read, said);
    if (warnings != nullptr) *warnings = said;
    std::map<std::string, long long> ids;
    for (const auto& job : jobs) ids[job.uid] = job.record.id;
    return ids;
  }

  int writes_to_record() const {
    int writes = 0;
    for (const auto& request : server.requests())
      if (request.path == kRecordPath ||
          (request.method == "POST" &&
           request.body.find("k8sjobs-foreign-ids") != std::string::npos))
        writes += request.method != "GET";
    return writes;
  }

  testing::TestApiServer server;
  testing::FakeClock clock;
  sys::Environment environment;
};

TEST_F(ForeignIds, NumbersComeFromJsubsCounterOnceAndAreKeptWithoutAWrite) {
  auto first = assign({"u-1", "u-2"});
  EXPECT_EQ(first, (std::map<std::string, long long>{{"u-1", 1}, {"u-2", 2}}));
  server.clear_requests();
  EXPECT_EQ(assign({"u-1", "u-2"}), first);
  EXPECT_EQ(writes_to_record(), 0);
  // jsub's next number follows them.
  auto client = testing::client_over(
      testing::token_connection(server, testing::kAliceToken, testing::kAliceNamespace), clock,
      environment);
  JobIdAllocator allocator(*client, clock);
  auto next = allocator.next(testing::kAliceNamespace);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, 3);
}

TEST_F(ForeignIds, AJobThatIsGoneIsForgottenWithTheNextWrite) {
  assign({"u-1", "u-2"});
  EXPECT_EQ(assign({"u-2", "u-3"}), (std::map<std::string, long long>{{"u-2", 2}, {"u-3", 3}}));
  auto record = server.get(kRecordPath);
  ASSERT_TRUE(record);
  EXPECT_EQ((*record)["data"], json({{"u-2", "2"}, {"u-3", "3"}}));
}

TEST_F(ForeignIds, TwoCommandsThatSeeANewJobAtOnceAgreeOnItsNumber) {
  // Both read the record before either wrote: the second one's create loses, it reads again
  // and takes the number the first recorded (its own becomes a gap, as a failed jsub's does).
  ForeignJobIds empty;
  auto first = assign({"u-1"}, nullptr, &empty);
  auto second = assign({"u-1"}, nullptr, &empty);
  EXPECT_EQ(first, second);
  // Likewise when the record existed: the swap on the version read fails, the merge wins.
  auto stale = decode_foreign_job_ids(*server.get(kRecordPath));
  auto a = assign({"u-1", "u-2"}, nullptr, &stale);
  auto b = assign({"u-1", "u-2"}, nullptr, &stale);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.at("u-1"), first.at("u-1"));
}

TEST_F(ForeignIds, ARecordThatCannotBeWrittenIsAWarningNotAnError) {
  server.bind_role(
      "tools.alice",
      json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
           {"kind", "Role"},
           {"metadata", {{"name", "read-only"}, {"namespace", testing::kAliceNamespace}}},
           {"rules",
            json::array(
                {json{{"apiGroups", {""}}, {"resources", {"configmaps"}}, {"verbs", {"get"}}}})}});
  std::vector<std::string> warnings;
  auto ids = assign({"u-1"}, &warnings);
  EXPECT_EQ(ids.at("u-1"), 0);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("forbidden"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("not shown"), std::string::npos) << warnings[1];
}

}  // namespace
}  // namespace k8sjobs::jobs
