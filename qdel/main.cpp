// qdel: delete jobs by id, name, pattern or owner.
#include <iostream>
#include <string>
#include <vector>

#include "k8sjobs/cli/qdel_command.h"

int main(int argc, char** argv) {
  k8sjobs::sys::SystemClock clock;
  k8sjobs::cli::CommandIo io{std::vector<std::string>(argv + 1, argv + argc),
                             k8sjobs::sys::Environment::from_process(), clock, std::cout,
                             std::cerr};
  return k8sjobs::cli::run_qdel(io);
}
