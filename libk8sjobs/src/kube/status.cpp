#include "k8sjobs/kube/status.h"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <utility>

namespace k8sjobs::kube {

StatusReason reason_from_text(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, StatusReason>, 18> kReasons{{
      {"BadRequest", StatusReason::BadRequest},
      {"Unauthorized", StatusReason::Unauthorized},
      {"Forbidden", StatusReason::Forbidden},
      {"NotFound", StatusReason::NotFound},
      {"AlreadyExists", StatusReason::AlreadyExists},
      {"Conflict", StatusReason::Conflict},
      {"Expired", StatusReason::Gone},
      {"Gone", StatusReason::Gone},
      {"Invalid", StatusReason::Invalid},
      {"MethodNotAllowed", StatusReason::MethodNotAllowed},
      {"UnsupportedMediaType", StatusReason::UnsupportedMediaType},
      {"TooManyRequests", StatusReason::TooManyRequests},
      {"InternalError", StatusReason::InternalError},
      {"ServerTimeout", StatusReason::ServerTimeout},
      {"Timeout", StatusReason::Timeout},
      {"ServiceUnavailable", StatusReason::ServiceUnavailable},
      {"RequestEntityTooLarge", StatusReason::RequestEntityTooLarge},
      {"NotAcceptable", StatusReason::NotAcceptable},
  }};
  for (const auto& [name, reason] : kReasons) {
    if (name == text) return reason;
  }
  return StatusReason::Unknown;
}

StatusReason reason_from_http_code(int code) {
  switch (code) {
    case 400:
      return StatusReason::BadRequest;
    case 401:
      return StatusReason::Unauthorized;
    case 403:
      return StatusReason::Forbidden;
    case 404:
      return StatusReason::NotFound;
    case 405:
      return StatusReason::MethodNotAllowed;
    case 406:
      return StatusReason::NotAcceptable;
    case 409:
      return StatusReason::Conflict;
    case 410:
      return StatusReason::Gone;
    case 413:
      return StatusReason::RequestEntityTooLarge;
    case 415:
      return StatusReason::UnsupportedMediaType;
    case 422:
      return StatusReason::Invalid;
    case 429:
      return StatusReason::TooManyRequests;
    case 500:
      return StatusReason::InternalError;
    case 503:
      return StatusReason::ServiceUnavailable;
    case 504:
      return StatusReason::Timeout;
    default:
      return StatusReason::Unknown;
  }
}

namespace {

std::string string_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::optional<int> parse_seconds(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

ApiStatus status_from_response(const HttpResponse& response) {
  ApiStatus status;
  status.code = response.status;
  status.reason = reason_from_http_code(response.status);

  auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && string_field(body, "kind") == "Status") {
    status.reason_text = string_field(body, "reason");
    status.message = string_field(body, "message");
    if (!status.reason_text.empty()) {
      StatusReason typed = reason_from_text(status.reason_text);
      if (typed != StatusReason::Unknown) status.reason = typed;
    }
    if (auto code = body.find("code"); code != body.end() && code->is_number_integer()) {
      status.code = code->get<int>();
    }
    if (auto details = body.find("details"); details != body.end() && details->is_object()) {
      status.details_name = string_field(*details, "name");
      status.details_kind = string_field(*details, "kind");
      status.details_group = string_field(*details, "group");
      if (auto retry = details->find("retryAfterSeconds");
          retry != details->end() && retry->is_number_integer()) {
        status.retry_after_seconds = retry->get<int>();
      }
      if (auto causes = details->find("causes"); causes != details->end() && causes->is_array()) {
        for (const auto& cause : *causes) {
          if (!cause.is_object()) continue;
          status.causes.push_back(StatusCause{string_field(cause, "reason"),
                                              string_field(cause, "message"),
                                              string_field(cause, "field")});
        }
      }
    }
  } else if (!response.body.empty() && response.body.size() < 512) {
    // Not a Status (a proxy in the way, a plain-text error): keep its first line for the user.
    status.message = response.body.substr(0, response.body.find('\n'));
  }
  if (auto header = response.header("retry-after")) {
    if (auto seconds = parse_seconds(*header)) status.retry_after_seconds = seconds;
  }
  if (status.reason_text.empty()) status.reason_text = std::string(to_string(status.reason));
  return status;
}

}  // namespace k8sjobs::kube
