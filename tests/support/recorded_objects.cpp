// SPDX-License-Identifier: Apache-2.0
#include "support/recorded_objects.h"

#include "support/build_paths.h"
#include "support/temp_dir.h"

namespace k8sjobs::testing {

nlohmann::json recorded_object(const std::string& name) {
  return nlohmann::json::parse(
      read_file(std::string(test_data_dir()) + "/k8s/responses/k8sjobs/" + name + ".json"));
}

}  // namespace k8sjobs::testing
