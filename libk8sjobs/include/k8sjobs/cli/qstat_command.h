#pragma once
// qstat: Grid Engine's listing (-u, -s, -r, -f, -xml) and job details (-j) over the backend.

#include "k8sjobs/cli/command_context.h"
#include "k8sjobs/cli/command_io.h"

namespace k8sjobs::cli {

int run_qstat(CommandIo& io);
int run_qstat(CommandIo& io, const CommandContext& context);

std::string qstat_usage();

}  // namespace k8sjobs::cli
