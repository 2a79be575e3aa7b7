// The LIST reader on nlohmann's parser alone (see k8sjobs/kube/list_body_parser.h).
#include <algorithm>

#include "k8sjobs/kube/list_body_parser.h"

namespace k8sjobs::kube::detail {

using nlohmann::json;

// nlohmann's parser calls back at every key with its depth: 1 for the list's own keys
// ("items"), 3 for an item's top-level fields, 4 for their sub-fields; answering false skips
// the key's value.
std::optional<json> parse_list_body_nlohmann(std::string& body, const ItemFields& fields) {
  std::string list_key;
  std::string item_key;
  const std::vector<std::string>* kept = nullptr;  // sub-fields kept of item_key, if limited
  auto keep = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event != json::parse_event_t::key) return true;
    if (depth == 1) {
      list_key = parsed.get<std::string>();
    } else if (depth == 3 && list_key == "items") {
      item_key = parsed.get<std::string>();
      kept = nullptr;
      for (const auto& [field, sub_fields] : fields.only) {
        if (field == item_key) kept = &sub_fields;
      }
    } else if (depth == 4 && list_key == "items") {
      const auto& key = parsed.get_ref<const std::string&>();
      if (item_key == "metadata" && key == "managedFields") return false;
      if (kept != nullptr && std::find(kept->begin(), kept->end(), key) == kept->end())
        return false;
    }
    return true;
  };
  json list = json::parse(body, keep, /*allow_exceptions=*/false);
  std::string().swap(body);
  if (list.is_discarded()) return std::nullopt;
  return list;
}

}  // namespace k8sjobs::kube::detail
