#pragma once
// `--version` of every command: the k8sjobs version, the git commit it was built from, and the
// backend and site configuration this invocation would use (so an admin can see at once which
// file a user's commands read).

#include <iosfwd>
#include <string>

#include "k8sjobs/sys/environment.h"

namespace k8sjobs::cli {

// Prints the version lines on `out`; a site configuration that cannot be read is reported on
// `err` after them. Returns the exit code: 0, or 1 when the site configuration is broken.
int print_version(const std::string& command, const sys::Environment& environment,
                  std::ostream& out, std::ostream& err);

}  // namespace k8sjobs::cli
