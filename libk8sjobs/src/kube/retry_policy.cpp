#include "k8sjobs/kube/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace k8sjobs::kube {

bool is_retryable(const Error& error, RequestSafety safety) {
  if (const auto* transport = error.transport()) {
    if (safety == RequestSafety::Idempotent) return transport->failure != TransportFailure::Tls;
    // A create that may have reached the server is not sent blindly again; the caller's
    // AlreadyExists handling (see KubeClient::create) decides instead.
    return !transport->request_may_have_been_processed &&
           transport->failure != TransportFailure::Tls;
  }
  if (const auto* status = error.status()) {
    switch (status->reason) {
      case StatusReason::TooManyRequests:
        // The API server's priority and fairness rejects before doing anything: always safe.
        return true;
      case StatusReason::ServiceUnavailable:
        return true;  // 503 comes from the server before handling (or from a proxy in front)
      case StatusReason::InternalError:
      case StatusReason::ServerTimeout:
      case StatusReason::Timeout:
        return safety == RequestSafety::Idempotent;
      default:
        return status->code >= 500 && safety == RequestSafety::Idempotent;
    }
  }
  return false;  // configuration errors never get better by waiting
}

std::optional<std::chrono::milliseconds> next_retry_delay(const RetryPolicy& policy,
                                                          const Error& error, RequestSafety safety,
                                                          int attempt,
                                                          std::chrono::milliseconds elapsed,
                                                          double random_unit) {
  using std::chrono::milliseconds;
  if (attempt >= policy.max_attempts || !is_retryable(error, safety)) return std::nullopt;

  double base = static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, attempt - 1);
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  double factor = 1.0 - policy.jitter + 2.0 * policy.jitter * std::clamp(random_unit, 0.0, 1.0);
  auto delay = milliseconds(static_cast<milliseconds::rep>(base * factor));
  delay = std::min(delay, policy.max_backoff);

  if (const auto* status = error.status(); status != nullptr && status->retry_after_seconds) {
    // The server knows best how long it needs; never wait less than it asked.
    delay = std::max(
        delay, milliseconds(static_cast<milliseconds::rep>(*status->retry_after_seconds) * 1000));
  }
  if (elapsed + delay > policy.deadline) return std::nullopt;
  return delay;
}

}  // namespace k8sjobs::kube
