// SPDX-License-Identifier: Apache-2.0
#pragma once
// A container as the kubelet starts it: its command, args and env values after the kubelet's
// `$(NAME)` / `$$` expansion (k8sjobs/kube/kubelet_expansion.h). Tests that look at or run a
// generated container's words look at what the process receives, not at the manifest text.

#include <nlohmann/json.hpp>

#include "k8sjobs/translate/workload.h"

namespace k8sjobs::testing {

// Env values are expanded in order, each with the variables defined before it; command and
// args with all of them. Other fields are returned as they are.
nlohmann::json as_kubelet_starts_it(const nlohmann::json& container);

// The workload's (first) container as the kubelet starts it.
nlohmann::json started_container(const translate::Workload& workload);

}  // namespace k8sjobs::testing
