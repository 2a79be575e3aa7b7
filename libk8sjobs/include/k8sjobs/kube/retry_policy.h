#pragma once
// When and how long to wait before sending a request again. Pure: the random source and the
// elapsed time are passed in, so tests can check every decision.

#include <chrono>
#include <cstdint>
#include <optional>

#include "k8sjobs/kube/error.h"

namespace k8sjobs::kube {

struct RetryPolicy {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds deadline{60000};  // total time across all attempts
  double jitter = 0.5;  // each wait is backoff * [1 - jitter, 1 + jitter), capped by max_backoff
};

// What kind of request failed, because only some may be sent twice.
enum class RequestSafety {
  Idempotent,     // GET, LIST, DELETE, PUT/PATCH; also a create with a fixed name, whose
                  // retry recognises its own object on AlreadyExists (KubeClient::create)
  NotIdempotent,  // a create with generateName: retried only when it cannot have been applied
};

// The wait before the next attempt, or nullopt to give up. `attempt` is the number of attempts
// made so far (1 after the first failure); `random_unit` is uniform in [0, 1).
std::optional<std::chrono::milliseconds> next_retry_delay(const RetryPolicy& policy,
                                                          const Error& error, RequestSafety safety,
                                                          int attempt,
                                                          std::chrono::milliseconds elapsed,
                                                          double random_unit);

// True for answers worth another try at all (429, 5xx, connection failures).
bool is_retryable(const Error& error, RequestSafety safety);

}  // namespace k8sjobs::kube
