#pragma once
// Toolforge's `job [-v|-q] NAME` (is my job queued or running?) and `jstop NAME` (delete it).

#include "k8sjobs/cli/command_context.h"
#include "k8sjobs/cli/command_io.h"

namespace k8sjobs::cli {

// Exit codes: 0 no such job, 1 running, 2 queued; 3 when the answer is unknown (bad usage,
// cluster unreachable), so that an error is never mistaken for one of those three.
inline constexpr int kJobUnknownExitCode = 3;

int run_job(CommandIo& io);
int run_job(CommandIo& io, const CommandContext& context);

int run_jstop(CommandIo& io);
int run_jstop(CommandIo& io, const CommandContext& context);

}  // namespace k8sjobs::cli
