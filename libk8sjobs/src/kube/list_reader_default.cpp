// The LIST reader a program gets unless it links k8sjobs_list_reader_nlohmann (see
// k8sjobs/kube/list_body_parser.h). This file must define nothing else: the linker leaves it
// out of a program that defines parse_list_body itself.
#include "k8sjobs/kube/list_body_parser.h"

namespace k8sjobs::kube::detail {

std::optional<nlohmann::json> parse_list_body(std::string& body, const ItemFields& fields) {
  return parse_list_body_simdjson(body, fields);
}

}  // namespace k8sjobs::kube::detail
