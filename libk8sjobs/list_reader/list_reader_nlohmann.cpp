// parse_list_body for programs that must start fast (see k8sjobs/kube/list_body_parser.h):
// linked as an object into jsub, jstart and qcronsub, so the library's simdjson reader, and
// libsimdjson with it, stay out of them.
#include "k8sjobs/kube/list_body_parser.h"

namespace k8sjobs::kube::detail {

std::optional<nlohmann::json> parse_list_body(std::string& body, const ItemFields& fields) {
  return parse_list_body_nlohmann(body, fields);
}

}  // namespace k8sjobs::kube::detail
