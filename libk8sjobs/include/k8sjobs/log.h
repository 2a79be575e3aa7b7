#pragma once
// Diagnostics on stderr through spdlog, configured once by each command's main(). Every line
// passes through redact_secrets() first, so a token or key that reaches a log call by mistake
// is still never printed.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "k8sjobs/sys/environment.h"

namespace spdlog {
class logger;
}

namespace k8sjobs {

enum class LogLevel { Debug, Info, Warning, Error, Off };

// K8SJOBS_LOG=debug|info|warn|error|off; each -v on the command line lowers the level by one.
LogLevel log_level_from(const sys::Environment& environment, int verbosity);

// The logging of a scope (a command's run): while it lives, diagnostics go to `out` (stderr
// when null) at `level`, each line prefixed by `program` ("jsub: warning: ..."); when it ends,
// the logging before it is back. spdlog's default logger is the one process-wide setting: only
// these scopes change it, so a stream a scope names is never written after the scope.
class LoggingScope {
 public:
  LoggingScope(std::string_view program, LogLevel level, std::ostream* out = nullptr);
  ~LoggingScope();
  LoggingScope(const LoggingScope&) = delete;
  LoggingScope& operator=(const LoggingScope&) = delete;

 private:
  std::shared_ptr<spdlog::logger> previous_;
};

// Masks bearer tokens, Authorization headers, PEM private keys and token/password fields.
std::string redact_secrets(std::string_view text);

}  // namespace k8sjobs
