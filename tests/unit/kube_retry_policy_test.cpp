#include "k8sjobs/kube/retry_policy.h"

#include <gtest/gtest.h>

namespace k8sjobs::kube {
namespace {

using std::chrono::milliseconds;

Error status_error(int code, StatusReason reason, std::optional<int> retry_after = std::nullopt) {
  ApiStatus status;
  status.code = code;
  status.reason = reason;
  status.retry_after_seconds = retry_after;
  return status;
}

Error transport_error(TransportFailure failure, bool processed) {
  return TransportError{failure, "x", processed};
}

TEST(RetryPolicy, BacksOffExponentiallyUpToTheCap) {
  RetryPolicy policy;
  policy.max_attempts = 10;
  policy.jitter = 0.0;
  Error error = status_error(503, StatusReason::ServiceUnavailable);
  EXPECT_EQ(next_retry_delay(policy, error, RequestSafety::Idempotent, 1, milliseconds(0), 0.5),
            milliseconds(200));
  EXPECT_EQ(next_retry_delay(policy, error, RequestSafety::Idempotent, 2, milliseconds(0), 0.5),
            milliseconds(400));
  EXPECT_EQ(next_retry_delay(policy, error, RequestSafety::Idempotent, 3, milliseconds(0), 0.5),
            milliseconds(800));
  EXPECT_EQ(next_retry_delay(policy, error, RequestSafety::Idempotent, 9, milliseconds(0), 0.5),
            milliseconds(5000));
}

TEST(RetryPolicy, JitterSpreadsTheWait) {
  RetryPolicy policy;
  Error error = status_error(500, StatusReason::InternalError);
  EXPECT_EQ(next_retry_delay(policy, error, RequestSafety::Idempotent, 1, milliseconds(0), 0.0),
            milliseconds(100));
  EXPECT_EQ(next_retry_delay(policy, error, RequestSafety::Idempotent, 1, milliseconds(0), 0.999),
            milliseconds(299));
}

TEST(RetryPolicy, HonoursRetryAfterAndTheDeadline) {
  RetryPolicy policy;
  policy.jitter = 0.0;
  Error throttled = status_error(429, StatusReason::TooManyRequests, 2);
  EXPECT_EQ(
      next_retry_delay(policy, throttled, RequestSafety::NotIdempotent, 1, milliseconds(0), 0.5),
      milliseconds(2000));
  EXPECT_EQ(
      next_retry_delay(policy, throttled, RequestSafety::Idempotent, 1, milliseconds(59000), 0.5),
      std::nullopt);
}

TEST(RetryPolicy, GivesUpAfterMaxAttempts) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  Error error = status_error(503, StatusReason::ServiceUnavailable);
  EXPECT_TRUE(next_retry_delay(policy, error, RequestSafety::Idempotent, 2, milliseconds(0), 0.5));
  EXPECT_FALSE(next_retry_delay(policy, error, RequestSafety::Idempotent, 3, milliseconds(0), 0.5));
}

TEST(RetryPolicy, NeverRetriesClientErrors) {
  for (auto reason :
       {StatusReason::NotFound, StatusReason::AlreadyExists, StatusReason::Invalid,
        StatusReason::Forbidden, StatusReason::Conflict, StatusReason::Unauthorized}) {
    EXPECT_FALSE(is_retryable(status_error(400, reason), RequestSafety::Idempotent))
        << to_string(reason);
  }
  EXPECT_FALSE(is_retryable(ConfigError{"no kubeconfig"}, RequestSafety::Idempotent));
}

TEST(RetryPolicy, ACreateIsRepeatedOnlyWhenItCannotHaveBeenApplied) {
  EXPECT_TRUE(is_retryable(transport_error(TransportFailure::ConnectionRefused, false),
                           RequestSafety::NotIdempotent));
  EXPECT_FALSE(is_retryable(transport_error(TransportFailure::ConnectionLost, true),
                            RequestSafety::NotIdempotent));
  EXPECT_TRUE(is_retryable(transport_error(TransportFailure::ConnectionLost, true),
                           RequestSafety::Idempotent));
  EXPECT_FALSE(
      is_retryable(status_error(500, StatusReason::InternalError), RequestSafety::NotIdempotent));
  EXPECT_TRUE(
      is_retryable(status_error(429, StatusReason::TooManyRequests), RequestSafety::NotIdempotent));
  EXPECT_FALSE(
      is_retryable(transport_error(TransportFailure::Tls, false), RequestSafety::Idempotent));
}

}  // namespace
}  // namespace k8sjobs::kube
