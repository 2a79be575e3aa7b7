#pragma once
// Parses the body of a LIST answer into JSON, keeping of each item only the fields asked for
// (see ItemFields). KubeClient::list_pages calls parse_list_body; there are two readers:
//
// - parse_list_body_simdjson reads the text about ten times faster (a page of 500 Pods is
//   several MB of which qstat reads a tenth), but loads libsimdjson and, with it, the shared
//   libstdc++ at every start;
// - parse_list_body_nlohmann uses only nlohmann's parser, which the library uses anyway.
//
// Which one parse_list_body forwards to is chosen when a program is linked: the library's own
// definition (src/kube/list_reader_default.cpp) is simdjson's; a program that lists little and
// must start fast (jsub, jstart, qcronsub: see bench/jsub_submit.sh) links the object library
// k8sjobs_list_reader_nlohmann, whose definition the linker then takes instead of pulling the
// library's one from the archive.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "k8sjobs/kube/client.h"

namespace k8sjobs::kube::detail {

// Each: nullopt when the body is not JSON. Frees `body` once it is parsed, before the values
// are built, so that a page's text and its values are not held at once.
std::optional<nlohmann::json> parse_list_body(std::string& body, const ItemFields& fields);
std::optional<nlohmann::json> parse_list_body_simdjson(std::string& body, const ItemFields& fields);
std::optional<nlohmann::json> parse_list_body_nlohmann(std::string& body, const ItemFields& fields);

}  // namespace k8sjobs::kube::detail
