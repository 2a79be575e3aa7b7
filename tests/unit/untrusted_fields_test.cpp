// SPDX-License-Identifier: Apache-2.0
// The readers of untrusted values: every wrong type, sign, size and byte is a value with a
// reason, never an exception.

#include "k8sjobs/jobs/untrusted_fields.h"

#include <gtest/gtest.h>

#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::jobs::untrusted {
namespace {

using nlohmann::json;

std::string job_number_error(std::string_view text) {
  auto parsed = parse_job_number(text);
  return parsed ? "" : parsed.error();
}

TEST(UntrustedFields, JobNumbersAreDigitsFromOne) {
  EXPECT_EQ(*parse_job_number("1"), 1);
  EXPECT_EQ(*parse_job_number("9223372036854775807"), 9223372036854775807LL);
  EXPECT_EQ(*parse_job_number("007"), 7);
  EXPECT_EQ(job_number_error("abc"), "is not a job number");
  EXPECT_EQ(job_number_error("0"), "is not a job number (they start at 1)");
  EXPECT_EQ(job_number_error("-1"), "is not a job number");
  EXPECT_EQ(job_number_error("+1"), "is not a job number");
  EXPECT_EQ(job_number_error(" 1"), "is not a job number");
  EXPECT_EQ(job_number_error("1 "), "is not a job number");
  EXPECT_EQ(job_number_error("1e3"), "is not a job number");
  EXPECT_EQ(job_number_error("١"), "is not a job number");  // an Arabic-Indic digit
  EXPECT_EQ(job_number_error(""), "is empty, not a job number");
  EXPECT_EQ(job_number_error("9223372036854775808"), "is not a job number (too large)");
  EXPECT_EQ(job_number_error("99999999999999999999"), "is not a job number (too large)");
  EXPECT_EQ(job_number_error(std::string(100000, '9')), "is not a job number (too large)");
}

TEST(UntrustedFields, DecimalsWithinBounds) {
  EXPECT_EQ(*parse_decimal("0", 0, 5), 0);
  EXPECT_EQ(*parse_decimal("5", 0, 5), 5);
  EXPECT_EQ(parse_decimal("6", 0, 5).error(), "is too large");
  EXPECT_EQ(parse_decimal("0", 1, 5).error(), "is too small");
  EXPECT_EQ(parse_decimal("-0", 0, 5).error(), "is not a number");
  EXPECT_EQ(parse_decimal("", 0, 5).error(), "is empty");
}

TEST(UntrustedFields, MembersOfAnyTypeReadAsAbsentOrDefault) {
  json object = json::parse(R"({"s": "x", "n": 3, "b": true, "f": 1.5, "neg": -4,
      "big": 18446744073709551615, "huge": 1e300, "o": {"k": 1}, "a": [1]})");
  EXPECT_EQ(string_member(object, "s"), "x");
  for (const char* key : {"n", "b", "f", "o", "a", "missing"})
    EXPECT_EQ(string_member(object, key), std::nullopt) << key;
  EXPECT_EQ(string_or(object, "n", "d"), "d");
  EXPECT_EQ(integer_member(object, "n", 0, 10), 3);
  EXPECT_EQ(integer_member(object, "neg", 0, 10), std::nullopt);
  EXPECT_EQ(integer_member(object, "neg", -10, 10), -4);
  for (const char* key : {"s", "b", "f", "big", "huge", "o", "a", "missing"})
    EXPECT_EQ(integer_member(object, key, std::numeric_limits<long long>::min(),
                             std::numeric_limits<long long>::max()),
              std::nullopt)
        << key;
  EXPECT_EQ(int_or(object, "big", 7), 7);
  EXPECT_EQ(bool_member(object, "b"), true);
  EXPECT_EQ(bool_member(object, "n"), std::nullopt);
  EXPECT_EQ(object_member(object, "o"), (json{{"k", 1}}));
  EXPECT_EQ(object_member(object, "a"), json::object());
  EXPECT_EQ(array_member(object, "o"), json::array());
  // Not an object at all.
  for (const json& other : {json(nullptr), json(3), json("text"), json::array({1, 2})}) {
    EXPECT_EQ(member(other, "s"), nullptr);
    EXPECT_EQ(string_or(other, "s"), "");
    EXPECT_EQ(object_member(other, "s"), json::object());
  }
}

TEST(UntrustedFields, QuotedEscapesWhatCouldDriveATerminal) {
  EXPECT_EQ(untrusted::quoted("abc"), "\"abc\"");
  EXPECT_EQ(untrusted::quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(untrusted::quoted("\x1b[2J\n"), "\"\\x1b[2J\\x0a\"");
  EXPECT_EQ(untrusted::quoted("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 stays
  EXPECT_EQ(untrusted::quoted("\xff\xfe"), "\"\\xff\\xfe\"");
  EXPECT_EQ(untrusted::quoted("\xed\xb3\xbf"), "\"\\xed\\xb3\\xbf\"");  // a lone surrogate, encoded
  EXPECT_EQ(untrusted::quoted(std::string(1000, 'a')), "\"" + std::string(80, 'a') + "...\"");
}

TEST(UntrustedFields, ObjectReferenceAsKubectlNamesIt) {
  EXPECT_EQ(object_reference(json{{"metadata", {{"name", "hostile-1"}}}}, "job"), "job/hostile-1");
  EXPECT_EQ(object_reference(json{{"metadata", {{"name", 5}}}}, "pod"), "pod/(no name)");
  EXPECT_EQ(object_reference(json("x"), "deployment"), "deployment/(no name)");
}

TEST(Rfc3339, ParsesKubernetesTimesAndOffsets) {
  using std::chrono::system_clock;
  auto base = text::parse_rfc3339("2026-11-23T14:54:30Z");
  ASSERT_TRUE(base);
  EXPECT_EQ(system_clock::to_time_t(*base), 1795445670);
  EXPECT_EQ(text::parse_rfc3339("2026-11-23T15:54:30+01:00"), base);
  // Found by fuzzing: year 7734 overflowed system_clock's nanoseconds (undefined behaviour).
  EXPECT_EQ(text::parse_rfc3339("7734-11-23T14:54:37Z"), std::nullopt);
  EXPECT_EQ(text::parse_rfc3339("9999-12-31T23:59:59Z"), std::nullopt);
  EXPECT_EQ(text::parse_rfc3339("1969-12-31T23:59:59Z"), std::nullopt);
  EXPECT_TRUE(text::parse_rfc3339("2200-12-31T23:59:59-23:59"));
  EXPECT_TRUE(text::parse_rfc3339("1970-01-01T00:00:00Z"));
  EXPECT_EQ(text::parse_rfc3339("2026-11-23T13:24:30-01:30"), base);
  EXPECT_EQ(text::parse_rfc3339("2026-11-23t14:54:30z"), base);
  auto fraction = text::parse_rfc3339("2026-11-23T14:54:30.250000Z");
  ASSERT_TRUE(fraction);
  EXPECT_EQ(*fraction - *base, std::chrono::milliseconds(250));
  EXPECT_EQ(text::parse_rfc3339("2024-02-29T00:00:00Z").has_value(), true);
}

TEST(Rfc3339, RefusesAnythingElse) {
  for (const char* text : {"",
                           "abc",
                           "2026-11-23",
                           "2026-11-23T14:54:30",
                           "2026-11-23 14:54:30Z",
                           "2026-11-23T14:54:30ZZ",
                           "2026-13-01T00:00:00Z",
                           "2026-02-30T00:00:00Z",
                           "2023-02-29T00:00:00Z",
                           "2026-11-23T24:00:00Z",
                           "2026-11-23T14:60:00Z",
                           "2026-11-23T14:54:60Z",
                           "0000-01-01T00:00:00Z",
                           "+2026-11-23T14:54:30Z",
                           "2026-11-23T14:54:30.Z",
                           "2026-11-23T14:54:30+0100",
                           "2026-11-23T14:54:30+24:00",
                           " 2026-11-23T14:54:30Z",
                           "2026-11-23T14:54:30Z ",
                           "２026-11-23T14:54:30Z"}) {
    EXPECT_EQ(text::parse_rfc3339(text), std::nullopt) << text;
  }
  EXPECT_EQ(text::parse_rfc3339(std::string(1 << 20, '2')), std::nullopt);
}

TEST(Rfc3339, FormatsUtcWholeSecondsAndReadsItBack) {
  auto time = std::chrono::system_clock::from_time_t(1795445670) + std::chrono::milliseconds(999);
  EXPECT_EQ(text::format_rfc3339(time), "2026-11-23T14:54:30Z");
  EXPECT_EQ(text::format_rfc3339(std::chrono::system_clock::from_time_t(0)),
            "1970-01-01T00:00:00Z");
  EXPECT_EQ(text::parse_rfc3339(text::format_rfc3339(time)),
            std::chrono::system_clock::from_time_t(1795445670));
}

}  // namespace
}  // namespace k8sjobs::jobs::untrusted
