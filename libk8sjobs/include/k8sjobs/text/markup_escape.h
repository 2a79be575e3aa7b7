// SPDX-License-Identifier: Apache-2.0
#pragma once
// Escaping text for XML and HTML element text and attribute values: the one place that knows
// which characters are markup.

#include <string>
#include <string_view>

namespace k8sjobs::text {

enum class MarkupDialect {
  // qstat -xml as Grid Engine wrote it: ' as &apos;, every other byte kept.
  xml,
  // The status page: ' as &#39;, and control characters (below 0x20, DEL) dropped, so a name
  // read from the cluster cannot break the page's layout.
  html,
};

// &, <, >, " and ' escaped for `dialect`.
std::string escape_markup(std::string_view text, MarkupDialect dialect);

}  // namespace k8sjobs::text
