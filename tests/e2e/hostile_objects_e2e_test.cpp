// SPDX-License-Identifier: Apache-2.0
// Objects k8sjobs did not write, or that someone changed, beside a real jsub job: the built
// qstat and qdel list the real job exactly, warn once per bad object on stderr, exit 0, and
// never delete an object whose labels do not prove it is the caller's.

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "support/build_paths.h"
#include "support/cluster_fixture.h"
#include "support/tool_alice.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

class HostileObjectsE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  CommandOutput run(const std::string& command, std::vector<std::string> args) {
    return cluster.run(command, std::move(args));
  }

  long long submit(const std::string& name) {
    auto result = run("jsub/jsub", {"-stderr", "-N", name, "sleep", "600"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    long long id = submitted_job_id(result.out);
    EXPECT_GT(id, 0) << result.out << result.err;
    return id;
  }

  // A copy of job `id`'s Job under another name, suspended (no pods), changed by `change`.
  void create_copy(long long id, const std::string& name,
                   const std::function<void(json&)>& change) {
    auto job = cluster.job_object(kAliceNamespace, id);
    ASSERT_TRUE(job.has_value());
    json copy = *job;
    copy.erase("status");
    for (const char* key : {"uid", "resourceVersion", "creationTimestamp", "generation"})
      copy["metadata"].erase(key);
    copy["spec"].erase("selector");
    for (const char* key : {"batch.kubernetes.io/controller-uid", "controller-uid"})
      copy["spec"]["template"]["metadata"]["labels"].erase(key);
    copy["metadata"]["name"] = name;
    copy["spec"]["suspend"] = true;
    change(copy);
    cluster.server().create(kAliceJobsPath, copy);
  }

  bool exists(const std::string& name) {
    return cluster.server().get(std::string(kAliceJobsPath) + "/" + name).has_value();
  }

  static std::vector<std::string> sorted_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
  }
};

TEST_F(HostileObjectsE2E, QstatListsTheRealJobExactlyAndWarnsOncePerBadObject) {
  long long id = submit("real");
  auto before = run("qstat/qstat", {});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(before.err, "");
  auto detail_before = run("qstat/qstat", {"-j", std::to_string(id)});
  ASSERT_EQ(detail_before.exit_code, 0) << detail_before.err;

  create_copy(id, "hostile-1",
              [](json& job) { job["metadata"]["labels"]["k8sjobs.io/job-id"] = "abc"; });
  create_copy(id, "hostile-2", [](json& job) {
    job["metadata"]["labels"]["k8sjobs.io/job-id"] = "99999999999999999999";
  });
  create_copy(id, "hostile-3", [id](json& job) {
    job["metadata"]["labels"]["k8sjobs.io/job-id"] = std::to_string(id + 1000);
    job["metadata"]["annotations"]["k8sjobs.io/details"] = "{\"slots\": \"\\udcff\"";
    job["metadata"]["annotations"]["k8sjobs.io/job-name"] = "odd";
  });
  const std::vector<std::string> warnings = {
      "qstat: warning: ignoring job/hostile-1: label k8sjobs.io/job-id \"abc\" is not a job number",
      "qstat: warning: ignoring job/hostile-2: label k8sjobs.io/job-id \"99999999999999999999\" is "
      "not a job number (too large)",
      "qstat: warning: job/hostile-3: annotation k8sjobs.io/details: is not JSON (shown as not "
      "set)"};

  auto after = run("qstat/qstat", {});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(sorted_lines(after.err), warnings);
  // The real job exactly as before; the one with bad details is listed too (hqw, held).
  std::string real_lines = before.out;
  EXPECT_EQ(after.out.rfind(real_lines, 0), 0u) << after.out;
  EXPECT_NE(after.out.find(std::to_string(id + 1000) + " 0.50000 odd"), std::string::npos)
      << after.out;

  auto detail = run("qstat/qstat", {"-j", std::to_string(id)});
  EXPECT_EQ(detail.exit_code, 0) << detail.err;
  EXPECT_EQ(detail.out, detail_before.out);
  EXPECT_EQ(sorted_lines(detail.err), warnings);

  auto too_large = run("qstat/qstat", {"-j", "99999999999999999999"});
  EXPECT_EQ(too_large.exit_code, 1);
  EXPECT_EQ(too_large.out, "");
  EXPECT_NE(too_large.err.find("Following jobs do not exist: \n99999999999999999999\n"),
            std::string::npos)
      << too_large.err;

  auto qdel = run("qdel/qdel", {"abc", std::to_string(id)});
  EXPECT_EQ(qdel.exit_code, 1) << qdel.err;
  EXPECT_EQ(qdel.out,
            "The job abc of user(s) tools.alice does not exist\n"
            "tools.alice has deleted job " +
                std::to_string(id) + "\n");
  for (auto& line : warnings)
    EXPECT_NE(qdel.err.find(line.substr(7)), std::string::npos) << qdel.err;
  for (const char* name : {"hostile-1", "hostile-2", "hostile-3"})
    EXPECT_TRUE(exists(name)) << name;
}

TEST_F(HostileObjectsE2E, QdelDeletesOnlyWhatItsLabelsProveIsTheCallers) {
  long long id = submit("mine");
  const long long bobs = id + 100;
  const long long unmanaged = id + 200;
  const long long mismatched = id + 300;
  // Labelled to look like another user's job.
  create_copy(id, "looks-like-bobs", [&](json& job) {
    job["metadata"]["labels"]["k8sjobs.io/job-id"] = std::to_string(bobs);
    job["metadata"]["labels"]["k8sjobs.io/owner"] = "tools.bob";
    job["metadata"]["annotations"]["k8sjobs.io/owner"] = "tools.bob";
    job["metadata"]["annotations"]["k8sjobs.io/job-name"] = "mine";
  });
  // The caller's name, but not k8sjobs'.
  create_copy(id, "not-managed", [&](json& job) {
    job["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "helm";
    job["metadata"]["labels"]["k8sjobs.io/job-id"] = std::to_string(unmanaged);
  });
  // The caller's name in the annotation, another user's in the label.
  create_copy(id, "mismatched", [&](json& job) {
    job["metadata"]["labels"]["k8sjobs.io/job-id"] = std::to_string(mismatched);
    job["metadata"]["labels"]["k8sjobs.io/owner"] = "tools.bob";
  });
  const std::string mismatch_warning =
      "qdel: warning: ignoring job/mismatched: label k8sjobs.io/owner \"tools.bob\" does not "
      "match annotation k8sjobs.io/owner \"tools.alice\"\n";

  auto refused = run("qdel/qdel",
                     {std::to_string(bobs), std::to_string(unmanaged), std::to_string(mismatched)});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.out,
            "tools.alice - you do not have the necessary privileges to delete the "
            "job \"" +
                std::to_string(bobs) +
                "\"\n"
                "denied: job \"" +
                std::to_string(unmanaged) +
                "\" does not exist\n"
                "denied: job \"" +
                std::to_string(mismatched) + "\" does not exist\n");
  EXPECT_EQ(refused.err, mismatch_warning);

  auto by_user = run("qdel/qdel", {"-u", "tools.bob"});
  EXPECT_EQ(by_user.exit_code, 1);
  EXPECT_EQ(by_user.out,
            "tools.alice - you do not have the necessary privileges to delete the "
            "job \"" +
                std::to_string(bobs) + "\"\n");

  // By name: only the caller's own job of that name goes, not the one labelled as bob's.
  auto jstop = run("qstat/jstop", {"mine"});
  EXPECT_EQ(jstop.exit_code, 0) << jstop.out << jstop.err;
  EXPECT_EQ(jstop.out, "tools.alice has deleted job " + std::to_string(id) + "\n");
  EXPECT_EQ(jstop.err, "jstop: " + mismatch_warning.substr(6));

  for (const char* name : {"looks-like-bobs", "not-managed", "mismatched"})
    EXPECT_TRUE(exists(name)) << name;
}

}  // namespace
}  // namespace k8sjobs::testing
