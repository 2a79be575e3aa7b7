// SPDX-License-Identifier: Apache-2.0
// jlocal COMMAND [ARGS...]: Toolforge's "run this here, on the cron host".
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::jlocal_main(argc, argv);
}
