// k8sjobs-migrate apply's decisions: what counts as equal, when it creates, replaces or leaves
// a CronJob alone, with a scripted API server (the real round trip over HTTPS is in
// tests/integration/migrate_apply_test.cpp).

#include <gtest/gtest.h>

#include <memory>

#include "k8sjobs/migrate/apply.h"
#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace k8sjobs::migrate {
namespace {

using nlohmann::json;

json cronjob(const std::string& name, const std::string& schedule) {
  return {{"apiVersion", "batch/v1"},
          {"kind", "CronJob"},
          {"metadata",
           {{"name", name},
            {"namespace", "tool-alice"},
            {"labels", {{"app.kubernetes.io/managed-by", "k8sjobs"}}}}},
          {"spec", {{"schedule", schedule}, {"jobTemplate", {{"spec", {{"backoffLimit", 0}}}}}}}};
}

TEST(MigrateApplyContains, SubsetOfWhatTheServerReturns) {
  json desired{{"a", 1}, {"b", {{"c", "x"}}}, {"list", {{{"k", 1}}}}};
  json existing{{"a", 1.0},
                {"b", {{"c", "x"}, {"defaulted", true}}},
                {"list", {{{"k", 1}, {"extra", 2}}}},
                {"status", {}}};
  EXPECT_TRUE(contains(existing, desired));
  existing["b"]["c"] = "y";
  EXPECT_FALSE(contains(existing, desired));
  existing["b"]["c"] = "x";
  existing["list"].push_back(json::object());
  EXPECT_FALSE(contains(existing, desired));  // lists must have the same length
  EXPECT_FALSE(contains(json{{"a", 1}}, desired));
}

TEST(MigrateApplyHash, HashCoversEverythingButItself) {
  json a = with_spec_hash(cronjob("x", "0 * * * *"));
  json again = with_spec_hash(a);
  EXPECT_EQ(a, again);
  std::string hash = a["metadata"]["annotations"][kSpecHashAnnotation];
  EXPECT_EQ(hash.size(), 16U);
  json b = with_spec_hash(cronjob("x", "5 * * * *"));
  EXPECT_NE(b["metadata"]["annotations"][kSpecHashAnnotation], hash);
}

// A store of CronJobs behind the scripted transport: GET, POST and PUT as the API server does.
class MigrateApply : public ::testing::Test {
 protected:
  kube::KubeClient client() {
    auto transport = std::make_unique<testing::ScriptedTransport>();
    transport_ = transport.get();
    for (int i = 0; i < 20; ++i) {
      transport->answer_with([this](const std::vector<kube::HttpRequest>& requests) {
        const auto& request = requests.back();
        std::string name = request.path.substr(request.path.rfind('/') + 1);
        if (request.method == "GET") {
          auto found = store.find(name);
          if (found == store.end())
            return kube::HttpResponse{
                404, R"({"kind":"Status","reason":"NotFound","code":404})", {}};
          return kube::HttpResponse{200, found->second.dump(), {}};
        }
        json object = json::parse(request.body);
        object["metadata"]["resourceVersion"] = std::to_string(++version);
        object["spec"]["suspend"] = false;  // a server default
        store[object["metadata"]["name"]] = object;
        ++writes;
        return kube::HttpResponse{request.method == "POST" ? 201 : 200, object.dump(), {}};
      });
    }
    return kube::KubeClient(std::move(transport), kube::RetryPolicy{}, clock);
  }

  testing::FakeClock clock;
  testing::ScriptedTransport* transport_ = nullptr;
  std::map<std::string, json> store;
  int version = 0;
  int writes = 0;
};

TEST_F(MigrateApply, CreatesThenLeavesAloneThenUpdates) {
  auto kube = client();
  std::vector<json> desired{cronjob("a", "0 * * * *"), cronjob("b", "5 * * * *")};
  auto first = apply_cronjobs(kube, "tool-alice", desired, false);
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first[0].action, ApplyAction::Created);
  EXPECT_EQ(first[1].action, ApplyAction::Created);
  EXPECT_EQ(writes, 2);

  auto second = apply_cronjobs(kube, "tool-alice", desired, false);
  EXPECT_EQ(second[0].action, ApplyAction::Unchanged);
  EXPECT_EQ(second[1].action, ApplyAction::Unchanged);
  EXPECT_EQ(writes, 2);

  desired[1]["spec"]["schedule"] = "6 * * * *";
  auto dry = apply_cronjobs(kube, "tool-alice", desired, true);
  EXPECT_EQ(dry[0].action, ApplyAction::Unchanged);
  EXPECT_EQ(dry[1].action, ApplyAction::WouldUpdate);
  EXPECT_EQ(writes, 2);

  auto third = apply_cronjobs(kube, "tool-alice", desired, false);
  EXPECT_EQ(third[1].action, ApplyAction::Updated);
  EXPECT_EQ(writes, 3);
  EXPECT_EQ(store["b"]["spec"]["schedule"], "6 * * * *");
  const auto& put = transport_->requests.back();
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(json::parse(put.body)["metadata"]["resourceVersion"], "2");
}

TEST_F(MigrateApply, RemovedFieldIsAnUpdateThanksToTheHash) {
  auto kube = client();
  json with_limit = cronjob("a", "0 * * * *");
  with_limit["spec"]["startingDeadlineSeconds"] = 60;
  apply_cronjobs(kube, "tool-alice", {with_limit}, false);
  // The server still holds startingDeadlineSeconds; the desired object no longer says it.
  auto result = apply_cronjobs(kube, "tool-alice", {cronjob("a", "0 * * * *")}, false);
  EXPECT_EQ(result[0].action, ApplyAction::Updated);
  EXPECT_FALSE(store["a"]["spec"].contains("startingDeadlineSeconds"));
}

TEST_F(MigrateApply, DryRunCreatesNothingAndForeignObjectsAreLeftAlone) {
  auto kube = client();
  auto dry = apply_cronjobs(kube, "tool-alice", {cronjob("a", "0 * * * *")}, true);
  EXPECT_EQ(dry[0].action, ApplyAction::WouldCreate);
  EXPECT_TRUE(store.empty());
  json foreign = cronjob("a", "0 * * * *");
  foreign["metadata"]["labels"] = json::object();
  store["a"] = foreign;
  auto result = apply_cronjobs(kube, "tool-alice", {cronjob("a", "1 * * * *")}, false);
  EXPECT_EQ(result[0].action, ApplyAction::Refused);
  EXPECT_EQ(store["a"]["spec"]["schedule"], "0 * * * *");
}

}  // namespace
}  // namespace k8sjobs::migrate
