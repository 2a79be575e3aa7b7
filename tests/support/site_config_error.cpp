// SPDX-License-Identifier: Apache-2.0
#include "support/site_config_error.h"

#include <gtest/gtest.h>

#include "k8sjobs/site/site_config.h"

namespace k8sjobs::testing {

std::string site_config_error(const std::string& yaml) {
  auto parsed = site::parse_site_config(yaml, "site.yaml");
  if (parsed) {
    ADD_FAILURE() << "parsed without error:\n" << yaml;
    return "";
  }
  return parsed.error().message;
}

}  // namespace k8sjobs::testing
