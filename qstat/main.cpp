// SPDX-License-Identifier: Apache-2.0
// qstat: Grid Engine's job listing over the configured backend.
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::qstat_main(argc, argv);
}
