// SPDX-License-Identifier: Apache-2.0
// jsub and qcronsub: one program, like Toolforge's (qcronsub is jsub -once).
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::jsub_main(argc, argv);
}
