// SPDX-License-Identifier: Apache-2.0
#pragma once
// This machine's name, as Grid Engine recorded it (sge_o_host, JOB_ID blocks per submit host).

#include <string>

namespace k8sjobs::sys {

// gethostname(2); "localhost" when it fails.
std::string host_name();

}  // namespace k8sjobs::sys
