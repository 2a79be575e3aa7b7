// SPDX-License-Identifier: Apache-2.0
// Every command's diagnostics go to stderr, prefixed with its name and redacted, at the level
// K8SJOBS_LOG sets (cli/program.h): a warning never lands inside output that scripts parse,
// such as `qstat -xml`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/build_paths.h"
#include "support/cluster_fixture.h"

namespace k8sjobs::testing {
namespace {

class LoggingE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  // alice's environment with a kubeconfig that skips the server's certificate check, which
  // every command warns about.
  std::map<std::string, std::string> insecure_environment() {
    const auto& alice = cluster.alice();
    cluster.dir().write("kube/insecure.kubeconfig",
                        "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n"
                        "    server: " +
                            cluster.server().url() +
                            "\n    insecure-skip-tls-verify: true\n"
                            "users:\n- name: alice\n  user:\n    token: " +
                            alice.token +
                            "\ncontexts:\n- name: test\n  context:\n    cluster: test\n"
                            "    user: alice\n    namespace: " +
                            alice.namespace_name + "\ncurrent-context: test\n");
    cluster.dir().write("config/insecure.yaml",
                        "backend: kubernetes\nkubernetes:\n  kubeconfig: " +
                            (cluster.dir().path() / "kube" / "insecure.kubeconfig").string() +
                            "\nhome:\n  path_template: " +
                            (cluster.dir().path() / "home" / "{tool}").string() + "\n");
    auto environment = cluster.environment(alice);
    environment["K8SJOBS_CONFIG"] = (cluster.dir().path() / "config" / "insecure.yaml").string();
    return environment;
  }

  CommandOutput run(const std::string& command, std::vector<std::string> args,
                    std::map<std::string, std::string> environment) {
    CommandSpec spec;
    spec.program = built_command(command);
    spec.args = std::move(args);
    spec.environment = std::move(environment);
    spec.working_directory = cluster.home_of(cluster.alice());
    return run_command(spec);
  }
};

TEST_F(LoggingE2E, QstatXmlStaysXmlAndTheWarningGoesToStderr) {
  auto submitted = cluster.run("jsub/jsub", {"-N", "xmljob", "sleep", "600"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;

  auto result = run("qstat/qstat", {"-xml"}, insecure_environment());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("<?xml version='1.0'?>\n", 0), 0u) << result.out;
  EXPECT_NE(result.out.find("<JB_name>xmljob</JB_name>"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("insecure"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("qstat: warning: insecure-skip-tls-verify is set for "),
            std::string::npos)
      << result.err;
}

TEST_F(LoggingE2E, EveryClusterCommandWarnsOnStderrUnderItsOwnName) {
  auto submitted = cluster.run("jsub/jsub", {"-N", "warned", "sleep", "600"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const auto environment = insecure_environment();
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"qstat/qstat", {}},       {"qstat/job", {"warned"}},      {"qdel/qhold", {"warned"}},
      {"qdel/qrls", {"warned"}}, {"qstat/jstop", {"nosuchjob"}}, {"qdel/qdel", {"warned"}}};
  for (const auto& [command, args] : commands) {
    auto result = run(command, args, environment);
    const std::string name = command.substr(command.find('/') + 1);
    EXPECT_NE(result.err.find(name + ": warning: insecure-skip-tls-verify is set"),
              std::string::npos)
        << command << "\n"
        << result.err;
    EXPECT_EQ(result.out.find("insecure"), std::string::npos) << command << "\n" << result.out;
  }
}

TEST_F(LoggingE2E, K8sjobsLogDebugShowsTheRequestsOnStderr) {
  auto environment = cluster.environment(cluster.alice());
  environment["K8SJOBS_LOG"] = "debug";
  auto result = run("qstat/qstat", {}, environment);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("qstat: debug: GET /apis/batch/v1/namespaces/tool-alice/jobs"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find(cluster.alice().token), std::string::npos) << "token not redacted";
}

}  // namespace
}  // namespace k8sjobs::testing
