// SPDX-License-Identifier: Apache-2.0
// jsub -a end to end: the built jsub creates the job suspended until its time, qstat shows it
// as Grid Engine did (qw, execution_time in qstat -j), qhold/qrls keep it waiting, and the
// built k8sjobs-controller --once starts it only once the time has come.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <sstream>
#include <thread>

#include "support/build_paths.h"
#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/controller_process.h"
#include "support/shipped_rbac.h"
#include "support/tool_alice.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

// [[CC]YY]MMDDhhmm.SS in UTC (the commands run with TZ=UTC).
std::string ge_time(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M.%S", &utc);
  return text;
}

std::string ctime_utc(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a %b %e %H:%M:%S %Y", &utc);
  return text;
}

class DeferredStartE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  CommandOutput controller_once() { return run_controller_once(cluster, kAliceNamespace); }

  long long submit(const std::vector<std::string>& args) { return cluster.submit(args); }

  bool suspended(long long id) { return cluster.job_suspended(kAliceNamespace, id); }

  std::string state_of(long long id) {
    auto listing = cluster.run("qstat/qstat", {});
    std::istringstream in(listing.out);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      long long number = 0;
      std::string prior, name, user, state;
      if (words >> number >> prior >> name >> user >> state && number == id) return state;
    }
    return "<not listed>\n" + listing.out + listing.err;
  }
};

TEST_F(DeferredStartE2E, WaitsAsQwUntilItsTimeThenTheControllerStartsIt) {
  // Held as well: hqw; qrls removes the hold only, the job still waits for its time. An hour
  // ahead, so these steps never race its time; the controller leaves it alone below.
  const auto later = std::chrono::system_clock::now() + std::chrono::hours(1);
  const long long kept = submit({"-stderr", "-N", "kept", "-a", ge_time(later), "true"});
  ASSERT_GT(kept, 0);
  EXPECT_EQ(state_of(kept), "qw");
  EXPECT_EQ(cluster.run("qdel/qhold", {std::to_string(kept)}).exit_code, 0);
  EXPECT_EQ(state_of(kept), "hqw");
  EXPECT_EQ(cluster.run("qdel/qrls", {std::to_string(kept)}).exit_code, 0);
  EXPECT_EQ(state_of(kept), "qw");
  EXPECT_TRUE(suspended(kept));

  // Far enough ahead that the steps before the early pass (a submission and two qstat, about
  // 2 s in the sanitizer build on a busy machine) end before it; the test waits for it once.
  const auto start = std::chrono::system_clock::now() + std::chrono::seconds(5);
  const long long id = submit({"-stderr", "-N", "later", "-a", ge_time(start), "true"});
  ASSERT_GT(id, 0);
  EXPECT_TRUE(suspended(id));
  EXPECT_EQ(state_of(id), "qw");
  auto detail = cluster.run("qstat/qstat", {"-j", std::to_string(id)});
  EXPECT_NE(detail.out.find("execution_time:             " + ctime_utc(start) + "\n"),
            std::string::npos)
      << detail.out;

  // Before its time the controller leaves it; afterwards it starts it (and only it).
  ASSERT_LT(std::chrono::system_clock::now() + std::chrono::seconds(1), start)
      << "the steps before the early pass took too long to test it";
  auto early = controller_once();
  EXPECT_EQ(early.exit_code, 0) << early.err;
  EXPECT_TRUE(suspended(id));
  EXPECT_NE(early.err.find("0 started, 2 waiting"), std::string::npos) << early.err;
  std::this_thread::sleep_until(start + std::chrono::milliseconds(200));
  auto due = controller_once();
  EXPECT_EQ(due.exit_code, 0) << due.err;
  EXPECT_NE(due.err.find("1 started, 1 waiting"), std::string::npos) << due.err;
  EXPECT_FALSE(suspended(id));
  EXPECT_NE(state_of(id), "hqw");
  EXPECT_TRUE(suspended(kept));
}

TEST_F(DeferredStartE2E, ATimeAlreadyPastRunsAtOnceAndHeldJobsWaitForQrls) {
  const auto past = std::chrono::system_clock::now() - std::chrono::hours(1);
  const long long now_id = submit({"-stderr", "-N", "past", "-a", ge_time(past), "true"});
  ASSERT_GT(now_id, 0);
  EXPECT_FALSE(suspended(now_id));

  const long long held_id = submit({"-stderr", "-N", "held", "-a", ge_time(past), "true"});
  ASSERT_GT(held_id, 0);
  ASSERT_EQ(cluster.run("qdel/qhold", {std::to_string(held_id)}).exit_code, 0);
  EXPECT_EQ(state_of(held_id), "hqw");
  EXPECT_EQ(controller_once().exit_code, 0);
  EXPECT_TRUE(suspended(held_id));
  // qrls of a job whose time has passed starts it directly.
  EXPECT_EQ(cluster.run("qdel/qrls", {std::to_string(held_id)}).exit_code, 0);
  EXPECT_FALSE(suspended(held_id));
}

// The controller as a Deployment runs it: no --once, list then watch, the job started by the
// watch-driven schedule within about a second of its time. The process is killed once it has
// reported the start (or at its 16 s limit, and then the test fails).
TEST_F(DeferredStartE2E, RunningControllerStartsTheJobWhenItsTimeComes) {
  RunningController controller(cluster, kAliceNamespace, "e2e-loop", std::chrono::seconds(16),
                               "started (start time");
  const ::testing::AssertionResult leading = controller.wait_until_leading(std::chrono::seconds(8));
  // 4 s ahead: a submission slowed by the sanitizer build on a busy machine still lands before.
  const auto start = std::chrono::system_clock::now() + std::chrono::seconds(4);
  const long long id = submit({"-stderr", "-N", "watched", "-a", ge_time(start), "true"});
  EXPECT_TRUE(suspended(id));
  const ::testing::AssertionResult started = wait_until(
      [&] { return !suspended(id); }, std::chrono::seconds(9), "the controller to start the job");
  const auto started_at = std::chrono::system_clock::now();
  const CommandOutput& output = controller.join();
  EXPECT_TRUE(leading) << output.err;
  EXPECT_TRUE(started) << output.err;
  // Not before its time (-a has whole seconds: the fraction of `start` is not part of it).
  EXPECT_GE(started_at, std::chrono::floor<std::chrono::seconds>(start));
  EXPECT_NE(output.err.find("started (start time"), std::string::npos) << output.err;
}

// deploy/rbac.yaml is enough: bound only to its rules (the ClusterRole's and the Lease Role's,
// here in one namespace), the controller takes the Lease, starts a due job and gives the Lease
// back.
TEST_F(DeferredStartE2E, TheShippedRbacIsEnoughForTheController) {
  const json rules = shipped_controller_rules();
  ASSERT_GE(rules.size(), 2u);
  // Submitted an hour ahead, then made due by moving its start time into the past (as an admin
  // would edit it): no race between the submission's duration and a start a second away.
  const auto start = std::chrono::system_clock::now() + std::chrono::hours(1);
  const long long id = submit({"-stderr", "-N", "rbac", "-a", ge_time(start), "true"});
  ASSERT_GT(id, 0);
  ASSERT_TRUE(suspended(id));
  const auto job = cluster.job_object(kAliceNamespace, id);
  ASSERT_TRUE(job.has_value());
  cluster.server().merge_patch(
      "/apis/batch/v1/namespaces/" + std::string(kAliceNamespace) + "/jobs/" +
          (*job)["metadata"]["name"].get<std::string>(),
      {{"metadata", {{"annotations", {{"k8sjobs.io/start-after", "2020-01-01T00:00:00Z"}}}}}});
  // Without the Lease rule (the Lease Role's, last) it cannot lead, so it changes nothing.
  json without_lease = rules;
  without_lease.erase(without_lease.size() - 1);
  ASSERT_EQ(rules.back()["resources"][0], "leases");
  cluster.server().bind_role("tools.alice", controller_role(without_lease));
  auto refused = controller_once();
  EXPECT_NE(refused.err.find("nothing done"), std::string::npos) << refused.err;
  EXPECT_TRUE(suspended(id));

  cluster.server().bind_role("tools.alice", controller_role(rules));
  auto pass = controller_once();
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_NE(pass.err.find("1 started"), std::string::npos) << pass.err;
  EXPECT_NE(pass.err.find("released"), std::string::npos) << pass.err;
  EXPECT_FALSE(suspended(id));
}

TEST_F(DeferredStartE2E, BadDatesAreGridEnginesErrors) {
  auto bad = cluster.run("jsub/jsub", {"-a", "02301200", "true"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("Wrong date/time format \"02301200\": Invalid day specification."),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace k8sjobs::testing
