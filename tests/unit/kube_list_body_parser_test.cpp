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

INSTANTIATE_TEST_SUITE_P(SimdjsonAndNlohmann, ListBodyReaders,
                         ::testing::Values(&parse_list_body_simdjson, &parse_list_body_nlohmann));

}  // namespace
}  // namespace k8sjobs::kube::detail
