// SPDX-License-Identifier: Apache-2.0
#include "support/golden_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/temp_dir.h"

namespace k8sjobs::testing {

void expect_golden_file(const std::string& path, const std::string& actual,
                        const std::string& regenerate) {
  if (std::getenv("K8SJOBS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path) << actual;
    return;
  }
  EXPECT_EQ(actual, read_file(path))
      << "golden file " << path << "; regenerate: K8SJOBS_UPDATE_GOLDEN=1 "
      << "build/tests/k8sjobs_unit_tests " << regenerate;
}

}  // namespace k8sjobs::testing
