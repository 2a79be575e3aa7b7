// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/text/markup_escape.h"

namespace k8sjobs::text {

std::string escape_markup(std::string_view text, MarkupDialect dialect) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += dialect == MarkupDialect::xml ? "&apos;" : "&#39;";
        break;
      default:
        if (dialect == MarkupDialect::xml || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f))
          out += c;
    }
  }
  return out;
}

}  // namespace k8sjobs::text
