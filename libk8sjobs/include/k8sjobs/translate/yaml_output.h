#pragma once
// Kubernetes objects as YAML documents, for --dry-run and k8sjobs-migrate convert.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace k8sjobs::translate {

// One document per object, each starting with "---". Strings that YAML would read as
// something else (numbers, booleans, "null", multi-line text) are quoted or block-scaled.
std::string to_yaml(const std::vector<nlohmann::json>& objects);

}  // namespace k8sjobs::translate
