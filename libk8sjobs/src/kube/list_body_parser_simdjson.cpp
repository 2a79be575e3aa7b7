// A page of 500 Pods is several MB of JSON of which qstat reads a tenth. simdjson reads the
// text about ten times faster than nlohmann's parser; only the parts kept are then built as
// nlohmann values, which the rest of the library uses.
#include "k8sjobs/kube/list_body_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <cstddef>

namespace k8sjobs::kube::detail {
namespace {

using nlohmann::json;

// A key written twice keeps its last value (assignment, not emplace), as nlohmann's parser and
// Go's encoding/json do: the two readers must not differ on any text.
json convert(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      json object = json::object();
      simdjson::dom::object fields = element.get_object().value_unsafe();
      for (auto [key, value] : fields) object[std::string(key)] = convert(value);
      return object;
    }
    case simdjson::dom::element_type::ARRAY: {
      json array = json::array();
      simdjson::dom::array values = element.get_array().value_unsafe();
      for (auto value : values) array.push_back(convert(value));
      return array;
    }
    case simdjson::dom::element_type::STRING:
      return std::string(element.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
      return element.get_int64().value_unsafe();
    case simdjson::dom::element_type::UINT64:
      return element.get_uint64().value_unsafe();
    case simdjson::dom::element_type::DOUBLE:
      return element.get_double().value_unsafe();
    case simdjson::dom::element_type::BOOL:
      return element.get_bool().value_unsafe();
    case simdjson::dom::element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

// One item: metadata without managedFields, the fields named in `fields` cut down to their
// listed sub-fields, everything else whole.
json convert_item(simdjson::dom::element element, const ItemFields& fields) {
  if (element.type() != simdjson::dom::element_type::OBJECT) return convert(element);
  json item = json::object();
  simdjson::dom::object top = element.get_object().value_unsafe();
  for (auto [key, value] : top) {
    const std::vector<std::string>* kept = nullptr;
    for (const auto& [field, sub_fields] : fields.only) {
      if (field == key) kept = &sub_fields;
    }
    bool metadata = key == "metadata";
    if ((kept == nullptr && !metadata) || value.type() != simdjson::dom::element_type::OBJECT) {
      item[std::string(key)] = convert(value);
      continue;
    }
    json part = json::object();
    simdjson::dom::object sub_fields = value.get_object().value_unsafe();
    for (auto [sub_key, sub_value] : sub_fields) {
      if (metadata && sub_key == "managedFields") continue;
      if (kept != nullptr && std::find(kept->begin(), kept->end(), sub_key) == kept->end())
        continue;
      part[std::string(sub_key)] = convert(sub_value);
    }
    item[std::string(key)] = std::move(part);
  }
  return item;
}

// Texts up to this size reuse one parser per thread: its buffers (several times the text) stay
// allocated and touched, so the next page or batch (ListBodyReader) costs no fresh pages. A
// larger text gets a parser of its own, freed once it is read.
constexpr std::size_t kReusedParserLimit = std::size_t{256} << 10;

}  // namespace

std::optional<json> parse_list_body_simdjson(std::string& body, const ItemFields& fields) {
  thread_local simdjson::dom::parser reused;
  simdjson::dom::parser own;
  simdjson::dom::parser& parser = body.size() <= kReusedParserLimit ? reused : own;
  simdjson::dom::element root;
  // simdjson reads past the end: room for that in place, rather than a padded copy.
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  const auto error = parser.parse(body.data(), body.size(), false).get(root);
  if (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE ||
      error == simdjson::DEPTH_ERROR) {
    // JSON that simdjson does not read: integers beyond 64 bits (nlohmann's parser reads them
    // as doubles), nesting deeper than 1024. Kubernetes writes neither; should a page hold
    // one, the other reader reads it, so that both readers take the same texts.
    return parse_list_body_nlohmann(body, fields);
  }
  if (error != simdjson::SUCCESS) return std::nullopt;
  release_text(body);  // the parsed document does not point into the text

  if (root.type() != simdjson::dom::element_type::OBJECT) return convert(root);
  json list = json::object();
  simdjson::dom::object top = root.get_object().value_unsafe();
  for (auto [key, value] : top) {
    if (key == "items" && value.type() == simdjson::dom::element_type::ARRAY) {
      json items = json::array();
      simdjson::dom::array listed = value.get_array().value_unsafe();
      for (auto item : listed) items.push_back(convert_item(item, fields));
      list["items"] = std::move(items);
    } else {
      list[std::string(key)] = convert(value);
    }
  }
  return list;
}

}  // namespace k8sjobs::kube::detail
