// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/sys/host_name.h"

#include <unistd.h>

namespace k8sjobs::sys {

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "localhost";
  return buffer;
}

}  // namespace k8sjobs::sys
