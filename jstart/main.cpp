// jstart: jsub -continuous (which implies -once), for programs that must stay up.
#include <iostream>
#include <string>

#include "k8sjobs/cli/jsub_command.h"
#include "k8sjobs/cli/process_exit.h"

int main(int argc, char** argv) {
  k8sjobs::sys::SystemClock clock;
  k8sjobs::cli::CommandIo io{std::vector<std::string>(argv + 1, argv + argc),
                             k8sjobs::sys::Environment::from_process(), clock, std::cout,
                             std::cerr};
  int code = k8sjobs::cli::run_jsub(k8sjobs::ge::Mode::Jstart, io);
  k8sjobs::cli::exit_without_teardown(code);
}
