// SPDX-License-Identifier: Apache-2.0
#pragma once
// Character classes of the ASCII texts k8sjobs reads (crontabs, Grid Engine values), independent
// of the locale, unlike <cctype>.

namespace k8sjobs::text {

// A blank as cron and the shell mean it: a space or a tab.
constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace k8sjobs::text
