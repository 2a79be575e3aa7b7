// SPDX-License-Identifier: Apache-2.0
#include "support/kubelet_container.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/kube/kubelet_expansion.h"

namespace k8sjobs::testing {

nlohmann::json as_kubelet_starts_it(const nlohmann::json& container) {
  nlohmann::json started = container;
  std::map<std::string, std::string, std::less<>> defined;
  auto lookup = [&defined](std::string_view name) -> std::optional<std::string> {
    auto found = defined.find(name);
    if (found == defined.end()) return std::nullopt;
    return found->second;
  };
  if (started.contains("env")) {
    for (auto& entry : started["env"]) {
      if (!entry.contains("value")) continue;
      std::string value =
          kube::expand_kubelet_references(entry["value"].get<std::string>(), lookup);
      entry["value"] = value;
      defined[entry["name"].get<std::string>()] = value;
    }
  }
  for (const char* field : {"command", "args"}) {
    if (!started.contains(field)) continue;
    for (auto& word : started[field]) {
      word = kube::expand_kubelet_references(word.get<std::string>(), lookup);
    }
  }
  return started;
}

nlohmann::json started_container(const translate::Workload& workload) {
  return as_kubelet_starts_it(workload.object["spec"]["template"]["spec"]["containers"][0]);
}

CommandOutput run_container(const nlohmann::json& manifest_container,
                            const std::map<std::string, std::string>& runtime) {
  const nlohmann::json container = as_kubelet_starts_it(manifest_container);
  const auto command = container.at("command").get<std::vector<std::string>>();
  CommandSpec spec;
  spec.program = command.at(0);
  spec.args.assign(command.begin() + 1, command.end());
  spec.environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& entry : container.at("env")) {
    spec.environment[entry.at("name").get<std::string>()] = entry.at("value").get<std::string>();
  }
  for (const auto& [name, value] : runtime) spec.environment[name] = value;
  if (container.contains("workingDir")) {
    spec.working_directory = container["workingDir"].get<std::string>();
  }
  return run_command(spec);
}

}  // namespace k8sjobs::testing
