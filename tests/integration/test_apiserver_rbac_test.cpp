// The test API server's RBAC: a bound Role's rules decide, inside the user's namespaces, what a
// request may do, matched as kube-apiserver matches them, with kube-apiserver's 403 wording.

#include <gtest/gtest.h>

#include "apiserver/apiserver_test_helpers.h"
#include "apiserver/rbac.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

json role(json rules) {
  return json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
              {"kind", "Role"},
              {"metadata", {{"name", "r"}, {"namespace", "tool-alice"}}},
              {"rules", std::move(rules)}};
}

TEST(TestApiServerRbac, RulesMatchGroupsResourcesVerbsAndNames) {
  auto rules = policy_rules_of(role(json::array(
      {json{{"apiGroups", {"batch"}}, {"resources", {"jobs"}}, {"verbs", {"get", "list"}}},
       json{{"apiGroups", {""}}, {"resources", {"pods/log"}}, {"verbs", {"get"}}},
       json{{"apiGroups", {""}},
            {"resources", {"configmaps"}},
            {"verbs", {"get", "patch"}},
            {"resourceNames", {"k8sjobs-job-ids"}}},
       json{{"apiGroups", {"apps"}}, {"resources", {"*"}}, {"verbs", {"*"}}}})));
  EXPECT_TRUE(rules_allow(rules, {"get", "batch", "jobs", "", "x"}));
  EXPECT_TRUE(rules_allow(rules, {"list", "batch", "jobs", "", ""}));
  EXPECT_FALSE(rules_allow(rules, {"watch", "batch", "jobs", "", ""}));
  EXPECT_FALSE(rules_allow(rules, {"get", "", "jobs", "", "x"}));             // wrong group
  EXPECT_FALSE(rules_allow(rules, {"get", "batch", "jobs", "status", "x"}));  // subresource
  EXPECT_TRUE(rules_allow(rules, {"get", "", "pods", "log", "p"}));
  EXPECT_FALSE(rules_allow(rules, {"get", "", "pods", "", "p"}));
  EXPECT_TRUE(rules_allow(rules, {"patch", "", "configmaps", "", "k8sjobs-job-ids"}));
  EXPECT_FALSE(rules_allow(rules, {"patch", "", "configmaps", "", "other"}));
  EXPECT_FALSE(rules_allow(rules, {"list", "", "configmaps", "", ""}));  // names never list
  EXPECT_TRUE(rules_allow(rules, {"delete", "apps", "deployments", "", "d"}));
  EXPECT_TRUE(rules_allow(rules, {"update", "apps", "deployments", "scale", "d"}));
  EXPECT_THROW(policy_rules_of(json{{"kind", "ConfigMap"}}), std::invalid_argument);
}

TEST(TestApiServerRbac, ABoundRoleLimitsRequestsInTheUsersNamespace) {
  ApiServerWorld w;
  w.server.bind_role(
      "tools.alice",
      role(json::array(
          {json{{"apiGroups", {"batch"}}, {"resources", {"jobs"}}, {"verbs", {"list"}}}})));
  auto alice = w.alice();
  EXPECT_EQ(alice.request("GET", kJobs).status, 200);
  auto create = alice.post_json(kJobs, job_manifest("x"));
  EXPECT_EQ(create.status, 403);
  EXPECT_EQ(create.json()["reason"], "Forbidden");
  EXPECT_EQ(create.json()["message"],
            "jobs.batch is forbidden: User \"tools.alice\" cannot create resource \"jobs\" in API "
            "group \"batch\" in the namespace \"tool-alice\"");
  auto pods = alice.request("GET", kPods);
  EXPECT_EQ(pods.status, 403);
  EXPECT_EQ(pods.json()["message"],
            "pods is forbidden: User \"tools.alice\" cannot list resource \"pods\" in API group "
            "\"\" in the namespace \"tool-alice\"");
  // Discovery needs no rule; other namespaces stay closed; unbound users are unaffected.
  EXPECT_EQ(alice.request("GET", "/apis/batch/v1").status, 200);
  EXPECT_EQ(alice.request("GET", "/apis/batch/v1/namespaces/tool-bob/jobs").status, 403);
  HttpsTestClient bob(w.server.port(), w.server.ca_pem(), "", w.bob_cert);
  EXPECT_EQ(bob.post_json("/apis/batch/v1/namespaces/tool-bob/jobs", job_manifest("y")).status,
            201);
}

}  // namespace
}  // namespace k8sjobs::testing
