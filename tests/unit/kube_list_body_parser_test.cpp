#include <gtest/gtest.h>

#include "k8sjobs/kube/list_body_parser.h"

namespace k8sjobs::kube::detail {
namespace {

using nlohmann::json;

using Reader = std::optional<json> (*)(std::string&, const ItemFields&);

class ListBodyReaders : public ::testing::TestWithParam<Reader> {};

const char* const kPage =
    R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"c1",)"
    R"("remainingItemCount":3},"items":[)"
    R"({"metadata":{"name":"a","labels":{"x":"1"},"managedFields":[{"manager":"m"}]},)"
    R"("spec":{"nodeName":"n1","containers":[{"name":"c","env":[{"name":"E"}]}]},)"
    R"("status":{"phase":"Running","spec":{"kept":true},"n":-2,"big":18446744073709551615,)"
    R"("f":1.5,"ok":false,"none":null,"utf":"\u00e9\n"}},)"
    R"({"metadata":{"name":"b"},"spec":"not an object"},7]})";

TEST_P(ListBodyReaders, KeepOnlyTheAskedFieldsAndDropManagedFields) {
  std::string body = kPage;
  ItemFields fields{{{"spec", {"nodeName"}}}};
  auto parsed = GetParam()(body, fields);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(body.empty()) << "the text is freed once parsed";
  json expected = json::parse(
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"c1",)"
      R"("remainingItemCount":3},"items":[)"
      R"({"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"nodeName":"n1"},)"
      R"("status":{"phase":"Running","spec":{"kept":true},"n":-2,"big":18446744073709551615,)"
      R"("f":1.5,"ok":false,"none":null,"utf":"\u00e9\n"}},)"
      R"({"metadata":{"name":"b"},"spec":"not an object"},7]})");
  EXPECT_EQ(*parsed, expected);
}

TEST_P(ListBodyReaders, RefuseTextThatIsNotJson) {
  std::string body = R"({"metadata":{},"items":[{"metadata":)";
  EXPECT_FALSE(GetParam()(body, ItemFields{}));
}

// Found by fuzz/list_body_fuzzer.cpp: nlohmann's parser stopped at a NUL byte, so "333\0" and
// a page followed by a NUL and garbage were read as JSON (simdjson refuses them).
TEST_P(ListBodyReaders, RefuseTextWithANulByte) {
  std::string number("333\0", 4);
  EXPECT_FALSE(GetParam()(number, ItemFields{}));
  std::string page(R"({"items":[]})"
                   "\0garbage",
                   20);
  EXPECT_FALSE(GetParam()(page, ItemFields{}));
}

// Found by fuzz/list_body_fuzzer.cpp: simdjson's reader kept the first of two equal keys,
// nlohmann's the last.
TEST_P(ListBodyReaders, KeepTheLastOfTwoEqualKeys) {
  std::string body =
      R"({"a":1,"a":2,"items":[{"x":{"k":"","k":"t"},"spec":{"nodeName":"n","nodeName":"m"}}],)"
      R"("items":[{"spec":{"nodeName":"last"},"spec":{"nodeName":"really"}}]})";
  auto parsed = GetParam()(body, ItemFields{{{"spec", {"nodeName"}}}});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, json::parse(R"({"a":2,"items":[{"spec":{"nodeName":"really"}}]})"));
}

// Found by fuzz/list_body_fuzzer.cpp: nlohmann's reader filtered by depth alone, so an object
// at an item's depth that is not an item (in an array item, or under "items" as an object)
// lost fields with the names of the previous item's.
TEST_P(ListBodyReaders, FilterOnlyTheFieldsOfObjectsInTheItemsArray) {
  std::string body =
      R"({"items":[{"metadata":{"name":"a"}},[{"managedFields":1,"spec":{"x":1}}],)"
      R"({"spec":{"x":1}},[[{"spec":{"x":1}}]]],"more":{"items":{"metadata":{"managedFields":2}}}})";
  auto parsed = GetParam()(body, ItemFields{{{"spec", {"nodeName"}}}});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, json::parse(R"({"items":[{"metadata":{"name":"a"}},)"
                                 R"([{"managedFields":1,"spec":{"x":1}}],{"spec":{}},)"
                                 R"([[{"spec":{"x":1}}]]],)"
                                 R"("more":{"items":{"metadata":{"managedFields":2}}}})"));
  std::string items_object = R"({"items":{"i":{"metadata":{"managedFields":1}}}})";
  parsed = GetParam()(items_object, ItemFields{});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, json::parse(R"({"items":{"i":{"metadata":{"managedFields":1}}}})"));
}

// Found by fuzz/list_body_fuzzer.cpp: simdjson refuses integers beyond 64 bits and nesting
// deeper than 1024, which nlohmann's parser reads; the simdjson reader leaves such a page to it.
TEST_P(ListBodyReaders, ReadBigIntegersAndDeepNestingAsNlohmannDoes) {
  const std::string big = R"({"items":[{"n":33184467440735516163,"m":-9223372036854775809}]})";
  std::string body = big;
  auto parsed = GetParam()(body, ItemFields{});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, json::parse(big));
  EXPECT_TRUE((*parsed)["items"][0]["n"].is_number_float());

  const std::string deep = "{\"items\":" + std::string(1100, '[') + std::string(1100, ']') + "}";
  body = deep;
  parsed = GetParam()(body, ItemFields{});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, json::parse(deep));
}

INSTANTIATE_TEST_SUITE_P(SimdjsonAndNlohmann, ListBodyReaders,
                         ::testing::Values(&parse_list_body_simdjson, &parse_list_body_nlohmann));

}  // namespace
}  // namespace k8sjobs::kube::detail
