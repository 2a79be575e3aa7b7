// SPDX-License-Identifier: Apache-2.0
// The YAML reader (yaml/document.h) over any text: a site configuration or a kubeconfig. Only
// ParseError may escape Document::parse; every node of what parses is exactly one kind, has a
// position, and a map finds each of its scalar keys. Aliases may point back at an ancestor
// (`&a [*a]`), so the walk is bounded by a budget of visits instead of by the tree's end.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "k8sjobs/yaml/document.h"

namespace {

using k8sjobs::yaml::Node;

constexpr int kMaxDepth = 64;

void walk(const Node& node, int depth, int& budget) {
  if (--budget < 0 || depth > kMaxDepth) return;
  FUZZ_CHECK(static_cast<bool>(node));
  const int kinds =
      int{node.is_null()} + int{node.is_scalar()} + int{node.is_sequence()} + int{node.is_map()};
  FUZZ_CHECK(kinds == 1);
  FUZZ_CHECK(!node.mark().is_null());
  if (node.is_scalar()) {
    (void)k8sjobs::yaml::to_bool(node);
    return;
  }
  FUZZ_CHECK(!k8sjobs::yaml::to_bool(node).has_value());
  if (!node.is_null()) FUZZ_CHECK(node.scalar().empty());
  for (const Node& item : node.items()) walk(item, depth + 1, budget);
  for (const auto& [key, value] : node.entries()) {
    if (key.is_scalar()) FUZZ_CHECK(static_cast<bool>(node[key.scalar()]));
    walk(key, depth + 1, budget);
    walk(value, depth + 1, budget);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto document = k8sjobs::yaml::Document::parse(text);
    const Node root = document.root();
    if (!root) return 0;
    int budget = 20000;
    walk(root, 0, budget);
  } catch (const k8sjobs::yaml::ParseError& e) {
    FUZZ_CHECK(e.what()[0] != '\0');
  }
  return 0;
}
