// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/kube/kubelet_expansion.h"

namespace k8sjobs::kube {

std::string escape_kubelet_references(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '$') out.push_back('$');
    out.push_back(c);
  }
  return out;
}

std::string expand_kubelet_references(
    std::string_view text,
    const std::function<std::optional<std::string>(std::string_view name)>& lookup) {
  std::string out;
  out.reserve(text.size());
  std::size_t cursor = 0;
  while (cursor < text.size()) {
    if (text[cursor] != '$' || cursor + 1 == text.size()) {
      out.push_back(text[cursor++]);
      continue;
    }
    const char next = text[cursor + 1];
    if (next == '$') {
      out.push_back('$');
      cursor += 2;
    } else if (next == '(') {
      const std::size_t close = text.find(')', cursor + 2);
      if (close == std::string_view::npos) {
        // Unclosed: the kubelet keeps "$(" and goes on reading after it.
        out += "$(";
        cursor += 2;
        continue;
      }
      const std::string_view name = text.substr(cursor + 2, close - cursor - 2);
      if (auto value = lookup(name)) {
        out += *value;
      } else {
        out.append(text.substr(cursor, close + 1 - cursor));
      }
      cursor = close + 1;
    } else {
      out.push_back('$');
      out.push_back(next);
      cursor += 2;
    }
  }
  return out;
}

}  // namespace k8sjobs::kube
