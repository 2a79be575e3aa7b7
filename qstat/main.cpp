// qstat: Grid Engine's job listing over the configured backend.
#include <iostream>
#include <string>
#include <vector>

#include "k8sjobs/cli/qstat_command.h"

int main(int argc, char** argv) {
  k8sjobs::sys::SystemClock clock;
  k8sjobs::cli::CommandIo io{std::vector<std::string>(argv + 1, argv + argc),
                             k8sjobs::sys::Environment::from_process(), clock, std::cout,
                             std::cerr};
  return k8sjobs::cli::run_qstat(io);
}
