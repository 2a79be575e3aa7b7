// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the site configuration reader says about a YAML text it must refuse.

#include <string>

namespace k8sjobs::testing {

// The message parse_site_config gives for `yaml` (read as "site.yaml"); a test failure and ""
// when it reads the text without error.
std::string site_config_error(const std::string& yaml);

}  // namespace k8sjobs::testing
