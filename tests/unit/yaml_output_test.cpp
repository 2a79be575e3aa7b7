#include "k8sjobs/translate/yaml_output.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace k8sjobs::translate {
namespace {

using nlohmann::json;

// YAML back to JSON with yaml-cpp's own tag resolution: a plain scalar that looks like a
// number or boolean comes back as one, which is exactly what must not happen to strings.
json from_yaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& item : node) out[item.first.as<std::string>()] = from_yaml(item.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(from_yaml(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      if (node.Tag() == "!") return node.as<std::string>();  // quoted: a string for sure
      bool flag = false;
      long long number = 0;
      if (YAML::convert<long long>::decode(node, number)) return number;
      if (YAML::convert<bool>::decode(node, flag)) return flag;
      return node.as<std::string>();
    }
    default:
      return nullptr;
  }
}

TEST(ToYaml, RoundTripsStringsThatLookLikeOtherTypes) {
  json object{
      {"metadata",
       {{"labels", {{"id", "4711"}, {"once", "true"}, {"no", "no"}, {"empty", ""}, {"v", "1.5"}}}}},
      {"spec", {{"replicas", 1}, {"suspend", false}, {"script", "umask 007\nexec \"$@\"\n"}}},
      {"args", json::array({"--channel", "#foo", "it's: \"x\"", "héllo", "- dash", "null"})}};
  std::string text = to_yaml({object});
  ASSERT_EQ(text.rfind("---\n", 0), 0u) << text;
  auto documents = YAML::LoadAll(text);
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_EQ(from_yaml(documents[0]), object) << text;
}

TEST(ToYaml, OneDocumentPerObject) {
  std::string text = to_yaml({json{{"a", 1}}, json{{"b", 2}}});
  EXPECT_EQ(YAML::LoadAll(text).size(), 2u);
}

}  // namespace
}  // namespace k8sjobs::translate
