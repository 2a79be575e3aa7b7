// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/untrusted_fields.h"

#include <cstdio>

namespace k8sjobs::jobs::untrusted {

using nlohmann::json;

namespace {

// Length of the valid UTF-8 sequence starting at text[at], or 0 when it is not one.
size_t utf8_sequence(std::string_view text, size_t at) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  size_t length = 0;
  unsigned min_code = 0;
  unsigned code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    min_code = 0x80;
    code = lead & 0x1FU;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    min_code = 0x800;
    code = lead & 0x0FU;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    min_code = 0x10000;
    code = lead & 0x07U;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = at + 1; i < at + length; ++i) {
    if ((byte(i) & 0xC0U) != 0x80U) return 0;
    code = (code << 6U) | (byte(i) & 0x3FU);
  }
  if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

std::string escaped(std::string_view text) {
  constexpr size_t kShown = 80;
  std::string out;
  size_t at = 0;
  while (at < text.size() && at < kShown) {
    unsigned char c = static_cast<unsigned char>(text[at]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++at;
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++at;
    } else if (size_t length = c >= 0x80 ? utf8_sequence(text, at) : 0; length != 0) {
      out.append(text.substr(at, length));
      at += length;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
      ++at;
    }
  }
  if (at < text.size()) out += "...";
  return out;
}

}  // namespace

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& object_member(const json& object, std::string_view key) {
  static const json kEmpty = json::object();
  const json* value = member(object, key);
  return value != nullptr && value->is_object() ? *value : kEmpty;
}

const json& array_member(const json& object, std::string_view key) {
  static const json kEmpty = json::array();
  const json* value = member(object, key);
  return value != nullptr && value->is_array() ? *value : kEmpty;
}

std::optional<std::string> string_member(const json& object, std::string_view key) {
  const json* value = member(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::string string_or(const json& object, std::string_view key, std::string fallback) {
  auto value = string_member(object, key);
  return value ? std::move(*value) : std::move(fallback);
}

std::optional<bool> bool_member(const json& object, std::string_view key) {
  const json* value = member(object, key);
  if (value == nullptr || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

bool bool_or(const json& object, std::string_view key, bool fallback) {
  return bool_member(object, key).value_or(fallback);
}

std::optional<long long> integer_member(const json& object, std::string_view key, long long min,
                                        long long max) {
  const json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  long long number = 0;
  if (value->is_number_unsigned()) {
    auto unsigned_value = value->get<std::uint64_t>();
    if (unsigned_value > static_cast<std::uint64_t>(std::numeric_limits<long long>::max()))
      return std::nullopt;
    number = static_cast<long long>(unsigned_value);
  } else if (value->is_number_integer()) {
    number = value->get<std::int64_t>();
  } else {
    return std::nullopt;
  }
  if (number < min || number > max) return std::nullopt;
  return number;
}

int int_or(const json& object, std::string_view key, int fallback, int min, int max) {
  auto value = integer_member(object, key, min, max);
  return value ? static_cast<int>(*value) : fallback;
}

Expected<long long, std::string> parse_decimal(std::string_view text, long long min,
                                               long long max) {
  if (text.empty()) return unexpected(std::string("is empty"));
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return unexpected(std::string("is not a number"));
    int digit = c - '0';
    if (value > (std::numeric_limits<long long>::max() - digit) / 10)
      return unexpected(std::string("is too large"));
    value = value * 10 + digit;
  }
  if (value > max) return unexpected(std::string("is too large"));
  if (value < min) return unexpected(std::string("is too small"));
  return value;
}

Expected<long long, std::string> parse_job_number(std::string_view text) {
  auto number = parse_decimal(text, 1, std::numeric_limits<long long>::max());
  if (number) return number;
  if (text.empty()) return unexpected(std::string("is empty, not a job number"));
  if (number.error() == "is too large")
    return unexpected(std::string("is not a job number (too large)"));
  if (number.error() == "is too small")
    return unexpected(std::string("is not a job number (they start at 1)"));
  return unexpected(std::string("is not a job number"));
}

std::string quoted(std::string_view text) {
  return "\"" + escaped(text) + "\"";
}

std::string object_reference(const json& object, std::string_view kind) {
  auto name = string_member(object_member(object, "metadata"), "name");
  return std::string(kind) + "/" + (name && !name->empty() ? escaped(*name) : "(no name)");
}

std::set<int> parse_index_list(std::string_view text, int count) {
  std::set<int> indexes;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string_view part = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    auto dash = part.find('-');
    constexpr long long kMax = std::numeric_limits<long long>::max();
    auto first = parse_decimal(part.substr(0, dash), 0, kMax);
    auto last =
        dash == std::string_view::npos ? first : parse_decimal(part.substr(dash + 1), 0, kMax);
    // A malformed part from the server: show what could be read.
    if (first && last) {
      for (long long i = *first; i <= *last && i < count; ++i) indexes.insert(static_cast<int>(i));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return indexes;
}

}  // namespace k8sjobs::jobs::untrusted
