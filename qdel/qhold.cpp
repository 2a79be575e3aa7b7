// qhold: put pending jobs on hold.
#include <iostream>
#include <string>
#include <vector>

#include "k8sjobs/cli/qhold_command.h"

int main(int argc, char** argv) {
  k8sjobs::sys::SystemClock clock;
  k8sjobs::cli::CommandIo io{std::vector<std::string>(argv + 1, argv + argc),
                             k8sjobs::sys::Environment::from_process(), clock, std::cout,
                             std::cerr};
  return k8sjobs::cli::run_qhold(k8sjobs::cli::HoldAction::Hold, io);
}
