#pragma once
// What a command's run function gets from main(): its words, the environment, the clock and
// the two output streams. Library code never touches std::cout, getenv or exit().

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
  std::ostream& out;
  std::ostream& err;
};

}  // namespace k8sjobs::cli
