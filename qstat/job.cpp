// SPDX-License-Identifier: Apache-2.0
// job [-v|-q] NAME: Toolforge's "is my job queued or running?"
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::job_main(argc, argv);
}
