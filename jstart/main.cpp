// SPDX-License-Identifier: Apache-2.0
// jstart: jsub -continuous (which implies -once), for programs that must stay up.
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::jstart_main(argc, argv);
}
