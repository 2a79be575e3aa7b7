#include "k8sjobs/translate/yaml_output.h"

#include <yaml-cpp/yaml.h>

#include <regex>

#include "k8sjobs/text/utf8.h"

namespace k8sjobs::translate {

namespace {

// Would a YAML reader take this plain scalar for something other than a string (a number,
// boolean or null, in YAML 1.1 or 1.2)? Then it must be quoted: a label "4711" is a string.
bool reads_as_non_string(const std::string& text) {
  if (text.empty()) return true;
  static const std::regex kSpecial(
      R"(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)");
  static const std::regex kNumber(
      R"([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[0-9][0-9_]*(:[0-5]?[0-9])+)");
  return std::regex_match(text, kSpecial) || std::regex_match(text, kNumber);
}

void emit(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      // The objects hold UTF-8 only (launcher_bytes.h); anything else shows as U+FFFD here
      // rather than leaving yaml-cpp's emitter to decide.
      const std::string shown = text::utf8_for_display(value.get_ref<const std::string&>());
      if (shown.find('\n') != std::string::npos) {
        out << YAML::Literal << shown;
      } else if (reads_as_non_string(shown)) {
        out << YAML::DoubleQuoted << shown;
      } else {
        out << shown;
      }
      break;
    }
    case nlohmann::json::value_t::boolean:
      out << value.get<bool>();
      break;
    case nlohmann::json::value_t::number_integer:
      out << value.get<long long>();
      break;
    case nlohmann::json::value_t::number_unsigned:
      out << value.get<unsigned long long>();
      break;
    case nlohmann::json::value_t::number_float:
      out << value.get<double>();
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

std::string to_yaml(const std::vector<nlohmann::json>& objects) {
  std::string result;
  for (const auto& object : objects) {
    YAML::Emitter out;
    out << YAML::BeginDoc;
    emit(out, object);
    result += out.c_str();
    result += "\n";
  }
  return result;
}

}  // namespace k8sjobs::translate
