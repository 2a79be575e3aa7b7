// SPDX-License-Identifier: Apache-2.0
// k8sjobs-migrate check with a site: each command reports the image it would run in and the
// rule that chose it; a program no one image has is a change.

#include <gtest/gtest.h>

#include <string>

#include "ge_fake_host.h"
#include "k8sjobs/migrate/check.h"
#include "k8sjobs/migrate/convert.h"

namespace k8sjobs::migrate {
namespace {

class MigrateCheckImage : public ::testing::Test {
 protected:
  MigrateCheckImage() {
    settings.user = "tools.alice";
    settings.home = "/data/project/alice";
    settings.submit.releases = {"bookworm", "buster"};
    settings.submit.map_unknown_releases = true;
    settings.site = &site;
    host.program("/usr/bin/php").program("/usr/bin/Rscript").program("/bin/true", "");
    host.program("/data/project/alice/bot.py", "#!/usr/bin/env python3\n");
    host.program("/data/project/alice/both.sh", "#!/bin/sh\nphp a.php\nnode b.js\n");
  }

  CommandCheck command(const std::string& text) {
    auto result = check_crontab(cron::parse_crontab(text), "crontab", host, settings);
    EXPECT_EQ(result.lines.size(), 1U);
    if (result.lines.empty() || result.lines[0].commands.empty()) return {};
    return result.lines[0].commands[0];
  }

  site::SiteConfig site;
  ge::testing::FakeHost host;
  CheckSettings settings;
};

TEST_F(MigrateCheckImage, EachCommandSaysWhichImageAndWhy) {
  auto php = command("0 * * * * jsub -once php x.php\n");
  EXPECT_EQ(php.verdict, Verdict::Ok);
  EXPECT_EQ(php.image, "docker-registry.tools.wmflabs.org/toolforge-php82-sssd-base:latest");
  EXPECT_EQ(php.image_rule, "images.rules[0]: program php -> php8.2");
  // The script is read as jsub reads it.
  EXPECT_EQ(command("0 * * * * jsub -once bot.py\n").image_rule,
            "images.rules[2]: #! python3 -> python3.11");
}

TEST_F(MigrateCheckImage, AProgramNoOneImageHasIsAChange) {
  auto both = command("0 * * * * jsub -once both.sh\n");
  EXPECT_EQ(both.verdict, Verdict::Changes);
  ASSERT_EQ(both.changes.size(), 1U);
  EXPECT_EQ(both.changes[0].option, "image");
  EXPECT_EQ(both.changes[0].message,
            "/data/project/alice/both.sh calls php and node, which no one image has; the job "
            "runs in bookworm (images.everything)");
  auto r = command("0 * * * * jsub -once Rscript x.R\n");
  EXPECT_EQ(r.verdict, Verdict::Changes);
  EXPECT_EQ(r.image_rule, "images.everything: program Rscript -> bookworm");
}

TEST_F(MigrateCheckImage, TheTableAndJsonShowTheImage) {
  std::vector<CrontabCheck> checks = {check_crontab(
      cron::parse_crontab("0 * * * * jsub -once php x.php\n"), "crontab", host, settings)};
  const std::string table = render_table(checks);
  EXPECT_NE(table.find("image: images.rules[0]: program php -> php8.2\n"), std::string::npos)
      << table;
  const auto report = render_json(checks);
  EXPECT_EQ(report["files"][0]["lines"][0]["commands"][0]["image_rule"],
            "images.rules[0]: program php -> php8.2");
}

TEST_F(MigrateCheckImage, CronJobRunsInTheImageTheScriptChose) {
  auto conversion =
      convert_to_cronjobs({check_crontab(cron::parse_crontab("0 * * * * jsub -once -N b bot.py\n"),
                                         "crontab", host, settings)},
                          site, ConvertOptions{});
  ASSERT_EQ(conversion.items.size(), 1U);
  const auto& pod = conversion.items[0].object["spec"]["jobTemplate"]["spec"]["template"]["spec"];
  EXPECT_EQ(pod["containers"][0]["image"],
            "docker-registry.tools.wmflabs.org/toolforge-python311-sssd-base:latest");
}

TEST_F(MigrateCheckImage, JobsYamlNamesTheChosenImage) {
  // The jobs framework takes short names: php8.2 rather than the release's bookworm.
  auto conversion = convert_to_jobs_yaml(
      {check_crontab(cron::parse_crontab("0 * * * * jsub -once -N a php x.php\n"
                                         "0 * * * * jsub -once -N b /bin/true\n"),
                     "crontab", host, settings)},
      site, ConvertOptions{});
  ASSERT_EQ(conversion.items.size(), 2U);
  EXPECT_EQ(conversion.items[0].object["image"], "php8.2");
  EXPECT_EQ(conversion.items[1].object["image"], "bookworm");
}

}  // namespace
}  // namespace k8sjobs::migrate
