#include "k8sjobs/log.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

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
  configure_logging("jsub", LogLevel::Debug, &out);
  spdlog::debug("sending Authorization: Bearer topsecret-token to {}", "https://127.0.0.1");
  spdlog::default_logger()->flush();
  EXPECT_EQ(out.str(),
            "jsub: debug: sending Authorization: Bearer [redacted] to https://127.0.0.1\n");
  configure_logging("jsub", LogLevel::Off, &out);
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
