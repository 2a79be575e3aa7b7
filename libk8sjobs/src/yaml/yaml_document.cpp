#include <yaml.h>

#include <cstring>

#include "k8sjobs/yaml/document.h"

namespace k8sjobs::yaml {

struct Node::Element {
  enum class Kind { Scalar, Sequence, Map } kind = Kind::Scalar;
  std::string value;  // scalars
  bool null = false;  // a plain scalar YAML reads as null
  Mark mark;
  std::vector<const Element*> children;  // sequence items; map keys and values, alternating
};

struct Document::Storage {
  std::vector<Node::Element> elements;  // never resized once built: children point into it
  const Node::Element* root = nullptr;
};

namespace {

using Element = Node::Element;

bool is_plain_null(const yaml_node_t& node) {
  if (node.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
  std::string_view text(reinterpret_cast<const char*>(node.data.scalar.value),
                        node.data.scalar.length);
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

Mark mark_of(const yaml_mark_t& mark) {
  return Mark{static_cast<int>(mark.line), static_cast<int>(mark.column)};
}

// Owns libyaml's parser and document for the length of one parse.
struct LibyamlDocument {
  yaml_parser_t parser{};
  yaml_document_t document{};
  bool parser_ready = false;
  bool document_ready = false;
  ~LibyamlDocument() {
    if (document_ready) yaml_document_delete(&document);
    if (parser_ready) yaml_parser_delete(&parser);
  }
};

std::string describe_problem(const yaml_parser_t& parser) {
  std::string problem = parser.problem != nullptr ? parser.problem : "not valid YAML";
  if (parser.context != nullptr) problem = std::string(parser.context) + ": " + problem;
  return problem;
}

}  // namespace

Document::Document() : storage_(std::make_unique<Storage>()) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Document Document::parse(std::string_view text) {
  LibyamlDocument parsed;
  if (yaml_parser_initialize(&parsed.parser) == 0) throw ParseError(Mark{}, "out of memory");
  parsed.parser_ready = true;
  yaml_parser_set_input_string(&parsed.parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  if (yaml_parser_load(&parsed.parser, &parsed.document) == 0) {
    throw ParseError(mark_of(parsed.parser.problem_mark), describe_problem(parsed.parser));
  }
  parsed.document_ready = true;

  Document result;
  const yaml_node_t* first = parsed.document.nodes.start;
  const auto count = static_cast<std::size_t>(parsed.document.nodes.top - first);
  auto& elements = result.storage_->elements;
  elements.resize(count);
  // libyaml numbers nodes from 1; an alias is the number of its anchor's node.
  auto element_for = [&](int id) -> const Element* {
    if (id < 1 || static_cast<std::size_t>(id) > count) return nullptr;
    return &elements[static_cast<std::size_t>(id - 1)];
  };
  for (std::size_t i = 0; i < count; ++i) {
    const yaml_node_t& node = first[i];
    Element& element = elements[i];
    element.mark = mark_of(node.start_mark);
    switch (node.type) {
      case YAML_SCALAR_NODE:
        element.kind = Element::Kind::Scalar;
        element.value.assign(reinterpret_cast<const char*>(node.data.scalar.value),
                             node.data.scalar.length);
        element.null = is_plain_null(node);
        break;
      case YAML_SEQUENCE_NODE:
        element.kind = Element::Kind::Sequence;
        for (const yaml_node_item_t* item = node.data.sequence.items.start;
             item < node.data.sequence.items.top; ++item) {
          if (const Element* child = element_for(*item)) element.children.push_back(child);
        }
        break;
      case YAML_MAPPING_NODE:
        element.kind = Element::Kind::Map;
        for (const yaml_node_pair_t* pair = node.data.mapping.pairs.start;
             pair < node.data.mapping.pairs.top; ++pair) {
          const Element* key = element_for(pair->key);
          const Element* value = element_for(pair->value);
          if (key == nullptr || value == nullptr) continue;
          element.children.push_back(key);
          element.children.push_back(value);
        }
        break;
      default:  // YAML_NO_NODE: libyaml does not produce it in a loaded document
        element.null = true;
        break;
    }
  }
  // An empty text loads as a document without nodes: no root.
  if (count > 0) result.storage_->root = &elements[0];
  return result;
}

Node Document::root() const {
  return Node(storage_->root);
}

bool Node::is_null() const {
  return element_ != nullptr && element_->kind == Element::Kind::Scalar && element_->null;
}

bool Node::is_scalar() const {
  return element_ != nullptr && element_->kind == Element::Kind::Scalar && !element_->null;
}

bool Node::is_sequence() const {
  return element_ != nullptr && element_->kind == Element::Kind::Sequence;
}

bool Node::is_map() const {
  return element_ != nullptr && element_->kind == Element::Kind::Map;
}

const std::string& Node::scalar() const {
  static const std::string kEmpty;
  return element_ != nullptr && element_->kind == Element::Kind::Scalar ? element_->value : kEmpty;
}

Mark Node::mark() const {
  return element_ != nullptr ? element_->mark : Mark{};
}

Node Node::operator[](std::string_view key) const {
  if (!is_map()) return Node();
  const auto& children = element_->children;
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
    const Element* k = children[i];
    if (k->kind == Element::Kind::Scalar && k->value == key) return Node(children[i + 1]);
  }
  return Node();
}

std::vector<Node> Node::items() const {
  std::vector<Node> items;
  if (!is_sequence()) return items;
  items.reserve(element_->children.size());
  for (const Element* child : element_->children) items.push_back(Node(child));
  return items;
}

std::vector<std::pair<Node, Node>> Node::entries() const {
  std::vector<std::pair<Node, Node>> entries;
  if (!is_map()) return entries;
  const auto& children = element_->children;
  entries.reserve(children.size() / 2);
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
    entries.emplace_back(Node(children[i]), Node(children[i + 1]));
  }
  return entries;
}

std::optional<bool> to_bool(const Node& node) {
  if (!node.is_scalar()) return std::nullopt;
  const std::string& text = node.scalar();
  if (text.empty()) return std::nullopt;
  // lower, UPPER or Capitalised only, as YAML 1.1 lists them.
  std::string lower;
  bool all_lower = true;
  bool all_upper = true;
  bool rest_lower = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool is_upper = c >= 'A' && c <= 'Z';
    bool is_lower = c >= 'a' && c <= 'z';
    if (!is_upper && !is_lower) return std::nullopt;
    all_lower = all_lower && is_lower;
    all_upper = all_upper && is_upper;
    if (i > 0) rest_lower = rest_lower && is_lower;
    lower += is_upper ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (!all_lower && !all_upper && !rest_lower) return std::nullopt;
  static constexpr std::pair<const char*, const char*> kNames[] = {
      {"y", "n"}, {"yes", "no"}, {"true", "false"}, {"on", "off"}};
  for (const auto& [yes, no] : kNames) {
    if (lower == yes) return true;
    if (lower == no) return false;
  }
  return std::nullopt;
}

}  // namespace k8sjobs::yaml
