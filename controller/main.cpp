// SPDX-License-Identifier: Apache-2.0
// k8sjobs-controller: the in-cluster half of k8sjobs (starts deferred jobs, jsub -a).
#include "k8sjobs/controller/controller_program.h"

int main(int argc, char** argv) {
  return k8sjobs::controller::controller_main(argc, argv);
}
