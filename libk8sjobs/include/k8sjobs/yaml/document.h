#pragma once
// The YAML files the commands read at start-up (the site configuration, kubeconfigs) as a tree
// to walk. libyaml's C parser builds it (yaml_document.cpp): every submission reads these
// files, and a kubeconfig with embedded certificates is several kilobytes of base64, which
// yaml-cpp took about 0.1 ms per kilobyte to scan (libyaml: under 0.01). <yaml.h> stays in the
// .cpp; YAML output (--dry-run) is written with yaml-cpp (translate/yaml_output.h).

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace k8sjobs::yaml {

// Where a node starts; 0-based, like libyaml's and yaml-cpp's marks. line < 0: no position.
struct Mark {
  int line = -1;
  int column = -1;
  bool is_null() const { return line < 0; }
};

// Not YAML, or more than this reader takes (see Document::parse).
struct ParseError : std::runtime_error {
  ParseError(Mark where, const std::string& problem) : std::runtime_error(problem), mark(where) {}
  Mark mark;
};

// A node of a Document, or "undefined" (a key that is not there). Cheap to copy; valid while
// its Document lives.
class Node {
 public:
  struct Element;  // defined in yaml_document.cpp
  Node() = default;

  explicit operator bool() const { return element_ != nullptr; }  // defined
  // A plain ~, null, Null, NULL or nothing at all ("key:"); a quoted "null" is a string.
  bool is_null() const;
  bool is_scalar() const;  // a scalar that is not null
  bool is_sequence() const;
  bool is_map() const;
  const std::string& scalar() const;  // "" unless a scalar
  Mark mark() const;

  // The value of a map's first entry whose key is the scalar `key`; undefined otherwise.
  Node operator[](std::string_view key) const;
  // A sequence's items; empty unless a sequence.
  std::vector<Node> items() const;
  // A map's entries in file order; empty unless a map.
  std::vector<std::pair<Node, Node>> entries() const;

 private:
  friend class Document;
  explicit Node(const Element* element) : element_(element) {}

  const Element* element_ = nullptr;
};

class Document {
 public:
  // Parses the first document of `text`; throws ParseError with libyaml's problem and mark.
  // Aliases refer to their anchor's node (nothing is copied, so alias bombs cost nothing).
  static Document parse(std::string_view text);

  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  Node root() const;  // undefined for an empty text

 private:
  Document();
  struct Storage;
  std::unique_ptr<Storage> storage_;
};

// YAML 1.1's booleans as kubectl and yaml-cpp read them: true/false, yes/no, on/off, y/n in
// lower case, upper case or with a capital first letter. nullopt for anything else.
std::optional<bool> to_bool(const Node& node);

}  // namespace k8sjobs::yaml
