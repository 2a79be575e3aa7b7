// SPDX-License-Identifier: Apache-2.0
// Image rules through the built commands: jsub reads the script it submits and chooses the
// image by its #! line or the interpreters it calls; --dry-run, the object and qstat -j say
// which rule chose it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/cluster_fixture.h"
#include "support/tool_alice.h"

namespace k8sjobs::testing {
namespace {

const std::string kRegistry = "docker-registry.tools.wmflabs.org/";

class ImageRulesEndToEnd : public ::testing::Test {
 protected:
  void script(const std::string& name, const std::string& text) {
    const auto path = cluster.home_of(cluster.alice()) / name;
    std::ofstream(path) << text;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  }

  ClusterFixture cluster;
};

TEST_F(ImageRulesEndToEnd, ShebangChoosesTheImageAndQstatSaysWhy) {
  script("bot.py", "#!/usr/bin/env -S python3 -u\nprint('hi')\n");
  auto submitted = cluster.run("jsub/jsub", {"-N", "bot", "bot.py"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(submitted.err, "");
  auto job = cluster.job_object(kAliceNamespace, 1);
  ASSERT_TRUE(job);
  EXPECT_EQ((*job)["spec"]["template"]["spec"]["containers"][0]["image"],
            kRegistry + "toolforge-python311-sssd-base:latest");
  EXPECT_EQ((*job)["metadata"]["annotations"]["k8sjobs.io/image-rule"],
            "images.rules[2]: #! python3 -> python3.11");
  auto detail = cluster.run("qstat/qstat", {"-j", "1"});
  ASSERT_EQ(detail.exit_code, 0) << detail.err;
  EXPECT_NE(detail.out.find("\nimage_rule:                 images.rules[2]: #! python3 -> "
                            "python3.11\n"),
            std::string::npos)
      << detail.out;
}

TEST_F(ImageRulesEndToEnd, ShellScriptWithTwoRuntimesWarnsAndDryRunSaysSo) {
  script("run.sh", "#!/bin/sh\nphp a.php\npython3 b.py\n");
  auto dry = cluster.run("jsub/jsub", {"--dry-run", "-N", "run", "run.sh"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const std::string home = cluster.home_of(cluster.alice()).string();
  EXPECT_EQ(dry.err, "jsub: warning: " + home +
                         "/run.sh calls php and python3, which no one image has; the job runs in "
                         "bookworm (images.everything)\n");
  EXPECT_NE(dry.out.find("# image " + kRegistry +
                         "toolforge-bookworm-sssd:latest (images.everything: shell script calls "
                         "php, python3 -> bookworm)\n"),
            std::string::npos)
      << dry.out;
  // -quiet keeps it quiet.
  auto quiet = cluster.run("jsub/jsub", {"-quiet", "-N", "run", "run.sh"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
}

TEST_F(ImageRulesEndToEnd, AShellRunByNameIsChosenByTheScriptItRuns) {
  script("report.sh", "cd reports\nexec php report.php \"$@\"\n");
  auto submitted = cluster.run("jsub/jsub", {"-N", "report", "bash", "report.sh", "daily"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  auto job = cluster.job_object(kAliceNamespace, 1);
  ASSERT_TRUE(job);
  EXPECT_EQ((*job)["spec"]["template"]["spec"]["containers"][0]["image"],
            kRegistry + "toolforge-php82-sssd-base:latest");
}

TEST_F(ImageRulesEndToEnd, UnknownImageNameIsRefused) {
  auto refused = cluster.run("jsub/jsub", {"-stderr", "-l", "image=php9", "/bin/true"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(
      refused.err.rfind("Unable to run job: no image named \"php9\" (-l image=php9); known: ", 0),
      0u)
      << refused.err;
}

}  // namespace
}  // namespace k8sjobs::testing
