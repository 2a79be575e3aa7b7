// SPDX-License-Identifier: Apache-2.0
// jstop NAME: Toolforge's "delete my job by name".
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::jstop_main(argc, argv);
}
