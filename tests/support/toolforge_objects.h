// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Toolforge jobs framework's objects (tests/data/toolforge: a one-off Job "fetch", a
// CronJob "daily", a continuous Deployment "bot"), made for a tool's namespace and created on
// the test API server as `toolforge jobs run` would, so that the server's controllers give the
// Job and the Deployment their pods.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apiserver/test_apiserver.h"

namespace k8sjobs::testing {

// The file `tests/data/toolforge/<name>.json` made for `tool` in `namespace_name`.
nlohmann::json toolforge_object(const std::string& name, const std::string& tool,
                                const std::string& namespace_name);

// Creates the three in `namespace_name`; returns them as the server stored them.
std::vector<nlohmann::json> create_toolforge_jobs(TestApiServer& server, const std::string& tool,
                                                  const std::string& namespace_name);

}  // namespace k8sjobs::testing
