// The LIST reader on nlohmann's parser alone (see k8sjobs/kube/list_body_parser.h).
#include <algorithm>
#include <array>

#include "k8sjobs/kube/list_body_parser.h"

namespace k8sjobs::kube::detail {

using nlohmann::json;

// nlohmann's parser calls back at every key with its depth: 1 for the list's own keys
// ("items"), 3 for an item's top-level fields, 4 for their sub-fields; answering false skips
// the key's value. The depth alone does not say where a key is ("items" may hold arrays, or
// be an object), so the kind of the containers opened at depths 1 to 4 is kept too: only the
// fields of an object directly in the "items" array are filtered, as the simdjson reader does.
std::optional<json> parse_list_body_nlohmann(std::string& body, const ItemFields& fields) {
  std::string list_key;
  std::string item_key;
  const std::vector<std::string>* kept = nullptr;  // sub-fields kept of item_key, if limited
  std::array<json::parse_event_t, 5> opened{};     // [d]: how the container at depth d started
  auto keep = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
      // `depth` is that of the container holding the new one.
      if (depth + 1 < static_cast<int>(opened.size()))
        opened[static_cast<std::size_t>(depth) + 1] = event;
      return true;
    }
    if (event != json::parse_event_t::key) return true;
    const bool in_items = list_key == "items" && opened[2] == json::parse_event_t::array_start;
    if (depth == 1) {
      list_key = parsed.get<std::string>();
    } else if (depth == 3 && in_items) {
      item_key = parsed.get<std::string>();
      kept = nullptr;
      for (const auto& [field, sub_fields] : fields.only) {
        if (field == item_key) kept = &sub_fields;
      }
    } else if (depth == 4 && in_items && opened[3] == json::parse_event_t::object_start) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (item_key == "metadata" && key == "managedFields") return false;
      if (kept != nullptr && std::find(kept->begin(), kept->end(), key) == kept->end())
        return false;
    }
    return true;
  };
  // nlohmann's parser takes a NUL byte for the end of the input ("{}\0junk" would parse);
  // JSON text has none (control characters in strings are escaped), and simdjson refuses it.
  if (body.find('\0') != std::string::npos) return std::nullopt;
  json list = json::parse(body, keep, /*allow_exceptions=*/false);
  release_text(body);
  if (list.is_discarded()) return std::nullopt;
  return list;
}

}  // namespace k8sjobs::kube::detail
