// SPDX-License-Identifier: Apache-2.0
// qhold: put pending jobs on hold.
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::qhold_main(argc, argv);
}
