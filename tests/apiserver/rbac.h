#pragma once
// Role-based authorization for the test API server: the rules of a Kubernetes Role
// (rbac.authorization.k8s.io/v1), matched the way kube-apiserver's RBAC authorizer matches them
// (apiGroups, resources with "resource/subresource", verbs, resourceNames, "*" wildcards).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace k8sjobs::testing {

struct PolicyRule {
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;  // "jobs", "pods/log", "*"
  std::vector<std::string> verbs;
  std::vector<std::string> resource_names;  // empty: any name
};

// The "rules" of a Role or ClusterRole object (as JSON); throws std::invalid_argument when it is
// not one.
std::vector<PolicyRule> policy_rules_of(const nlohmann::json& role);

struct AccessRequest {
  std::string verb;         // get, list, watch, create, update, patch, delete, deletecollection
  std::string api_group;    // "" for the core group
  std::string resource;     // "jobs"
  std::string subresource;  // "" or "status", "log"
  std::string name;         // "" for collections
};

bool rules_allow(const std::vector<PolicyRule>& rules, const AccessRequest& request);

}  // namespace k8sjobs::testing
