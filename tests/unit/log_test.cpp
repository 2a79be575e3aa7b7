#include "k8sjobs/log.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

namespace k8sjobs {
namespace {

TEST(RedactSecrets, MasksTokensKeysAndSecretFields) {
  EXPECT_EQ(redact_secrets("Authorization: Bearer abc.def-123"),
            "Authorization: Bearer [redacted]");
  EXPECT_EQ(redact_secrets(R"({"token":"s3cr3t","user":"alice"})"),
            R"({"token":[redacted],"user":"alice"})");
  EXPECT_EQ(redact_secrets("token: s3cr3t\nserver: x"), "token: [redacted]\nserver: x");
  std::string key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----";
  EXPECT_EQ(redact_secrets("key " + key + " end"), "key [redacted private key] end");
  EXPECT_EQ(redact_secrets("GET /apis/batch/v1/namespaces/x/jobs -> 200"),
            "GET /apis/batch/v1/namespaces/x/jobs -> 200");
}

TEST(Logging, EveryLineIsRedactedAndPrefixed) {
  std::ostringstream out;
  {
    LoggingScope logging("jsub", LogLevel::Debug, &out);
    log_debug("sending Authorization: Bearer topsecret-token to {}", "https://127.0.0.1");
  }
  EXPECT_EQ(out.str(),
            "jsub: debug: sending Authorization: Bearer [redacted] to https://127.0.0.1\n");
}

TEST(Logging, AScopeGivesTheLoggingBeforeItBack) {
  std::ostringstream outer_stream;
  LoggingScope outer("qstat", LogLevel::Warning, &outer_stream);
  {
    auto inner_stream = std::make_unique<std::ostringstream>();
    LoggingScope inner("jsub", LogLevel::Debug, inner_stream.get());
    log_warning("inside");
  }
  // The inner stream is gone: logging now must reach the outer one, not it.
  log_warning("after");
  EXPECT_EQ(outer_stream.str(), "qstat: warning: after\n");
}

TEST(Logging, LevelFromEnvironmentAndVerbosity) {
  EXPECT_EQ(log_level_from(sys::Environment(), 0), LogLevel::Warning);
  EXPECT_EQ(log_level_from(sys::Environment(), 1), LogLevel::Info);
  EXPECT_EQ(log_level_from(sys::Environment(), 5), LogLevel::Debug);
  EXPECT_EQ(log_level_from(
                sys::Environment(std::map<std::string, std::string>{{"K8SJOBS_LOG", "DEBUG"}}), 0),
            LogLevel::Debug);
  EXPECT_EQ(log_level_from(
                sys::Environment(std::map<std::string, std::string>{{"K8SJOBS_LOG", "off"}}), 0),
            LogLevel::Off);
}

}  // namespace
}  // namespace k8sjobs
