#pragma once
// Levenshtein distance, for "did you mean" suggestions on misspelt keys and fields.

#include <cstddef>
#include <string_view>

namespace k8sjobs::text {

std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace k8sjobs::text
