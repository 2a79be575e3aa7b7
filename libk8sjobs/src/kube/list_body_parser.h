#pragma once
// Parses the body of a LIST answer into JSON, keeping of each item only the fields asked for
// (see ItemFields). Private to src/kube: KubeClient::list_pages is the caller.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "k8sjobs/kube/client.h"

namespace k8sjobs::kube::detail {

// nullopt when the body is not JSON. Frees `body` once it is parsed, before the values are
// built, so that a page's text and its values are not held at once.
std::optional<nlohmann::json> parse_list_body(std::string& body, const ItemFields& fields);

}  // namespace k8sjobs::kube::detail
