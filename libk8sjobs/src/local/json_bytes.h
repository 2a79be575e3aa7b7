// SPDX-License-Identifier: Apache-2.0
#pragma once
// Words in the local backend's launch file, byte for byte: JSON holds only UTF-8 text, so a
// word that is not UTF-8 is stored as {"bytes": [255, 254, ...]}; UTF-8 words stay strings (a
// launch file written before bytes were carried reads the same). Private to src/local.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/text/utf8.h"

namespace k8sjobs::local::detail {

inline nlohmann::json bytes_json(const std::string& word) {
  if (text::is_valid_utf8(word)) return word;
  nlohmann::json bytes = nlohmann::json::array();
  for (char c : word) bytes.push_back(static_cast<unsigned char>(c));
  return nlohmann::json{{"bytes", bytes}};
}

// Throws nlohmann::json::exception for anything else, as get<std::string>() does.
inline std::string bytes_from_json(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string word;
  for (const auto& byte : value.at("bytes"))
    word.push_back(static_cast<char>(byte.get<unsigned char>()));
  return word;
}

}  // namespace k8sjobs::local::detail
