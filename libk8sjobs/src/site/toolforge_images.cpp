// SPDX-License-Identifier: Apache-2.0
#include "toolforge_images.h"

namespace k8sjobs::site {

namespace {

// Toolforge's registry names an image after its short name without the dots:
// php8.2 -> toolforge-php82-sssd-base.
std::string toolforge_reference(const std::string& name) {
  std::string flat;
  for (char c : name) {
    if (c != '.') flat += c;
  }
  return "docker-registry.tools.wmflabs.org/toolforge-" + flat + "-sssd-base:latest";
}

}  // namespace

std::map<std::string, std::string> toolforge_image_names() {
  std::map<std::string, std::string> names;
  for (const char* release : {"buster", "bullseye", "bookworm"}) {
    names[release] =
        "docker-registry.tools.wmflabs.org/toolforge-" + std::string(release) + "-sssd:latest";
  }
  for (const char* name : {"jdk17", "node16", "node18", "perl5.32", "perl5.36", "php7.4", "php8.2",
                           "python3.9", "python3.11", "ruby2.7", "ruby3.1", "tcl8.6"}) {
    names[name] = toolforge_reference(name);
  }
  return names;
}

std::vector<ImageRule> toolforge_image_rules() {
  using Match = ImageRule::Match;
  // The unversioned words first get the newest image, as a grid host's /usr/bin/php was the
  // newest PHP it had.
  return {
      {Match::Program, {"php", "php8.2"}, "php8.2"},
      {Match::Program, {"php7.4"}, "php7.4"},
      {Match::Program, {"python3", "python", "python3.11"}, "python3.11"},
      {Match::Program, {"python3.9"}, "python3.9"},
      {Match::Program, {"node", "nodejs", "node18"}, "node18"},
      {Match::Program, {"node16"}, "node16"},
      {Match::Program, {"perl", "perl5.36"}, "perl5.36"},
      {Match::Program, {"perl5.32"}, "perl5.32"},
      {Match::Program, {"java"}, "jdk17"},
      {Match::Program, {"ruby", "ruby3.1"}, "ruby3.1"},
      {Match::Program, {"ruby2.7"}, "ruby2.7"},
      {Match::Program, {"tclsh", "tclsh8.6"}, "tcl8.6"},
  };
}

}  // namespace k8sjobs::site
