#pragma once
// Errors from talking to a Kubernetes API server, as values.
// Transport failures (the request may never have reached the server) are kept apart from
// Kubernetes `Status` answers (the server understood and refused), because callers act on
// them differently: retries, Grid Engine exit codes, messages.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "k8sjobs/expected.h"

namespace k8sjobs::kube {

enum class TransportFailure {
  ConnectionRefused,  // nothing listens, or the connection was reset before any answer
  HostNotFound,       // DNS
  Tls,                // handshake, certificate or key problem
  Timeout,            // connect or transfer took too long
  ConnectionLost,     // the connection broke while the answer was on its way
  Other,
};

struct TransportError {
  TransportFailure failure = TransportFailure::Other;
  std::string message;  // never contains credentials
  // False when the request certainly never reached the server (refused, DNS, TLS handshake):
  // only then may a non-idempotent request be sent again blindly.
  bool request_may_have_been_processed = false;
};

// The `reason` of a Kubernetes metav1.Status, typed.
enum class StatusReason {
  Unknown,
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  AlreadyExists,
  Conflict,
  Gone,  // "Expired" (410): resourceVersion or continue token too old
  Invalid,
  MethodNotAllowed,
  UnsupportedMediaType,
  TooManyRequests,
  InternalError,
  ServerTimeout,
  Timeout,
  ServiceUnavailable,
  RequestEntityTooLarge,
  NotAcceptable,
};

std::string_view to_string(StatusReason reason);

struct StatusCause {
  std::string reason;  // e.g. FieldValueInvalid
  std::string message;
  std::string field;  // e.g. metadata.name
};

// A Kubernetes `Status` failure (HTTP status >= 400 with or without a Status body).
struct ApiStatus {
  int code = 0;  // HTTP status
  StatusReason reason = StatusReason::Unknown;
  std::string reason_text;  // the reason as the server wrote it ("" if none)
  std::string message;
  std::string details_name;
  std::string details_kind;
  std::string details_group;
  std::vector<StatusCause> causes;
  std::optional<int> retry_after_seconds;  // from Retry-After or details.retryAfterSeconds
};

// The client's own configuration problems: unreadable kubeconfig, missing context, failed
// exec plugin, no way to reach any cluster.
struct ConfigError {
  std::string message;
};

class Error {
 public:
  Error(TransportError e) : value_(std::move(e)) {}  // NOLINT
  Error(ApiStatus e) : value_(std::move(e)) {}       // NOLINT
  Error(ConfigError e) : value_(std::move(e)) {}     // NOLINT

  const TransportError* transport() const { return std::get_if<TransportError>(&value_); }
  const ApiStatus* status() const { return std::get_if<ApiStatus>(&value_); }
  const ConfigError* config() const { return std::get_if<ConfigError>(&value_); }

  bool is(StatusReason reason) const { return status() != nullptr && status()->reason == reason; }

  // One line for a human: what failed and why. Contains no secrets.
  std::string describe() const;

 private:
  std::variant<TransportError, ApiStatus, ConfigError> value_;
};

inline Error config_error(std::string message) {
  return ConfigError{std::move(message)};
}

template <class T>
using Result = Expected<T, Error>;

}  // namespace k8sjobs::kube
