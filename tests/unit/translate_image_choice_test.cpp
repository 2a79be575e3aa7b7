// SPDX-License-Identifier: Apache-2.0
// Which image a job gets and why (translate/image_choice.h), and what a script's #! line and
// words say (translate/script_interpreters.h). Pure: the scripts are strings.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "k8sjobs/site/site_config.h"
#include "k8sjobs/translate/image_choice.h"
#include "k8sjobs/translate/script_interpreters.h"

namespace k8sjobs::translate {
namespace {

using Words = std::vector<std::string>;

const std::string kRegistry = "docker-registry.tools.wmflabs.org/";

ImageQuery program(std::string word, std::optional<std::string> script = std::nullopt) {
  ImageQuery query;
  query.program = std::move(word);
  query.script = std::move(script);
  query.release = "bookworm";
  return query;
}

ImageChoice choose(const ImageQuery& query, const site::ImageSettings& images = {}) {
  const site::SiteConfig defaults;
  auto choice = choose_image(query, images.releases.empty() ? defaults.images : images);
  if (!choice) ADD_FAILURE() << choice.error().message;
  return choice ? *choice : ImageChoice{};
}

TEST(ShebangInterpreter, ReadsTheKernelsLine) {
  EXPECT_EQ(shebang_interpreter("#!/usr/bin/php\n<?php"), "php");
  EXPECT_EQ(shebang_interpreter("#!/usr/bin/env python3\nimport x"), "python3");
  EXPECT_EQ(shebang_interpreter("#!/usr/bin/env -S python3 -u\n"), "python3");
  EXPECT_EQ(shebang_interpreter("#! /usr/bin/env  LANG=C   node\n"), "node");
  EXPECT_EQ(shebang_interpreter("#!/usr/bin/env -u HOME perl -w"), "perl");
  EXPECT_EQ(shebang_interpreter("#!/bin/bash -e\r\n"), "bash");
  EXPECT_EQ(shebang_interpreter("#!\n"), std::nullopt);
  // Found by fuzz_script_interpreters: a directory names no interpreter.
  EXPECT_EQ(shebang_interpreter("#!/usr/binnve/ -S\nRschon3 -u\n"), std::nullopt);
  EXPECT_EQ(shebang_interpreter("#!/usr/bin/env /opt/\n"), std::nullopt);
  EXPECT_EQ(shebang_interpreter("echo hi\n"), std::nullopt);
  EXPECT_EQ(shebang_interpreter(""), std::nullopt);
}

TEST(InterpretersCalled, WordsOutsideCommentsOnceEachInOrder) {
  EXPECT_EQ(interpreters_called("#!/bin/sh\n# php is old\ncd /x && /usr/bin/python3 a.py\n"
                                "php8.2 b.php|python3 c.py; $(node x.js)\n",
                                {}),
            (Words{"python3", "php8.2", "node"}));
  EXPECT_EQ(interpreters_called("ls -l; grep phpinfo x; echo python-is-great\n", {}), Words{});
  EXPECT_EQ(interpreters_called("exec my-tool run\n", {"my-tool"}), Words{"my-tool"});
  // Bounded: nothing after the first kScriptScanBytes.
  std::string long_script(kScriptScanBytes, ' ');
  long_script += "php x.php\n";
  EXPECT_EQ(interpreters_called(long_script, {}), Words{});
}

TEST(ImageChoice, ProgramWordPicksItsRuntime) {
  auto php = choose(program("php"));
  EXPECT_EQ(php.image, kRegistry + "toolforge-php82-sssd-base:latest");
  EXPECT_EQ(php.summary(), "images.rules[0]: program php -> php8.2");
  EXPECT_EQ(php.warning, "");
  EXPECT_EQ(choose(program("/usr/bin/python3")).summary(),
            "images.rules[2]: program python3 -> python3.11");
  EXPECT_EQ(choose(program("/usr/bin/php7.4")).name, "php7.4");
  EXPECT_EQ(choose(program("node")).name, "node18");
  EXPECT_EQ(choose(program("perl")).name, "perl5.36");
  EXPECT_EQ(choose(program("java")).name, "jdk17");
}

TEST(ImageChoice, AnythingElseRunsInTheReleasesImage) {
  auto bzip2 = choose(program("/usr/bin/bzip2"));
  EXPECT_EQ(bzip2.image, kRegistry + "toolforge-bookworm-sssd:latest");
  EXPECT_EQ(bzip2.summary(),
            "images.releases: program bzip2: no rule names it, the release's image -> bookworm");
  auto release = program("/usr/bin/bzip2");
  release.release = "bullseye";
  EXPECT_EQ(choose(release).name, "bullseye");
}

TEST(ImageChoice, AnInterpreterNoRuleNamesRunsEverywhereWithAWarning) {
  auto r = choose(program("/usr/bin/Rscript"));
  EXPECT_EQ(r.rule, "images.everything");
  EXPECT_EQ(r.image, kRegistry + "toolforge-bookworm-sssd:latest");
  EXPECT_EQ(r.warning, "no image rule names Rscript; the job runs in bookworm (images.everything)");
}

TEST(ImageChoice, ScriptRunsInItsShebangsImage) {
  EXPECT_EQ(
      choose(program("/data/project/a/bot.py", "#!/usr/bin/env python3\nimport x\n")).summary(),
      "images.rules[2]: #! python3 -> python3.11");
  EXPECT_EQ(choose(program("/data/project/a/bot", "#!/usr/bin/php\n<?php\n")).name, "php8.2");
  EXPECT_EQ(choose(program("/data/project/a/u.py", "#!/usr/bin/env -S python3 -u\n")).name,
            "python3.11");
  EXPECT_EQ(choose(program("/data/project/a/x.awk", "#!/usr/bin/awk -f\n")).summary(),
            "images.releases: #! awk: no rule names awk, the release's image -> bookworm");
}

TEST(ImageChoice, ShellScriptRunsWhereEveryInterpreterItCallsIs) {
  EXPECT_EQ(choose(program("/data/project/a/run.sh",
                           "#!/bin/bash\ncd $HOME/bot\nexec python3 bot.py \"$@\"\n"))
                .summary(),
            "images.rules[2]: shell script calls python3 -> python3.11");
  // python and python3 have one image: fine.
  EXPECT_EQ(choose(program("/a/run.sh", "python update.py\npython3 -m pip list\n")).name,
            "python3.11");
  // No interpreter: the release's image.
  EXPECT_EQ(choose(program("/a/clean.sh", "#!/bin/sh\nfind . -mtime +7 -delete\n")).summary(),
            "images.releases: shell script calls no interpreter a rule names -> bookworm");
}

TEST(ImageChoice, ShellScriptCallingTwoRuntimesRunsInTheEverythingImage) {
  auto both = choose(program("/data/project/a/run.sh", "#!/bin/sh\nphp a.php\npython3 b.py\n"));
  EXPECT_EQ(both.rule, "images.everything");
  EXPECT_EQ(both.reason, "shell script calls php, python3");
  EXPECT_EQ(both.warning,
            "/data/project/a/run.sh calls php and python3, which no one image has; the job runs "
            "in bookworm (images.everything)");
}

TEST(ImageChoice, AnImageWithBothCoversBoth) {
  auto parsed = site::parse_site_config(R"(images:
  releases:
    bookworm: reg/debian:12
  names:
    web: reg/php-and-node:1
  rules:
    - program: php
      image: reg/php:8.2
    - program: node
      image: web
    - program: [php8.2]
      image: web
  everything: reg/all:1
)",
                                        "s.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  // node's image also has php (as php8.2's rule says): it covers the script.
  auto choice = choose(program("/a/run.sh", "php8.2 a.php\nnode b.js\n"), parsed->images);
  EXPECT_EQ(choice.summary(), "images.rules[2]: shell script calls php8.2, node -> web");
  EXPECT_EQ(choice.image, "reg/php-and-node:1");
  auto sink = choose(program("/a/run.sh", "php a.php\nnode b.js\n"), parsed->images);
  EXPECT_EQ(sink.image, "reg/all:1");
  EXPECT_EQ(sink.name, "reg/all:1");
}

TEST(ImageChoice, ExplicitOptionsWinInOrder) {
  auto query = program("php");
  query.release = "bullseye";
  query.release_given = true;
  EXPECT_EQ(choose(query).summary(), "-release: -release bullseye -> bullseye");
  query.requested_runtime = "python3";
  EXPECT_EQ(choose(query).summary(), "images.rules[2]: -l runtime=python3 -> python3.11");
  query.requested_image = "node18";
  auto image = choose(query);
  EXPECT_EQ(image.summary(), "-l image: -l image=node18 -> node18");
  EXPECT_EQ(image.image, kRegistry + "toolforge-node18-sssd-base:latest");
}

TEST(ImageChoice, UnknownRequestsAreRefused) {
  const site::SiteConfig defaults;
  auto query = program("php");
  query.requested_image = "php9";
  auto refused = choose_image(query, defaults.images);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message.substr(0, 61),
            "Unable to run job: no image named \"php9\" (-l image=php9); kno");
  EXPECT_TRUE(refused.error().message.ends_with(".\nExiting."));
  // Neither a reference a user types: the site decides which images its jobs run.
  query.requested_image = "evil.example.org/miner:1";
  EXPECT_FALSE(choose_image(query, defaults.images));
  // A release is an image name too, on a site that lists only releases.
  auto releases_only = site::parse_site_config(
      "images:\n  releases:\n    bookworm: reg/deb:12\n"
      "    bullseye: reg/deb:11\n",
      "s.yaml");
  ASSERT_TRUE(releases_only);
  query.requested_image = "bullseye";
  EXPECT_EQ(choose(query, releases_only->images).image, "reg/deb:11");
  query.requested_image.reset();
  query.requested_runtime = "cobol";
  refused = choose_image(query, defaults.images);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "Unable to run job: no image rule for runtime \"cobol\" (-l runtime=cobol).\nExiting.");
}

TEST(ImageChoice, QsubScriptUsesMinusSOrItsShebang) {
  auto query = program("/a/job.sh", "#!/bin/bash\nperl x.pl\n");
  EXPECT_EQ(choose(query).name, "perl5.36");
  query.shell = "/usr/bin/python3";
  EXPECT_EQ(choose(query).summary(), "images.rules[2]: -S python3 -> python3.11");
}

TEST(ImageChoice, QueryOfARequest) {
  ge::SubmitRequest request;
  request.program = "run.sh";
  request.resolved_program = "/data/project/a/run.sh";
  request.requested_runtime = "php";
  request.release = "bookworm";
  auto query = image_query_of(request, std::string("php x.php\n"));
  EXPECT_EQ(query.program, "/data/project/a/run.sh");
  EXPECT_EQ(query.script, "php x.php\n");
  EXPECT_EQ(query.requested_runtime, "php");
  EXPECT_FALSE(query.shell);
  request.script = "#!/bin/sh\nnode x\n";
  request.shell = "/bin/bash";
  query = image_query_of(request, std::nullopt);
  EXPECT_EQ(query.script, request.script);
  EXPECT_EQ(query.shell, "/bin/bash");
}

TEST(ImageChoice, AShellRunByNameChoosesByItsScriptArgument) {
  ge::SubmitRequest request;
  request.program = "bash";
  request.resolved_program = "/usr/bin/bash";
  request.program_args = {"scripts/run.sh", "daily"};
  request.working_dir = "/data/project/alice";
  request.release = "bookworm";
  EXPECT_EQ(image_script_path(request), "/data/project/alice/scripts/run.sh");
  auto query = image_query_of(request, std::string("cd x\nexec php report.php \"$1\"\n"));
  EXPECT_EQ(query.shell, "/usr/bin/bash");
  EXPECT_EQ(choose(query).summary(), "images.rules[0]: shell script calls php -> php8.2");
  // An option first (bash -c '...', sh -e x): not a script argument; the program is read.
  request.program_args = {"-c", "php x.php"};
  EXPECT_EQ(image_script_path(request), "/usr/bin/bash");
  EXPECT_FALSE(image_query_of(request, std::nullopt).shell);
  // A program given by path is read itself; qsub's script is already in the request.
  request.program = "run.sh";
  request.resolved_program = "/data/project/alice/run.sh";
  EXPECT_EQ(image_script_path(request), "/data/project/alice/run.sh");
  request.script = "#!/bin/sh\n";
  EXPECT_EQ(image_script_path(request), std::nullopt);
}

}  // namespace
}  // namespace k8sjobs::translate
