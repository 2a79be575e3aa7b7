#pragma once
// qhold and qrls: put a pending job on hold (hqw) and release it, with Grid Engine's answers.
// On Kubernetes a hold suspends the Job (spec.suspend) or scales a continuous job's Deployment
// to 0; since both would kill a running program, a running job is refused instead of stopped.

#include "k8sjobs/cli/command_context.h"
#include "k8sjobs/cli/command_io.h"

namespace k8sjobs::cli {

enum class HoldAction { Hold, Release };

int run_qhold(HoldAction action, CommandIo& io);
int run_qhold(HoldAction action, CommandIo& io, const CommandContext& context);

std::string qhold_usage(HoldAction action);

}  // namespace k8sjobs::cli
