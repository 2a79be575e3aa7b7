// SPDX-License-Identifier: Apache-2.0
#pragma once
// A container as the kubelet starts it: its command, args and env values after the kubelet's
// `$(NAME)` / `$$` expansion (k8sjobs/kube/kubelet_expansion.h). Tests that look at or run a
// generated container's words look at what the process receives, not at the manifest text.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "k8sjobs/translate/workload.h"
#include "support/command_runner.h"

namespace k8sjobs::testing {

// Env values are expanded in order, each with the variables defined before it; command and
// args with all of them. Other fields are returned as they are.
nlohmann::json as_kubelet_starts_it(const nlohmann::json& container);

// The workload's (first) container as the kubelet starts it.
nlohmann::json started_container(const translate::Workload& workload);

// Runs a manifest's container on this machine as the runtime would start it, after the
// kubelet's expansion: command[0] with the rest as its argv, the env list (plus the image's
// PATH and what `runtime` adds: TMPDIR, JOB_COMPLETION_INDEX...), in workingDir when it has one.
CommandOutput run_container(const nlohmann::json& manifest_container,
                            const std::map<std::string, std::string>& runtime = {});

}  // namespace k8sjobs::testing
