// k8sjobs-migrate: what a crontab becomes under k8sjobs (see docs/migration.md).
#include <iostream>
#include <string>
#include <vector>

#include "k8sjobs/cli/migrate_command.h"

int main(int argc, char** argv) {
  k8sjobs::sys::SystemClock clock;
  k8sjobs::cli::CommandIo io{std::vector<std::string>(argv + 1, argv + argc),
                             k8sjobs::sys::Environment::from_process(), clock, std::cout,
                             std::cerr};
  return k8sjobs::cli::run_migrate(io, std::cin);
}
