// SPDX-License-Identifier: Apache-2.0
#pragma once
// The built k8sjobs-controller run by an end-to-end test against a ClusterFixture, with alice's
// credentials and kubeconfig, watching one namespace: one `--once` pass, or the long-running
// loop (list, watch, leader election) in a thread of the test until its time limit ends it.
// The loop never serves the status page (`--listen off`): two tests running at once would
// otherwise race for the same port.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "support/cluster_fixture.h"
#include "support/command_runner.h"

namespace k8sjobs::testing {

// `k8sjobs-controller --once --namespace NS --identity e2e --kubeconfig <alice's>` with alice's
// environment: callers may add to it (e.g. K8SJOBS_CONFIG) before run_command.
CommandSpec controller_once_spec(const ClusterFixture& cluster, const std::string& ns);

// One pass of controller_once_spec as it is.
CommandOutput run_controller_once(const ClusterFixture& cluster, const std::string& ns);

// The loop as a Deployment runs it, started by the constructor and ended by `time_limit` (the
// process is killed then), or earlier: as soon as its stderr contains `until_printed` (when
// not empty), or by stop(). wait_until_leading() waits for it to hold the Lease, join() for its
// end and returns what it printed; stop() ends it now and returns the same. A test stops the
// controller once what it waits for has happened instead of waiting out the time limit.
class RunningController {
 public:
  RunningController(ClusterFixture& cluster, const std::string& ns, const std::string& identity,
                    std::chrono::seconds time_limit, std::string until_printed = {});
  ~RunningController();
  RunningController(const RunningController&) = delete;
  RunningController& operator=(const RunningController&) = delete;

  ::testing::AssertionResult wait_until_leading(std::chrono::seconds deadline) const;
  const CommandOutput& join();
  const CommandOutput& stop();

 private:
  ClusterFixture& cluster_;
  std::string ns_;
  std::string identity_;
  CommandOutput output_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace k8sjobs::testing
