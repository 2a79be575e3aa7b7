// SPDX-License-Identifier: Apache-2.0
#include "support/build_paths.h"

namespace k8sjobs::testing {

const char* test_data_dir() {
  return K8SJOBS_BUILD_TEST_DATA_DIR;
}
const char* binary_dir() {
  return K8SJOBS_BUILD_BINARY_DIR;
}

}  // namespace k8sjobs::testing
