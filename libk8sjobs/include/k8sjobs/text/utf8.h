// SPDX-License-Identifier: Apache-2.0
#pragma once
// UTF-8 well-formedness (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing past
// U+10FFFF), exactly what nlohmann::json accepts when it writes a string and what Kubernetes
// accepts in a JSON string. Grid Engine passed any bytes; the code that has to put words into
// JSON asks this to pick between the word itself and a byte-safe encoding of it.

#include <cstddef>
#include <string>
#include <string_view>

namespace k8sjobs::text {

// The length (1 to 4) of the well-formed UTF-8 sequence starting at text[at], or 0 when the byte
// there does not start one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

bool is_valid_utf8(std::string_view text);

// For display only (annotations, qstat fields): every byte that is not part of a well-formed
// sequence becomes U+FFFD. Valid text is returned unchanged.
std::string utf8_for_display(std::string_view text);

}  // namespace k8sjobs::text
