// SPDX-License-Identifier: Apache-2.0
#pragma once
// The rules deploy/rbac.yaml grants k8sjobs-controller (its ClusterRole's and its Lease Role's,
// in that order), for tests that bind exactly them to a user of the test API server.

#include <nlohmann/json.hpp>

namespace k8sjobs::testing {

// A JSON array of rbac.authorization.k8s.io/v1 PolicyRules.
nlohmann::json shipped_controller_rules();

// A Role named k8sjobs-controller holding `rules` (for TestApiServer::bind_role).
nlohmann::json controller_role(const nlohmann::json& rules);

}  // namespace k8sjobs::testing
