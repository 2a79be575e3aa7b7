// SPDX-License-Identifier: Apache-2.0
#include "support/shipped_rbac.h"

#include <yaml-cpp/yaml.h>

#include <string>

#include "support/build_paths.h"

namespace k8sjobs::testing {

namespace {

using nlohmann::json;

json yaml_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    json out = json::object();
    for (const auto& item : node) out[item.first.as<std::string>()] = yaml_to_json(item.second);
    return out;
  }
  if (node.IsSequence()) {
    json out = json::array();
    for (const auto& item : node) out.push_back(yaml_to_json(item));
    return out;
  }
  if (node.IsNull()) return nullptr;
  return node.as<std::string>();
}

}  // namespace

json shipped_controller_rules() {
  json rules = json::array();
  for (const auto& document :
       YAML::LoadAllFromFile(std::string(K8SJOBS_TEST_DATA_DIR) + "/../../deploy/rbac.yaml")) {
    json object = yaml_to_json(document);
    const std::string kind = object.value("kind", "");
    if (kind == "ClusterRole" || kind == "Role") {
      for (const auto& rule : object["rules"]) rules.push_back(rule);
    }
  }
  return rules;
}

json controller_role(const json& rules) {
  return json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
              {"kind", "Role"},
              {"metadata", {{"name", "k8sjobs-controller"}}},
              {"rules", rules}};
}

}  // namespace k8sjobs::testing
