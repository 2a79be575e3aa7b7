// SPDX-License-Identifier: Apache-2.0
#pragma once
// Bytes as lowercase hex, two digits each: what tests/tools/print_argv_hex prints, so tests can
// compare any bytes a program received.

#include <string>

namespace k8sjobs::testing {

std::string hex(const std::string& bytes);

}  // namespace k8sjobs::testing
