// SPDX-License-Identifier: Apache-2.0
#include "support/local_command.h"

#include <chrono>
#include <utility>

namespace k8sjobs::testing {

CommandOutput run_local_command(const TempDir& home, const std::string& command,
                                std::vector<std::string> args) {
  CommandSpec spec;
  spec.program = built_command(command);
  spec.args = std::move(args);
  spec.environment = {{"HOME", home.path().string()},
                      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
                      {"K8SJOBS_STATE_DIR", (home.path() / "state").string()},
                      {"K8SJOBS_USER", "tools.alice"},
                      {"K8SJOBS_CONFIG", (home.path() / "no-config.yaml").string()},
                      {"TZ", "UTC"}};
  spec.working_directory = home.path();
  spec.timeout = std::chrono::seconds(60);
  return run_command(spec);
}

}  // namespace k8sjobs::testing
