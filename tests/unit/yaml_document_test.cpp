// The YAML reader of the start-up files: what is null, what is a string, where a node is, how
// aliases and errors come out, and YAML 1.1's booleans.
#include <gtest/gtest.h>

#include "k8sjobs/yaml/document.h"

namespace k8sjobs::yaml {
namespace {

TEST(YamlDocument, MapsSequencesAndScalarsWithTheirLines) {
  auto document = Document::parse(
      "apiVersion: v1\n"
      "clusters:\n"
      "- name: a\n"
      "  cluster:\n"
      "    server: https://x:6443\n"
      "- name: b\n"
      "args: [one, 'two', \"three\"]\n");
  Node root = document.root();
  ASSERT_TRUE(root.is_map());
  EXPECT_EQ(root["apiVersion"].scalar(), "v1");
  EXPECT_EQ(root["apiVersion"].mark().line, 0);
  auto clusters = root["clusters"].items();
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(clusters[0].mark().line, 2);
  EXPECT_EQ(clusters[0]["cluster"]["server"].scalar(), "https://x:6443");
  EXPECT_EQ(clusters[0]["cluster"]["server"].mark().line, 4);
  EXPECT_EQ(clusters[1]["name"].scalar(), "b");
  EXPECT_FALSE(clusters[1]["cluster"]);
  std::vector<std::string> args;
  for (const auto& arg : root["args"].items()) args.push_back(arg.scalar());
  EXPECT_EQ(args, (std::vector<std::string>{"one", "two", "three"}));
  auto entries = root.entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].first.scalar(), "clusters");
  EXPECT_EQ(entries[1].first.mark().line, 1);
  EXPECT_TRUE(entries[1].second.is_sequence());
}

TEST(YamlDocument, NullIsPlainAndAQuotedNullIsAString) {
  auto document =
      Document::parse("a:\nb: ~\nc: null\nd: NULL\ne: 'null'\nf: \"\"\ng: Nil\nh: nULL\n");
  Node root = document.root();
  for (const char* key : {"a", "b", "c", "d"}) {
    EXPECT_TRUE(root[key].is_null()) << key;
    EXPECT_FALSE(root[key].is_scalar()) << key;
    EXPECT_TRUE(root[key]) << key;  // present, unlike a missing key
  }
  for (const char* key : {"e", "f", "g", "h"}) {
    EXPECT_TRUE(root[key].is_scalar()) << key;
    EXPECT_FALSE(root[key].is_null()) << key;
  }
  EXPECT_EQ(root["e"].scalar(), "null");
  EXPECT_EQ(root["f"].scalar(), "");
  EXPECT_FALSE(root["missing"]);
  EXPECT_FALSE(root["missing"].is_null());
}

TEST(YamlDocument, AnEmptyTextHasNoRootAndWrongKindsAreEmpty) {
  auto empty = Document::parse("");
  EXPECT_FALSE(empty.root());
  EXPECT_FALSE(empty.root()["x"]);
  auto scalar = Document::parse("just text\n");
  EXPECT_TRUE(scalar.root().is_scalar());
  EXPECT_TRUE(scalar.root().items().empty());
  EXPECT_TRUE(scalar.root().entries().empty());
  EXPECT_FALSE(scalar.root()["x"]);
  auto list = Document::parse("[a, b]\n");
  EXPECT_EQ(list.root().scalar(), "");
  EXPECT_TRUE(list.root().mark().line == 0);
}

TEST(YamlDocument, TheFirstOfRepeatedKeysIsTheValueAndAllAreEntries) {
  auto document = Document::parse("k: first\nk: second\n");
  EXPECT_EQ(document.root()["k"].scalar(), "first");
  EXPECT_EQ(document.root().entries().size(), 2u);
}

TEST(YamlDocument, AliasesReferToTheirAnchorWithoutCopies) {
  auto document = Document::parse(
      "base: &b {server: https://x}\n"
      "copy: *b\n"
      "a: &a [x, x, x, x, x, x, x, x, x]\n"
      "b: &c [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
      "d: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n");
  Node root = document.root();
  EXPECT_EQ(root["copy"]["server"].scalar(), "https://x");
  EXPECT_EQ(root["d"].items().size(), 9u);
  EXPECT_EQ(root["d"].items()[0].items()[0].items()[0].items()[8].scalar(), "x");
}

TEST(YamlDocument, ErrorsSayWhatAndWhere) {
  try {
    Document::parse("clusters:\n- name: c\n  cluster: {server: [unclosed\n");
    FAIL() << "parsed";
  } catch (const ParseError& error) {
    EXPECT_GE(error.mark.line, 2);
    EXPECT_NE(std::string(error.what()), "");
  }
  try {
    Document::parse("a: b: c\n");
    FAIL() << "parsed";
  } catch (const ParseError& error) {
    EXPECT_EQ(error.mark.line, 0);
    EXPECT_NE(std::string(error.what()).find("mapping values are not allowed"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(Document::parse("a: *undefined\n"), ParseError);
}

TEST(YamlDocument, DocumentsMoveWithTheirNodes) {
  auto first = Document::parse("k: v\n");
  Document moved = std::move(first);
  EXPECT_EQ(moved.root()["k"].scalar(), "v");
}

TEST(YamlToBool, Yaml11BooleansInTheirThreeSpellings) {
  auto document = Document::parse(
      "t: [true, True, TRUE, yes, Yes, YES, on, On, ON, y, Y]\n"
      "f: [false, False, FALSE, no, No, NO, off, Off, OFF, n, N]\n"
      "x: [tRUE, TrUe, 1, 0, '', yess, 'true ', ~]\n");
  for (const auto& node : document.root()["t"].items())
    EXPECT_EQ(to_bool(node), true) << node.scalar();
  for (const auto& node : document.root()["f"].items())
    EXPECT_EQ(to_bool(node), false) << node.scalar();
  for (const auto& node : document.root()["x"].items())
    EXPECT_EQ(to_bool(node), std::nullopt) << node.scalar();
  EXPECT_EQ(to_bool(Node()), std::nullopt);
}

}  // namespace
}  // namespace k8sjobs::yaml
