// SPDX-License-Identifier: Apache-2.0
// Image rules from the command line to the object and back: -l image= / -l runtime= parsed,
// the chosen image in the container, the rule in the k8sjobs.io/image-rule annotation and in
// the details record that qstat -j shows.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ge_fake_host.h"
#include "k8sjobs/ge/submit_parser.h"
#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/qstat/job_detail.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/workload.h"

namespace k8sjobs::translate {
namespace {

using Words = std::vector<std::string>;

ge::SubmitRequest parse(const Words& argv, ge::testing::FakeHost& host) {
  host.executables.insert("/usr/bin/php");
  host.executables.insert("/usr/bin/python3");
  ge::SubmitSettings settings;
  settings.releases = {"bookworm", "bullseye", "buster"};
  auto parsed = ge::parse_submit(ge::Mode::Jsub, argv, host, settings);
  if (!parsed) ADD_FAILURE() << parsed.error().message;
  return parsed ? *parsed : ge::SubmitRequest{};
}

Workload build(const ge::SubmitRequest& request, std::optional<std::string> program_text = {}) {
  SubmitContext context;
  context.program_text = std::move(program_text);
  auto workload =
      build_workload(request, site::SiteConfig(), {4711, "tool-alice", "x-4711"}, context);
  if (!workload) ADD_FAILURE() << workload.error().message;
  return workload ? *workload : Workload{};
}

std::string image_of(const Workload& workload) {
  return workload.object["spec"]["template"]["spec"]["containers"][0]["image"];
}

TEST(ImageRuleWorkload, ImageAndRuntimeResourcesAreTakenNotIgnored) {
  ge::testing::FakeHost host;
  auto request = parse({"-l", "image=node18,runtime=python3", "php", "x.php"}, host);
  EXPECT_EQ(request.requested_image, "node18");
  EXPECT_EQ(request.requested_runtime, "python3");
  EXPECT_TRUE(request.ignored_resources.empty());
  EXPECT_TRUE(request.warnings.empty());
}

TEST(ImageRuleWorkload, PhpRunsInThePhpImageAndSaysWhy) {
  ge::testing::FakeHost host;
  auto workload = build(parse({"php", "-f", "bot.php"}, host));
  EXPECT_EQ(image_of(workload),
            "docker-registry.tools.wmflabs.org/toolforge-php82-sssd-base:latest");
  EXPECT_EQ(workload.object["metadata"]["annotations"][kImageRuleAnnotation],
            "images.rules[0]: program php -> php8.2");
  auto details = jobs::job_details_from_annotation(
      workload.object["metadata"]["annotations"][kDetailsAnnotation].get<std::string>());
  EXPECT_TRUE(details.problems.empty());
  EXPECT_EQ(details.details.image_rule, "images.rules[0]: program php -> php8.2");
}

TEST(ImageRuleWorkload, ScriptTextFromTheContextChoosesByShebang) {
  ge::testing::FakeHost host;
  host.program("/data/project/alice/bot.py", "#!/usr/bin/env python3\n");
  auto request = parse({"bot.py"}, host);
  EXPECT_EQ(image_of(build(request, std::string("#!/usr/bin/env python3\n"))),
            "docker-registry.tools.wmflabs.org/toolforge-python311-sssd-base:latest");
  // Without the text (not read), the release's image.
  EXPECT_EQ(image_of(build(request)),
            "docker-registry.tools.wmflabs.org/toolforge-bookworm-sssd:latest");
}

TEST(ImageRuleWorkload, UnknownImageIsRefusedLikeAnUnknownRelease) {
  ge::testing::FakeHost host;
  auto request = parse({"-l", "image=php9", "php", "x.php"}, host);
  auto workload = build_workload(request, site::SiteConfig(), {1, "tool-alice", "x-1"}, {});
  ASSERT_FALSE(workload);
  EXPECT_EQ(workload.error().exit_code, 1);
  EXPECT_TRUE(workload.error().message.starts_with(
      "Unable to run job: no image named \"php9\" (-l image=php9); known: bookworm, "));
}

TEST(ImageRuleWorkload, QstatJShowsTheRuleOnItsOwnLine) {
  jobs::JobRecord record;
  record.id = 7;
  record.name = "bot";
  record.owner = "tools.alice";
  record.group = "tools.alice";
  record.tasks.emplace_back();
  jobs::JobDetails details;
  details.script_file = "/usr/bin/php";
  details.image_rule = "images.rules[0]: program php -> php8.2";
  jobs::apply_job_details(details, record);
  const std::string shown = qstat::render_job_detail({record}, qstat::TimeZone::utc());
  EXPECT_NE(shown.find("script_file:                /usr/bin/php\n"
                       "image_rule:                 images.rules[0]: program php -> php8.2\n"),
            std::string::npos)
      << shown;
  // Without a rule (the local backend, objects made before image rules): no line.
  record.image_rule.clear();
  EXPECT_EQ(qstat::render_job_detail({record}, qstat::TimeZone::utc()).find("image_rule"),
            std::string::npos);
}

}  // namespace
}  // namespace k8sjobs::translate
