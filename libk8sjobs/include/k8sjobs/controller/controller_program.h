// SPDX-License-Identifier: Apache-2.0
#pragma once
// k8sjobs-controller, the in-cluster half of k8sjobs: its options, its run loop and its main().
// It starts deferred jobs (-a) when their time comes; of several replicas only the holder of
// the Lease acts (leader_election.h).

#include <string>
#include <vector>

#include "k8sjobs/cli/command_io.h"
#include "k8sjobs/expected.h"

namespace k8sjobs::controller {

struct ControllerOptions {
  std::vector<std::string> namespaces;  // --namespace, repeatable
  bool all_namespaces = false;          // --all-namespaces
  bool once = false;                    // --once: one pass, then exit
  std::string kubeconfig;               // --kubeconfig; empty: KUBECONFIG, ~/.kube, in-cluster
  std::string identity;                 // --identity; default <host>_<pid>
  std::string lease_namespace;          // --lease-namespace; default the connection's
  std::string lease_name = "k8sjobs-controller";  // --lease-name
  std::string listen = "0.0.0.0:8080";  // --listen HOST:PORT of the status server; "off": none
  int status_interval = 5;              // --status-interval: seconds between status snapshots
  bool help = false;
  bool version = false;
};

// The options, or the message for a usage error.
Expected<ControllerOptions, std::string> parse_controller_options(
    const std::vector<std::string>& args);

std::string controller_usage();

// The command's run function (exit codes: 0, 1 on a failure to connect or a failed pass, 2 on
// a usage error).
int run_controller(cli::CommandIo& io);

int controller_main(int argc, char** argv);

}  // namespace k8sjobs::controller
