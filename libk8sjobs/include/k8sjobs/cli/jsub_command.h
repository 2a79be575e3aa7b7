#pragma once
// jsub, jstart and qcronsub: parse, submit, print Grid Engine's answer, return its exit code.

#include "k8sjobs/cli/command_io.h"
#include "k8sjobs/ge/submit_request.h"

namespace k8sjobs::cli {

int run_jsub(ge::Mode mode, CommandIo& io);

}  // namespace k8sjobs::cli
