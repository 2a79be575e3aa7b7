// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/start_gate.h"

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/text/rfc3339.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

StartGate read_start_gate(const nlohmann::json& object) {
  StartGate gate;
  const auto& annotations =
      untrusted::object_member(untrusted::object_member(object, "metadata"), "annotations");
  gate.user_hold = untrusted::member(annotations, translate::kHoldAnnotation) != nullptr;
  const nlohmann::json* start = untrusted::member(annotations, translate::kStartAfterAnnotation);
  if (start == nullptr) return gate;
  const std::string where = std::string("annotation ") + translate::kStartAfterAnnotation;
  if (!start->is_string()) {
    gate.unreadable = where + " is not a string";
    return gate;
  }
  const auto& text = start->get_ref<const std::string&>();
  gate.start_after = text::parse_rfc3339(text);
  if (!gate.start_after) {
    gate.unreadable = where + " " + untrusted::quoted(text) + " is not an RFC 3339 time";
  }
  return gate;
}

}  // namespace k8sjobs::jobs
