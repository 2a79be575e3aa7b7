// k8sjobs-migrate: what a crontab becomes under k8sjobs (see docs/migration.md).
#include <malloc.h>

#include <iostream>
#include <string>
#include <vector>

#include "k8sjobs/cli/migrate_command.h"

int main(int argc, char** argv) {
  // check makes a few blocks of 1 KiB or more per crontab line (token lists, parsed
  // submissions), and glibc consolidates its fast bins before each such block: a sixth of the
  // time of checking a large crontab. Without fast bins, small blocks still come from the
  // per-thread cache.
  mallopt(M_MXFAST, 0);
  k8sjobs::sys::SystemClock clock;
  k8sjobs::cli::CommandIo io{std::vector<std::string>(argv + 1, argv + argc),
                             k8sjobs::sys::Environment::from_process(), clock, std::cout,
                             std::cerr};
  return k8sjobs::cli::run_migrate(io, std::cin);
}
