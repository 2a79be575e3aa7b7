// k8sjobs-migrate apply against the test API server over real HTTPS: converted CronJobs are
// created, a second apply changes nothing (no write request at all), a changed crontab line
// replaces exactly its CronJob, --dry-run writes nothing, and foreign CronJobs are left alone.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "apiserver/test_apiserver.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/curl_transport.h"
#include "k8sjobs/migrate/apply.h"
#include "k8sjobs/migrate/convert.h"
#include "support/fake_clock.h"
#include "support/test_client.h"
#include "support/tool_alice.h"
#include "unit/ge_fake_host.h"

namespace k8sjobs::migrate {
namespace {

using nlohmann::json;

constexpr const char* kToken = "migrate-alice-token-0123456789";
const std::string kCronJobs = "/apis/batch/v1/namespaces/tool-alice/cronjobs";

class MigrateApplyOverHttps : public ::testing::Test {
 protected:
  MigrateApplyOverHttps() {
    server.add_token_user(kToken, "tools.alice", {testing::kAliceNamespace});
    client = testing::client_over(
        testing::token_connection(server, kToken, testing::kAliceNamespace), clock, environment);
    settings.user = "tools.alice";
    settings.home = "/data/project/alice";
    settings.submit.releases = {"bookworm"};
    settings.submit.map_unknown_releases = true;
    settings.submit.check_program = false;
    settings.site = &site;
    options.hostname = "cron-host";
  }

  std::vector<json> desired(const std::string& crontab) {
    std::vector<CrontabCheck> checks{
        check_crontab(cron::parse_crontab(crontab), "crontab", host, settings)};
    std::vector<json> objects;
    for (const auto& item : convert_to_cronjobs(checks, site, options).items)
      objects.push_back(item.object);
    return objects;
  }

  static std::vector<ApplyAction> actions(const std::vector<ApplyResult>& results) {
    std::vector<ApplyAction> out;
    for (const auto& result : results) out.push_back(result.action);
    return out;
  }

  int writes() const {
    int count = 0;
    for (const auto& request : server.requests())
      count += request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    return count;
  }

  testing::TestApiServer server;
  testing::FakeClock clock;
  sys::Environment environment;
  std::unique_ptr<kube::KubeClient> client;
  ge::testing::FakeHost host;
  site::SiteConfig site;
  CheckSettings settings;
  ConvertOptions options;
};

const std::string kCrontab =
    "MAILTO=alice@example.org\n"
    "*/10 * * * * /usr/bin/jsub -N cron-7 -once -quiet python3 ~/bot.py\n"
    "0 3 * * * cd ~/reports; jsub -N report -cwd -mem 1g ./run.sh\n"
    "@daily jstart -N web ~/serve.sh\n"
    "* * * * * date >> ~/ticks\n";

TEST_F(MigrateApplyOverHttps, CreatesThenChangesNothingTheSecondTime) {
  auto objects = desired(kCrontab);
  ASSERT_EQ(objects.size(), 3U);
  auto first = apply_cronjobs(*client, testing::kAliceNamespace, objects, false);
  EXPECT_EQ(actions(first), (std::vector<ApplyAction>{ApplyAction::Created, ApplyAction::Created,
                                                      ApplyAction::Created}));
  auto stored = server.get(kCronJobs + "/cron-7");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ((*stored)["spec"]["schedule"], "*/10 * * * *");
  EXPECT_EQ((*stored)["spec"]["concurrencyPolicy"], "Forbid");
  EXPECT_EQ((*stored)["metadata"]["annotations"][kMailtoAnnotation], "alice@example.org");
  EXPECT_EQ(
      (*stored)["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"],
      objects[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"]);
  EXPECT_TRUE(server.get(kCronJobs + "/report").has_value());
  EXPECT_TRUE(server.get(kCronJobs + "/web").has_value());

  // Converting the same crontab again gives the same objects, and applying them writes nothing.
  server.clear_requests();
  auto second = apply_cronjobs(*client, testing::kAliceNamespace, desired(kCrontab), false);
  EXPECT_EQ(actions(second), (std::vector<ApplyAction>(3, ApplyAction::Unchanged)));
  EXPECT_EQ(writes(), 0);
}

TEST_F(MigrateApplyOverHttps, AChangedLineReplacesOnlyItsCronJob) {
  apply_cronjobs(*client, testing::kAliceNamespace, desired(kCrontab), false);
  std::string changed = kCrontab;
  changed.replace(changed.find("0 3 * * *"), 9, "0 4 * * *");
  server.clear_requests();

  auto dry = apply_cronjobs(*client, testing::kAliceNamespace, desired(changed), true);
  EXPECT_EQ(actions(dry),
            (std::vector<ApplyAction>{ApplyAction::Unchanged, ApplyAction::WouldUpdate,
                                      ApplyAction::Unchanged}));
  EXPECT_EQ(writes(), 0);
  EXPECT_EQ(server.get(kCronJobs + "/report").value()["spec"]["schedule"], "0 3 * * *");

  auto applied = apply_cronjobs(*client, testing::kAliceNamespace, desired(changed), false);
  EXPECT_EQ(actions(applied),
            (std::vector<ApplyAction>{ApplyAction::Unchanged, ApplyAction::Updated,
                                      ApplyAction::Unchanged}));
  EXPECT_EQ(writes(), 1);
  EXPECT_EQ(server.get(kCronJobs + "/report").value()["spec"]["schedule"], "0 4 * * *");
  EXPECT_EQ(actions(apply_cronjobs(*client, testing::kAliceNamespace, desired(changed), false)),
            (std::vector<ApplyAction>(3, ApplyAction::Unchanged)));
}

TEST_F(MigrateApplyOverHttps, DryRunCreatesNothing) {
  auto results = apply_cronjobs(*client, testing::kAliceNamespace, desired(kCrontab), true);
  EXPECT_EQ(actions(results), (std::vector<ApplyAction>(3, ApplyAction::WouldCreate)));
  EXPECT_TRUE(server.list(kCronJobs).empty());
}

TEST_F(MigrateApplyOverHttps, ForeignCronJobOfTheSameNameIsLeftAlone) {
  json foreign = desired(kCrontab)[0];
  foreign["metadata"]["labels"] = json::object();
  foreign["spec"]["schedule"] = "1 1 * * *";
  server.create(kCronJobs, foreign);
  auto results = apply_cronjobs(*client, testing::kAliceNamespace, desired(kCrontab), false);
  EXPECT_EQ(results[0].action, ApplyAction::Refused);
  EXPECT_EQ(results[1].action, ApplyAction::Created);
  EXPECT_EQ(server.get(kCronJobs + "/cron-7").value()["spec"]["schedule"], "1 1 * * *");
}

TEST_F(MigrateApplyOverHttps, ServerRefusalIsReportedPerCronJob) {
  auto objects = desired(kCrontab);
  objects[1]["spec"]["concurrencyPolicy"] = "Sometimes";
  auto results = apply_cronjobs(*client, testing::kAliceNamespace, objects, false);
  EXPECT_EQ(results[0].action, ApplyAction::Created);
  EXPECT_EQ(results[1].action, ApplyAction::Failed);
  EXPECT_FALSE(results[1].message.empty());
  EXPECT_EQ(results[2].action, ApplyAction::Created);
}

}  // namespace
}  // namespace k8sjobs::migrate
