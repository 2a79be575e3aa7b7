#include "k8sjobs/kube/error.h"

namespace k8sjobs::kube {

std::string_view to_string(StatusReason reason) {
  switch (reason) {
    case StatusReason::Unknown:
      return "Unknown";
    case StatusReason::BadRequest:
      return "BadRequest";
    case StatusReason::Unauthorized:
      return "Unauthorized";
    case StatusReason::Forbidden:
      return "Forbidden";
    case StatusReason::NotFound:
      return "NotFound";
    case StatusReason::AlreadyExists:
      return "AlreadyExists";
    case StatusReason::Conflict:
      return "Conflict";
    case StatusReason::Gone:
      return "Expired";
    case StatusReason::Invalid:
      return "Invalid";
    case StatusReason::MethodNotAllowed:
      return "MethodNotAllowed";
    case StatusReason::UnsupportedMediaType:
      return "UnsupportedMediaType";
    case StatusReason::TooManyRequests:
      return "TooManyRequests";
    case StatusReason::InternalError:
      return "InternalError";
    case StatusReason::ServerTimeout:
      return "ServerTimeout";
    case StatusReason::Timeout:
      return "Timeout";
    case StatusReason::ServiceUnavailable:
      return "ServiceUnavailable";
    case StatusReason::RequestEntityTooLarge:
      return "RequestEntityTooLarge";
    case StatusReason::NotAcceptable:
      return "NotAcceptable";
  }
  return "Unknown";
}

namespace {

std::string_view describe_failure(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::ConnectionRefused:
      return "connection refused";
    case TransportFailure::HostNotFound:
      return "host not found";
    case TransportFailure::Tls:
      return "TLS error";
    case TransportFailure::Timeout:
      return "timed out";
    case TransportFailure::ConnectionLost:
      return "connection lost";
    case TransportFailure::Other:
      return "transport error";
  }
  return "transport error";
}

}  // namespace

std::string Error::describe() const {
  if (const auto* t = transport()) {
    std::string text = "cannot reach the Kubernetes API server: ";
    text += describe_failure(t->failure);
    if (!t->message.empty()) text += " (" + t->message + ")";
    return text;
  }
  if (const auto* s = status()) {
    if (!s->message.empty()) return s->message;
    std::string text = "the Kubernetes API server answered HTTP " + std::to_string(s->code);
    if (!s->reason_text.empty()) text += " " + s->reason_text;
    return text;
  }
  return config()->message;
}

}  // namespace k8sjobs::kube
