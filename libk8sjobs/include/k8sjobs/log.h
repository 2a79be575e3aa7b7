#pragma once
// Diagnostics on stderr through spdlog, configured once by each command's main(). Every line
// passes through redact_secrets() first, so a token or key that reaches a log call by mistake
// is still never printed.

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "k8sjobs/sys/environment.h"

namespace k8sjobs {

enum class LogLevel { Debug, Info, Warning, Error, Off };

// K8SJOBS_LOG=debug|info|warn|error|off; each -v on the command line lowers the level by one.
LogLevel log_level_from(const sys::Environment& environment, int verbosity);

// `program` prefixes every line ("jsub: warning: ..."). `out` replaces stderr (tests).
void configure_logging(std::string_view program, LogLevel level, std::ostream* out = nullptr);

// Masks bearer tokens, Authorization headers, PEM private keys and token/password fields.
std::string redact_secrets(std::string_view text);

}  // namespace k8sjobs
