// SPDX-License-Identifier: Apache-2.0
// qrls: release held jobs.
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::qrls_main(argc, argv);
}
