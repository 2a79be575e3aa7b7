// SPDX-License-Identifier: Apache-2.0
#pragma once
// The k8sjobs objects recorded from a real API server (tests/data/k8s/responses/k8sjobs/): the
// Jobs, Deployments and Pods the job views and the controller's decisions are tested on.

#include <string>

#include <nlohmann/json.hpp>

namespace k8sjobs::testing {

// The object of `tests/data/k8s/responses/k8sjobs/<name>.json`, e.g. "job-running".
nlohmann::json recorded_object(const std::string& name);

}  // namespace k8sjobs::testing
