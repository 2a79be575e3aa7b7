#pragma once
// qdel: delete jobs by id, name, pattern or owner, one Grid Engine answer line each.

#include "k8sjobs/cli/command_context.h"
#include "k8sjobs/cli/command_io.h"

namespace k8sjobs::cli {

int run_qdel(CommandIo& io);
int run_qdel(CommandIo& io, const CommandContext& context);

std::string qdel_usage();

}  // namespace k8sjobs::cli
