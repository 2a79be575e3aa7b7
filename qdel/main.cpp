// SPDX-License-Identifier: Apache-2.0
// qdel: delete jobs by id, name, pattern or owner.
#include "k8sjobs/cli/commands.h"

int main(int argc, char** argv) {
  return k8sjobs::cli::qdel_main(argc, argv);
}
