#pragma once
// k8sjobs-migrate: check, convert and apply a crontab (see docs/migration.md).

#include <istream>

#include "k8sjobs/cli/command_io.h"

namespace k8sjobs::cli {

// `in` is read when a file argument is "-" (crontab -l | k8sjobs-migrate check -).
int run_migrate(CommandIo& io, std::istream& in);

}  // namespace k8sjobs::cli
