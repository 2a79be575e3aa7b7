#pragma once
// What a command's run function gets from main(): its words, the environment, the clock and
// the standard streams. Library code never touches std::cin, std::cout, getenv or exit().

#include <iosfwd>
#include <string>
#include <vector>

#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::cli {

struct CommandIo {
  std::vector<std::string> args;  // argv without argv[0]
  sys::Environment environment;
  sys::Clock& clock;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

}  // namespace k8sjobs::cli
