#pragma once
// Runs a command's run function against a FakeBackend with captured streams: the command
// tests' fixture.

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "k8sjobs/cli/command_context.h"
#include "support/fake_backend.h"
#include "support/fake_clock.h"

namespace k8sjobs::testing {

struct CommandResult {
  std::string out;
  std::string err;
  int code = -1;
};

class CliTest : public ::testing::Test {
 protected:
  FakeBackend backend;
  std::string user = "alice";
  sys::Environment environment;
  int backend_opens = 0;
  std::optional<jobs::BackendError> open_error;  // open_backend fails with this when set

  cli::CommandContext context() {
    cli::CommandContext result{user, qstat::TimeZone::utc(), {}};
    result.open_backend = [this]() -> cli::BackendResult {
      ++backend_opens;
      if (open_error) return unexpected(*open_error);
      // Not owned: the fixture outlives the command.
      return std::shared_ptr<jobs::JobBackend>(&backend, [](jobs::JobBackend*) {});
    };
    return result;
  }

  template <class Run>
  CommandResult run(Run command, std::vector<std::string> args) {
    std::ostringstream out;
    std::ostringstream err;
    std::istringstream in;
    FakeClock clock;
    cli::CommandIo io{std::move(args), environment, clock, in, out, err};
    CommandResult result;
    result.code = command(io, context());
    result.out = out.str();
    result.err = err.str();
    return result;
  }
};

}  // namespace k8sjobs::testing
