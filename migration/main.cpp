// SPDX-License-Identifier: Apache-2.0
// k8sjobs-migrate: what a crontab becomes under k8sjobs (see docs/migration.md).
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::migrate_main(argc, argv);
}
