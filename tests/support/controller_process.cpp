// SPDX-License-Identifier: Apache-2.0
#include "support/controller_process.h"

#include <utility>

#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

std::string alice_kubeconfig(const ClusterFixture& cluster) {
  return (cluster.dir().path() / "kube" / "alice.kubeconfig").string();
}

}  // namespace

CommandSpec controller_once_spec(const ClusterFixture& cluster, const std::string& ns) {
  CommandSpec spec;
  spec.program = built_command("controller/k8sjobs-controller");
  spec.args = {
      "--once", "--namespace", ns, "--identity", "e2e", "--kubeconfig", alice_kubeconfig(cluster)};
  spec.environment = cluster.environment(cluster.alice());
  return spec;
}

CommandOutput run_controller_once(const ClusterFixture& cluster, const std::string& ns) {
  return run_command(controller_once_spec(cluster, ns));
}

RunningController::RunningController(ClusterFixture& cluster, const std::string& ns,
                                     const std::string& identity, std::chrono::seconds time_limit,
                                     std::string until_printed)
    : cluster_(cluster), ns_(ns), identity_(identity) {
  CommandSpec spec;
  spec.program = built_command("controller/k8sjobs-controller");
  spec.args = {"--namespace", ns,    "--identity",   identity,
               "--listen",    "off", "--kubeconfig", alice_kubeconfig(cluster)};
  spec.environment = cluster.environment(cluster.alice());
  spec.timeout = time_limit;
  spec.until_stderr_contains = std::move(until_printed);
  spec.stop = &stop_;
  thread_ = std::thread([this, spec = std::move(spec)] { output_ = run_command(spec); });
}

RunningController::~RunningController() {
  stop_ = true;  // a test that ended early (a failed assertion) does not wait out the limit
  if (thread_.joinable()) thread_.join();
}

::testing::AssertionResult RunningController::wait_until_leading(
    std::chrono::seconds deadline) const {
  const std::string lease =
      "/apis/coordination.k8s.io/v1/namespaces/" + ns_ + "/leases/k8sjobs-controller";
  const TestApiServer& server = cluster_.server();
  return wait_until(
      [&] {
        auto object = server.get(lease);
        return object && (*object)["spec"].value("holderIdentity", "") == identity_;
      },
      deadline, "the controller to take the Lease");
}

const CommandOutput& RunningController::join() {
  if (thread_.joinable()) thread_.join();
  return output_;
}

const CommandOutput& RunningController::stop() {
  stop_ = true;
  return join();
}

}  // namespace k8sjobs::testing
