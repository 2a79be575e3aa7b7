#include "apiserver/rbac.h"

#include <algorithm>
#include <stdexcept>

namespace k8sjobs::testing {
namespace {

std::vector<std::string> strings_at(const nlohmann::json& rule, const char* key) {
  std::vector<std::string> out;
  if (!rule.contains(key)) return out;
  const auto& list = rule.at(key);
  if (!list.is_array()) throw std::invalid_argument(std::string("rule ") + key + " is not a list");
  for (const auto& item : list) out.push_back(item.get<std::string>());
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool has_or_star(const std::vector<std::string>& list, const std::string& value) {
  return has(list, "*") || has(list, value);
}

// kube-apiserver's ResourceMatches: "*", "jobs" (not its subresources), "jobs/status",
// "*/status".
bool resource_matches(const PolicyRule& rule, const AccessRequest& request) {
  const std::string combined =
      request.subresource.empty() ? request.resource : request.resource + "/" + request.subresource;
  for (const auto& resource : rule.resources) {
    if (resource == "*" || resource == combined) return true;
    if (!request.subresource.empty() && resource == "*/" + request.subresource) return true;
  }
  return false;
}

}  // namespace

std::vector<PolicyRule> policy_rules_of(const nlohmann::json& role) {
  const std::string kind = role.value("kind", "");
  if (kind != "Role" && kind != "ClusterRole")
    throw std::invalid_argument("not a Role or ClusterRole: kind " + kind);
  std::vector<PolicyRule> rules;
  for (const auto& rule : role.value("rules", nlohmann::json::array())) {
    PolicyRule parsed{strings_at(rule, "apiGroups"), strings_at(rule, "resources"),
                      strings_at(rule, "verbs"), strings_at(rule, "resourceNames")};
    if (parsed.verbs.empty()) throw std::invalid_argument("a rule without verbs");
    rules.push_back(std::move(parsed));
  }
  return rules;
}

bool rules_allow(const std::vector<PolicyRule>& rules, const AccessRequest& request) {
  return std::any_of(rules.begin(), rules.end(), [&](const PolicyRule& rule) {
    if (!has_or_star(rule.verbs, request.verb)) return false;
    if (!has_or_star(rule.api_groups, request.api_group)) return false;
    if (!resource_matches(rule, request)) return false;
    // resourceNames never match collections (list, watch, create, deletecollection).
    return rule.resource_names.empty() ||
           (!request.name.empty() && has(rule.resource_names, request.name));
  });
}

}  // namespace k8sjobs::testing
