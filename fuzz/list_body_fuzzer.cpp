// SPDX-License-Identifier: Apache-2.0
// The two LIST page readers (kube/list_body_parser.h) over any text: a page of a LIST answer.
// Which one a program uses is a link-time choice, so they must agree: both refuse the same
// text, or both keep the same values.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "k8sjobs/kube/list_body_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const k8sjobs::kube::ItemFields fields{
      {{"spec", {"nodeName", "suspend", "replicas"}}, {"status", {"phase", "succeeded"}}}};
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string for_simdjson = text;
  std::string for_nlohmann = text;
  const auto simdjson = k8sjobs::kube::detail::parse_list_body_simdjson(for_simdjson, fields);
  const auto nlohmann = k8sjobs::kube::detail::parse_list_body_nlohmann(for_nlohmann, fields);
  if (simdjson) FUZZ_CHECK(for_simdjson.empty());
  if (nlohmann) FUZZ_CHECK(for_nlohmann.empty());
  FUZZ_CHECK(simdjson.has_value() == nlohmann.has_value());
  if (simdjson) FUZZ_CHECK(*simdjson == *nlohmann);
  return 0;
}
