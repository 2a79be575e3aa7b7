// SPDX-License-Identifier: Apache-2.0
// qacct: Grid Engine's accounting report of finished jobs over the configured backend.
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::qacct_main(argc, argv);
}
