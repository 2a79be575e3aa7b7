#include "support/openapi_validator.h"

#include "k8sjobs/text/edit_distance.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <stdexcept>
#include <string_view>
#include "support/build_paths.h"

namespace k8sjobs::testing {

namespace {

using nlohmann::json;

constexpr std::string_view kQuantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
constexpr std::string_view kRefPrefix = "#/components/schemas/";

// One compiled schema. Named schemas (components.schemas) are shared; inline ones (a property
// of type string, an array's items) belong to their parent.
struct Node {
  std::string name;  // component name, "" when inline
  std::string type;  // "" = any type
  std::string format;
  bool has_properties = false;  // objects with properties reject unknown fields
  std::map<std::string, const Node*> properties;
  std::vector<std::string> required;
  const Node* additional = nullptr;  // map values
  const Node* items = nullptr;
  std::vector<const Node*> one_of;
  std::vector<json> enum_values;
};

using k8sjobs::text::edit_distance;

std::string describe_value(const json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  const char* kind = "object";
  switch (value.type()) {
    case json::value_t::string:
      kind = "string";
      break;
    case json::value_t::boolean:
      kind = "boolean";
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      kind = "integer";
      break;
    case json::value_t::number_float:
      kind = "number";
      break;
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      kind = "value";
  }
  return std::string(kind) + " " + text;
}

bool is_identifier(const std::string& key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string child_path(const std::string& path, const std::string& key) {
  if (!is_identifier(key)) return path + "[" + json(key).dump() + "]";
  return path.empty() ? key : path + "." + key;
}

std::string shown_path(const std::string& path) {
  return path.empty() ? "(root)" : path;
}

bool valid_date_time(const std::string& text) {
  static const std::regex pattern(
      R"(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))");
  return std::regex_match(text, pattern);
}

bool valid_quantity(const std::string& text) {
  static const std::regex pattern(
      R"([+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?)");
  return std::regex_match(text, pattern);
}

bool valid_base64(const std::string& text) {
  static const std::regex pattern(R"(([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)");
  return std::regex_match(text, pattern);
}

}  // namespace

struct OpenApiValidator::Registry {
  std::deque<Node> nodes;  // deque: pointers stay valid as nodes are added
  std::map<std::string, Node*> named;
  std::map<std::pair<std::string, std::string>, std::string> by_api_version_kind;

  const Node* compile(const json& schema, const std::string& where);
  void fill(Node& node, const json& schema, const std::string& where);
  void check(const json& value, const Node& node, const std::string& path,
             std::vector<std::string>& problems) const;
  bool matches(const json& value, const Node& node) const {
    std::vector<std::string> ignored;
    check(value, node, "", ignored);
    return ignored.empty();
  }
};

const Node* OpenApiValidator::Registry::compile(const json& schema, const std::string& where) {
  if (!schema.is_object()) throw std::runtime_error(where + ": schema is not an object");
  if (schema.contains("$ref")) {
    std::string ref = schema.at("$ref").get<std::string>();
    if (ref.rfind(kRefPrefix, 0) != 0)
      throw std::runtime_error(where + ": unsupported $ref " + ref);
    auto it = named.find(ref.substr(kRefPrefix.size()));
    if (it == named.end()) throw std::runtime_error(where + ": dangling $ref " + ref);
    return it->second;
  }
  // Kubernetes wraps every reference as allOf:[{$ref}] so it can add a description or
  // default beside it; that is an alias, not an intersection.
  if (schema.contains("allOf")) {
    const json& all_of = schema.at("allOf");
    if (all_of.size() != 1 || schema.contains("properties") || schema.contains("type")) {
      throw std::runtime_error(where + ": only allOf with a single member is supported");
    }
    return compile(all_of.at(0), where);
  }
  Node& node = nodes.emplace_back();
  fill(node, schema, where);
  return &node;
}

void OpenApiValidator::Registry::fill(Node& node, const json& schema, const std::string& where) {
  if (schema.contains("type")) node.type = schema.at("type").get<std::string>();
  if (schema.contains("format")) node.format = schema.at("format").get<std::string>();
  if (schema.contains("properties")) {
    node.has_properties = true;
    for (const auto& [key, property] : schema.at("properties").items()) {
      node.properties[key] = compile(property, where + "." + key);
    }
  }
  if (schema.contains("required")) {
    node.required = schema.at("required").get<std::vector<std::string>>();
  }
  if (schema.contains("additionalProperties") && schema.at("additionalProperties").is_object()) {
    node.additional = compile(schema.at("additionalProperties"), where + "[*]");
  }
  if (schema.contains("items")) node.items = compile(schema.at("items"), where + "[]");
  if (schema.contains("oneOf")) {
    for (const json& branch : schema.at("oneOf")) node.one_of.push_back(compile(branch, where));
  }
  if (schema.contains("enum")) {
    for (const json& value : schema.at("enum")) node.enum_values.push_back(value);
  }
}

void OpenApiValidator::Registry::check(const json& value, const Node& node, const std::string& path,
                                       std::vector<std::string>& problems) const {
  // Kubernetes decodes null as "unset" (recorded objects carry creationTimestamp: null).
  if (value.is_null()) return;
  const std::string at = shown_path(path);

  if (!node.one_of.empty()) {
    bool any = std::any_of(node.one_of.begin(), node.one_of.end(),
                           [&](const Node* branch) { return matches(value, *branch); });
    if (!any) {
      std::string expected;
      for (const Node* branch : node.one_of) {
        expected += (expected.empty() ? "" : " or ") + branch->type;
      }
      problems.push_back(at + ": expected " + expected + ", got " + describe_value(value));
      return;
    }
    if (node.name == kQuantity && value.is_string() && !valid_quantity(value.get<std::string>())) {
      problems.push_back(at + ": " + value.dump() + " is not a Kubernetes quantity");
    }
    return;
  }

  const std::string& type = node.type;
  bool type_ok = type.empty() || (type == "object" && value.is_object()) ||
                 (type == "array" && value.is_array()) || (type == "string" && value.is_string()) ||
                 (type == "boolean" && value.is_boolean()) ||
                 (type == "integer" && value.is_number_integer()) ||
                 (type == "number" && value.is_number());
  if (!type_ok) {
    std::string expected = type + (node.format.empty() ? "" : " (" + node.format + ")");
    problems.push_back(at + ": expected " + expected + ", got " + describe_value(value));
    return;
  }

  if (value.is_number_integer()) {
    bool in_range = true;
    if (node.format == "int32") {
      if (value.is_number_unsigned()) {
        in_range = value.get<std::uint64_t>() <=
                   static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());
      } else {
        auto number = value.get<std::int64_t>();
        in_range = number >= std::numeric_limits<std::int32_t>::min() &&
                   number <= std::numeric_limits<std::int32_t>::max();
      }
    } else if (node.format == "int64" && value.is_number_unsigned()) {
      in_range = value.get<std::uint64_t>() <=
                 static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    }
    if (!in_range)
      problems.push_back(at + ": " + value.dump() + " is out of range for " + node.format);
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (node.format == "date-time" && !valid_date_time(text)) {
      problems.push_back(at + ": " + value.dump() + " is not an RFC 3339 date-time");
    } else if (node.format == "byte" && !valid_base64(text)) {
      problems.push_back(at + ": " + value.dump() + " is not base64");
    }
  }
  if (!node.enum_values.empty() && std::find(node.enum_values.begin(), node.enum_values.end(),
                                             value) == node.enum_values.end()) {
    std::string allowed;
    for (const json& option : node.enum_values) {
      allowed += (allowed.empty() ? "" : ", ") + option.dump();
    }
    problems.push_back(at + ": " + value.dump() + " is not one of " + allowed);
  }

  if (value.is_array() && node.items != nullptr) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      check(value[i], *node.items, path + "[" + std::to_string(i) + "]", problems);
    }
  }
  if (!value.is_object()) return;
  const std::string owner = node.name.empty() ? "this object" : node.name;
  for (const auto& [key, member] : value.items()) {
    auto property = node.properties.find(key);
    if (property != node.properties.end()) {
      check(member, *property->second, child_path(path, key), problems);
    } else if (node.additional != nullptr) {
      check(member, *node.additional, child_path(path, key), problems);
    } else if (node.has_properties) {
      std::string message = child_path(path, key) + ": no such field in " + owner;
      std::string best;
      std::size_t best_distance = 3;
      for (const auto& [known, ignored] : node.properties) {
        std::size_t distance = edit_distance(key, known);
        if (distance < best_distance) {
          best_distance = distance;
          best = known;
        }
      }
      if (!best.empty()) message += " (did you mean \"" + best + "\"?)";
      problems.push_back(message);
    }
  }
  for (const std::string& key : node.required) {
    if (!value.contains(key) || value.at(key).is_null()) {
      problems.push_back(child_path(path, key) + ": required field missing in " + owner);
    }
  }
}

OpenApiValidator OpenApiValidator::from_documents(const std::vector<json>& documents,
                                                  const json& enum_overlay) {
  auto registry = std::make_shared<Registry>();
  // Declare every named schema first so references (even cyclic ones) resolve while compiling.
  // The same schema appears in each document (ObjectMeta in all three); the first one wins.
  std::vector<std::pair<Node*, const json*>> pending;
  for (const json& document : documents) {
    const json& schemas = document.at("components").at("schemas");
    for (const auto& [name, schema] : schemas.items()) {
      if (registry->named.count(name) != 0) continue;
      Node& node = registry->nodes.emplace_back();
      node.name = name;
      registry->named[name] = &node;
      pending.emplace_back(&node, &schema);
    }
  }
  for (auto& [node, schema] : pending) {
    registry->fill(*node, *schema, node->name);
    if (!schema->contains("x-kubernetes-group-version-kind")) continue;
    for (const json& gvk : schema->at("x-kubernetes-group-version-kind")) {
      std::string group = gvk.at("group").get<std::string>();
      std::string version = gvk.at("version").get<std::string>();
      std::string api_version = group.empty() ? version : group + "/" + version;
      registry->by_api_version_kind.emplace(
          std::make_pair(api_version, gvk.at("kind").get<std::string>()), node->name);
    }
  }
  if (enum_overlay.is_object()) {
    for (const auto& [schema_name, properties] : enum_overlay.items()) {
      if (schema_name.rfind('_', 0) == 0) continue;  // _comment
      auto it = registry->named.find(schema_name);
      if (it == registry->named.end()) {
        throw std::runtime_error("enum overlay: no schema " + schema_name);
      }
      for (const auto& [property, values] : properties.items()) {
        auto found = it->second->properties.find(property);
        if (found == it->second->properties.end() || !found->second->name.empty()) {
          throw std::runtime_error("enum overlay: " + schema_name + " has no inline property " +
                                   property);
        }
        // Inline property nodes belong to this property alone, so adding the enum is local.
        auto* target = const_cast<Node*>(found->second);  // NOLINT: still being built
        target->enum_values = values.get<std::vector<json>>();
      }
    }
  }
  return OpenApiValidator(std::move(registry));
}

OpenApiValidator OpenApiValidator::load_default() {
  // Parsing 3.4 MB of JSON takes a while; every test shares one immutable copy.
  static const std::shared_ptr<const Registry> shared = [] {
    const std::filesystem::path dir = std::filesystem::path(K8SJOBS_TEST_DATA_DIR) / "openapi";
    auto read = [&](const char* file) {
      std::ifstream in(dir / file);
      if (!in) throw std::runtime_error("cannot read " + (dir / file).string());
      return json::parse(in);
    };
    std::vector<json> documents = {read("api__v1_openapi.json"),
                                   read("apis__batch__v1_openapi.json"),
                                   read("apis__apps__v1_openapi.json")};
    return from_documents(documents, read("enums.json")).registry_;
  }();
  return OpenApiValidator(shared);
}

std::string OpenApiValidator::schema_for(const std::string& api_version,
                                         const std::string& kind) const {
  auto it = registry_->by_api_version_kind.find({api_version, kind});
  return it == registry_->by_api_version_kind.end() ? "" : it->second;
}

std::vector<std::string> OpenApiValidator::validate(const json& object) const {
  if (!object.is_object())
    return {"(root): expected a Kubernetes object, got " + describe_value(object)};
  auto api_version = object.value("apiVersion", std::string());
  auto kind = object.value("kind", std::string());
  if (api_version.empty() || kind.empty()) return {"(root): apiVersion and kind are required"};
  std::string name = schema_for(api_version, kind);
  if (name.empty()) return {"(root): no schema for apiVersion " + api_version + ", kind " + kind};
  return validate_as(object, name);
}

std::vector<std::string> OpenApiValidator::validate_as(const json& value,
                                                       const std::string& schema_name) const {
  auto it = registry_->named.find(schema_name);
  if (it == registry_->named.end()) return {"(root): no schema named " + schema_name};
  std::vector<std::string> problems;
  registry_->check(value, *it->second, "", problems);
  return problems;
}

}  // namespace k8sjobs::testing
