// SPDX-License-Identifier: Apache-2.0
#pragma once
// A built command run on the embedded default (the local backend), as a newcomer with no
// cluster runs it: `home` is the user's home and holds the state directory and a site
// configuration "no-config.yaml" (backend: local) that the caller writes.

#include <string>
#include <vector>

#include "support/command_runner.h"
#include "support/temp_dir.h"

namespace k8sjobs::testing {

// HOME, PATH, K8SJOBS_STATE_DIR (home/state), K8SJOBS_USER=tools.alice, K8SJOBS_CONFIG
// (home/no-config.yaml), TZ=UTC; run in `home`, 60 s at most.
CommandOutput run_local_command(const TempDir& home, const std::string& command,
                                std::vector<std::string> args);

}  // namespace k8sjobs::testing
