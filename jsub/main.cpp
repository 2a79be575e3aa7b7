// jsub and qcronsub: one program, like Toolforge's (qcronsub is jsub -once).
#include <iostream>
#include <string>

#include "k8sjobs/cli/jsub_command.h"
#include "k8sjobs/cli/process_exit.h"

int main(int argc, char** argv) {
  std::string invoked = argc > 0 ? argv[0] : "jsub";
  invoked = invoked.substr(invoked.find_last_of('/') + 1);
  auto mode = invoked == "qcronsub" ? k8sjobs::ge::Mode::Qcronsub : k8sjobs::ge::Mode::Jsub;
  k8sjobs::sys::SystemClock clock;
  k8sjobs::cli::CommandIo io{std::vector<std::string>(argv + 1, argv + argc),
                             k8sjobs::sys::Environment::from_process(), clock, std::cout,
                             std::cerr};
  int code = k8sjobs::cli::run_jsub(mode, io);
  k8sjobs::cli::exit_without_teardown(code);
}
