// SPDX-License-Identifier: Apache-2.0
// UTF-8 well-formedness must agree with nlohmann::json, which refuses (throws type_error.316)
// to write a string it considers invalid: what is_valid_utf8 accepts must dump, what it
// refuses must not.
#include "k8sjobs/text/utf8.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace k8sjobs::text {
namespace {

bool json_accepts(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

TEST(Utf8, AgreesWithJsonOnEveryOneAndTwoByteString) {
  for (int first = 1; first <= 255; ++first) {
    const std::string one(1, static_cast<char>(first));
    ASSERT_EQ(is_valid_utf8(one), json_accepts(one)) << first;
    for (int second = 1; second <= 255; ++second) {
      const std::string two{static_cast<char>(first), static_cast<char>(second)};
      ASSERT_EQ(is_valid_utf8(two), json_accepts(two)) << first << " " << second;
    }
  }
}

TEST(Utf8, AgreesWithJsonOnTheEdgesOfThreeAndFourByteForms) {
  for (int lead : {0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5}) {
    for (int second : {0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0}) {
      for (int third : {0x7F, 0x80, 0xBF, 0xC0}) {
        std::string three{static_cast<char>(lead), static_cast<char>(second),
                          static_cast<char>(third)};
        EXPECT_EQ(is_valid_utf8(three), json_accepts(three)) << lead << " " << second;
        std::string four = three + "\x80";
        EXPECT_EQ(is_valid_utf8(four), json_accepts(four)) << lead << " " << second;
      }
    }
  }
}

TEST(Utf8, ValidTextAndItsSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xff\xfe"));
  EXPECT_EQ(utf8_sequence_length("\xe2\x98\x83", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xe2\x98", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
}

TEST(Utf8, DisplayReplacesOnlyTheBadBytes) {
  EXPECT_EQ(utf8_for_display("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(utf8_for_display("a\xff\xfe"
                             "b"),
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b");
  EXPECT_EQ(utf8_for_display("\xe2\x98"), "\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace k8sjobs::text
