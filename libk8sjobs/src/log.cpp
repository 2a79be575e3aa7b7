#include "k8sjobs/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <regex>

namespace k8sjobs {

LogLevel log_level_from(const sys::Environment& environment, int verbosity) {
  LogLevel level = LogLevel::Warning;
  if (auto text = environment.get("K8SJOBS_LOG")) {
    std::string lower = *text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "debug" || lower == "trace") level = LogLevel::Debug;
    if (lower == "info") level = LogLevel::Info;
    if (lower == "error") level = LogLevel::Error;
    if (lower == "off") level = LogLevel::Off;
  }
  for (int i = 0; i < verbosity && level != LogLevel::Debug; ++i) {
    level = level == LogLevel::Off ? LogLevel::Error
                                   : static_cast<LogLevel>(static_cast<int>(level) - 1);
  }
  return level;
}

std::string redact_secrets(std::string_view text) {
  // Compiled once per process; const after construction, so safe to share.
  static const std::regex kBearer(R"((Bearer|bearer)\s+[^\s"',;]+)");
  static const std::regex kPrivateKey(
      R"(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)");
  static const std::regex kSecretField(
      R"re(("?(?:token|password|client-key-data|clientKeyData|access_token|id-token|refresh-token)"?\s*[:=]\s*)"?[^\s",}]+"?)re",
      std::regex::icase);
  std::string out(text);
  out = std::regex_replace(out, kBearer, "$1 [redacted]");
  out = std::regex_replace(out, kPrivateKey, "[redacted private key]");
  out = std::regex_replace(out, kSecretField, "$1[redacted]");
  return out;
}

namespace {

// Redacts the formatted line, then hands it to the real sink.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    std::string clean =
        redact_secrets(std::string_view(message.payload.data(), message.payload.size()));
    spdlog::details::log_msg copy(message.time, message.source, message.logger_name, message.level,
                                  clean);
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }

 private:
  spdlog::sink_ptr inner_;
};

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return spdlog::level::debug;
    case LogLevel::Info:
      return spdlog::level::info;
    case LogLevel::Warning:
      return spdlog::level::warn;
    case LogLevel::Error:
      return spdlog::level::err;
    case LogLevel::Off:
      return spdlog::level::off;
  }
  return spdlog::level::warn;
}

}  // namespace

LoggingScope::LoggingScope(std::string_view program, LogLevel level, std::ostream* out)
    : previous_(spdlog::default_logger()) {
  spdlog::sink_ptr inner;
  if (out != nullptr) {
    inner = std::make_shared<spdlog::sinks::ostream_sink_mt>(*out, /*force_flush=*/true);
  } else {
    inner = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  inner->set_pattern(std::string(program) + ": %l: %v");
  auto logger = std::make_shared<spdlog::logger>(std::string(program),
                                                 std::make_shared<RedactingSink>(inner));
  logger->set_level(to_spdlog(level));
  spdlog::set_default_logger(std::move(logger));
}

LoggingScope::~LoggingScope() {
  spdlog::set_default_logger(std::move(previous_));
}

bool log_enabled(LogLevel level) {
  return spdlog::default_logger_raw()->should_log(to_spdlog(level));
}

void log_line(LogLevel level, std::string_view text) {
  spdlog::default_logger_raw()->log(to_spdlog(level),
                                    spdlog::string_view_t(text.data(), text.size()));
}

}  // namespace k8sjobs
