#pragma once
// Diagnostics on stderr through spdlog, configured once by each command's main(). Every line
// passes through redact_secrets() first, so a token or key that reaches a log call by mistake
// is still never printed.

#include <fmt/core.h>

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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

// Whether the current scope writes lines at `level`.
bool log_enabled(LogLevel level);

// Writes one line at `level` through the current scope (redacted, prefixed).
void log_line(LogLevel level, std::string_view text);

// The library's diagnostics: log_warning("job {}: {}", id, why). The text is formatted only when
// its level is written. spdlog itself is included by log.cpp alone: its headers cost seconds of
// compile time in every file that includes them.
template <typename... Args>
void log_at(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (log_enabled(level)) log_line(level, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void log_debug(fmt::format_string<Args...> format, Args&&... args) {
  log_at(LogLevel::Debug, format, std::forward<Args>(args)...);
}
template <typename... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) {
  log_at(LogLevel::Info, format, std::forward<Args>(args)...);
}
template <typename... Args>
void log_warning(fmt::format_string<Args...> format, Args&&... args) {
  log_at(LogLevel::Warning, format, std::forward<Args>(args)...);
}
template <typename... Args>
void log_error(fmt::format_string<Args...> format, Args&&... args) {
  log_at(LogLevel::Error, format, std::forward<Args>(args)...);
}

// Masks bearer tokens, Authorization headers, PEM private keys and token/password fields.
std::string redact_secrets(std::string_view text);

}  // namespace k8sjobs
