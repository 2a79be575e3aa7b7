// SPDX-License-Identifier: Apache-2.0
// images.names, images.rules and images.everything: reading, defaults, and the errors the
// reader gives for a bad rule.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "k8sjobs/site/site_config.h"
#include "support/build_paths.h"
#include "support/site_config_error.h"
#include "support/temp_dir.h"

namespace k8sjobs::site {
namespace {

using Words = std::vector<std::string>;

TEST(SiteImageRules, DefaultsNameToolforgeImagesForEveryInterpreter) {
  SiteConfig config;
  EXPECT_EQ(config.images.reference_for("php8.2"),
            "docker-registry.tools.wmflabs.org/toolforge-php82-sssd-base:latest");
  EXPECT_EQ(config.images.reference_for("python3.11"),
            "docker-registry.tools.wmflabs.org/toolforge-python311-sssd-base:latest");
  EXPECT_EQ(config.images.reference_for("node18"),
            "docker-registry.tools.wmflabs.org/toolforge-node18-sssd-base:latest");
  EXPECT_EQ(config.images.reference_for("bookworm"),
            "docker-registry.tools.wmflabs.org/toolforge-bookworm-sssd:latest");
  EXPECT_EQ(config.images.reference_for("registry.example.org/x:1"), "registry.example.org/x:1");
  EXPECT_EQ(config.images.reference_for("php9"), std::nullopt);
  ASSERT_FALSE(config.images.rules.empty());
  EXPECT_EQ(config.images.rules[0],
            (ImageRule{ImageRule::Match::Program, {"php", "php8.2"}, "php8.2"}));
  for (const auto& rule : config.images.rules) {
    EXPECT_TRUE(config.images.reference_for(rule.image)) << rule.image;
  }
  EXPECT_EQ(config.images.everything, "");
  EXPECT_EQ(config.images.everything_reference(),
            "docker-registry.tools.wmflabs.org/toolforge-bookworm-sssd:latest");
}

TEST(SiteImageRules, ReadInOrderWithWordsOrLists) {
  auto parsed = parse_site_config(R"(images:
  releases:
    bookworm: registry.example.org/debian:bookworm
  names:
    php: registry.example.org/php:8.2-cli-bookworm
    py: registry.example.org/python:3.11-bookworm
  rules:
    - requested_image: legacy
      image: registry.example.org/legacy:1
    - runtime: python3
      image: py
    - program: [php, php8.2]
      image: php
    - program: python3
      image: py
    - program: perl
      image: bookworm
  everything: registry.example.org/everything:bookworm
)",
                                  "site.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const ImageSettings& images = parsed->images;
  using Match = ImageRule::Match;
  EXPECT_EQ(images.rules, (std::vector<ImageRule>{
                              {Match::RequestedImage, {"legacy"}, "registry.example.org/legacy:1"},
                              {Match::Runtime, {"python3"}, "py"},
                              {Match::Program, {"php", "php8.2"}, "php"},
                              {Match::Program, {"python3"}, "py"},
                              {Match::Program, {"perl"}, "bookworm"}}));
  EXPECT_EQ(images.names.size(), 2u);
  EXPECT_EQ(images.everything_reference(), "registry.example.org/everything:bookworm");
}

TEST(SiteImageRules, ASiteWithItsOwnImagesGetsNoToolforgeRules) {
  // A site that lists its own releases must not run php jobs in Toolforge's registry.
  auto parsed = parse_site_config("images:\n  releases:\n    bookworm: reg/debian:12\n", "s.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->images.rules.empty());
  EXPECT_TRUE(parsed->images.names.empty());
  // Rules of its own may name Toolforge's images; the built-in rules are gone.
  parsed =
      parse_site_config("images:\n  rules:\n    - program: php\n      image: php7.4\n", "s.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->images.rules.size(), 1u);
  EXPECT_EQ(parsed->images.names, SiteConfig().images.names);
  // Setting only the default release or the everything image keeps them.
  parsed = parse_site_config("images:\n  everything: bullseye\n", "s.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->images.rules, SiteConfig().images.rules);
  EXPECT_EQ(parsed->images.everything_reference(),
            "docker-registry.tools.wmflabs.org/toolforge-bullseye-sssd:latest");
}

TEST(SiteImageRules, ErrorsNameTheRuleAndLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"images:\n  rules:\n    - program: php\n      image: php9\n",
       "site.yaml:3: images.rules[0].image: 'php9' is neither a key of images.names or "
       "images.releases nor an image reference (registry/name:tag)"},
      {"images:\n  rules:\n    - image: php8.2\n",
       "site.yaml:3: images.rules[0]: needs one of program, runtime, requested_image"},
      {"images:\n  rules:\n    - program: php\n      runtime: php\n      image: php8.2\n",
       "site.yaml:3: images.rules[0]: takes one of program, runtime, requested_image, not program "
       "and runtime"},
      {"images:\n  rules:\n    - program: php\n", "site.yaml:3: images.rules[0].image: missing"},
      {"images:\n  rules:\n    - program: /usr/bin/php\n      image: php8.2\n",
       "site.yaml:3: images.rules[0].program: '/usr/bin/php' is not a word (no blanks, no '/': "
       "give a basename)"},
      {"images:\n  rules:\n    - program: [php, python3]\n      image: php8.2\n"
       "    - program: python3\n      image: python3.11\n",
       "site.yaml:5: images.rules[1].program: 'python3' is already matched by images.rules[0]"},
      {"images:\n  rules:\n    - progam: php\n      image: php8.2\n",
       "site.yaml:3: unknown key 'images.rules[0].progam' (did you mean "
       "'images.rules[0].program'?)"},
      {"images:\n  rules: php\n", "site.yaml:2: images.rules: expected a list of rules"},
      {"images:\n  rules:\n    - php\n", "site.yaml:3: images.rules: each rule must be a mapping"},
      {"images:\n  names:\n    'php 8': reg/php\n",
       "site.yaml:3: images.names: 'php 8' is not a valid image name (letters, digits, '-', '_', "
       "'.')"},
      {"images:\n  everything: kitchen-sink\n",
       "site.yaml:2: images.everything: 'kitchen-sink' is neither a key of images.names or "
       "images.releases nor an image reference (registry/name:tag)"},
  };
  for (const auto& [yaml, message] : cases) {
    SCOPED_TRACE(yaml);
    EXPECT_EQ(testing::site_config_error(yaml), message);
  }
}

TEST(SiteImageRules, TheExampleHasADebianImageForEachRuntime) {
  auto parsed = parse_site_config(
      testing::read_file(std::string(K8SJOBS_TEST_DATA_DIR) + "/../../docs/examples/config.yaml"),
      "config.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const ImageSettings& images = parsed->images;
  auto image_of_program = [&](const std::string& word) -> std::string {
    for (const auto& rule : images.rules) {
      if (rule.match == ImageRule::Match::Program &&
          std::find(rule.words.begin(), rule.words.end(), word) != rule.words.end()) {
        return images.reference_for(rule.image).value_or("?");
      }
    }
    return "none";
  };
  EXPECT_EQ(image_of_program("php"), "docker.io/library/php:8.2-cli-bookworm");
  EXPECT_EQ(image_of_program("python3"), "docker.io/library/python:3.11-bookworm");
  EXPECT_EQ(image_of_program("node"), "docker.io/library/node:18-bookworm");
  EXPECT_EQ(image_of_program("perl"), "docker.io/library/perl:5.36-bookworm");
  EXPECT_EQ(image_of_program("Rscript"), "docker.io/library/r-base:4.3.1");
  EXPECT_EQ(image_of_program("java"), "docker.io/library/openjdk:17-slim-bullseye");
}

TEST(SiteImageRules, KeysAreDocumentedKeys) {
  const auto& keys = site_config_keys();
  for (const char* key :
       {"images.names", "images.rules", "images.rules[].program", "images.rules[].runtime",
        "images.rules[].requested_image", "images.rules[].image", "images.everything"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
  }
}

}  // namespace
}  // namespace k8sjobs::site
