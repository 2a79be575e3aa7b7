// SPDX-License-Identifier: Apache-2.0
#pragma once
// qacct: Grid Engine's accounting report of finished jobs (-j, -o, -b, -e, -d, the summary)
// over the backend's accounting records.

#include <string>

#include "k8sjobs/cli/command_context.h"
#include "k8sjobs/cli/command_io.h"

namespace k8sjobs::cli {

int run_qacct(CommandIo& io);
int run_qacct(CommandIo& io, const CommandContext& context);

std::string qacct_usage();

}  // namespace k8sjobs::cli
