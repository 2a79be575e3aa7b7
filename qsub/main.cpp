// SPDX-License-Identifier: Apache-2.0
// qsub: Grid Engine's qsub (a job script by default) over the jsub machinery.
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::qsub_main(argc, argv);
}
