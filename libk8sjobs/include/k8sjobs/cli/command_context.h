#pragma once
// What the inspection and control commands (qstat, qdel, qhold, qrls, job, jstop) need besides
// their words and streams: who runs them, the time zone to print in, and a way to reach the
// backend. main() gets the real one from make_command_context(); tests hand in a fake backend.

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "k8sjobs/cli/command_io.h"
#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/qstat/time_format.h"

namespace k8sjobs::cli {

using BackendResult = Expected<std::shared_ptr<jobs::JobBackend>, jobs::BackendError>;

struct CommandContext {
  std::string user;  // the caller (K8SJOBS_USER, else the login name)
  qstat::TimeZone zone;
  // Called once, after the options were read: --help and usage errors never touch the cluster.
  std::function<BackendResult()> open_backend;
};

// The real context: the caller from the environment, the process's time zone (TZ), and the
// backend the site configuration names.
CommandContext make_command_context(const CommandIo& io);

// The one place these commands turn a backend failure into text and an exit code:
// "<command>: <message>" on stderr; returns the error's exit code.
int report_backend_error(const std::string& command, const jobs::BackendError& error,
                         std::ostream& err);

}  // namespace k8sjobs::cli
