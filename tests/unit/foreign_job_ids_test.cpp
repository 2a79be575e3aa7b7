// SPDX-License-Identifier: Apache-2.0
// The record of the job numbers given to the Toolforge jobs framework's jobs, as read from its
// ConfigMap (untrusted: anyone who may edit ConfigMaps may have written it) and the patch that
// adds to it. The I/O (assigning, racing, a record that cannot be written) is in
// tests/integration/foreign_job_ids_test.cpp.

#include <gtest/gtest.h>

#include "k8sjobs/jobs/foreign_job_ids.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

TEST(ForeignJobIds, ARecordMapsUidsToJobNumbers) {
  auto record = decode_foreign_job_ids(
      {{"metadata", {{"name", "k8sjobs-foreign-ids"}, {"resourceVersion", "42"}}},
       {"data", {{"u-1", "7"}, {"u-2", "19"}}}});
  EXPECT_TRUE(record.exists);
  EXPECT_EQ(record.resource_version, "42");
  EXPECT_EQ(record.ids, (std::map<std::string, long long>{{"u-1", 7}, {"u-2", 19}}));
  EXPECT_TRUE(record.warnings.empty());
}

TEST(ForeignJobIds, EntriesThatAreNotJobNumbersAreLeftOutWithAWarning) {
  json data{{"ok", "3"},
            {"zero", "0"},
            {"sign", "+4"},
            {"space", " 5"},
            {"word", "abc"},
            {"huge", "99999999999999999999"},
            {"int", 5},
            {"null", nullptr},
            {"list", json::array()},
            {"bytes", std::string("\xff\x1b[2J")}};
  ForeignJobIds record;
  ASSERT_NO_THROW(record = decode_foreign_job_ids({{"data", data}}));
  EXPECT_EQ(record.ids, (std::map<std::string, long long>{{"ok", 3}}));
  EXPECT_EQ(record.warnings.size(), data.size() - 1);
  for (const auto& warning : record.warnings) {
    EXPECT_EQ(warning.find('\x1b'), std::string::npos) << warning;
    EXPECT_NE(warning.find("(ignored)"), std::string::npos) << warning;
  }
}

TEST(ForeignJobIds, ANumberGivenTwiceIsBelievedOnceSoNoTwoJobsShareIt) {
  auto record = decode_foreign_job_ids({{"data", {{"a", "7"}, {"b", "7"}, {"c", "8"}}}});
  EXPECT_EQ(record.ids, (std::map<std::string, long long>{{"a", 7}, {"c", 8}}));
  ASSERT_EQ(record.warnings.size(), 1u);
  EXPECT_NE(record.warnings[0].find("repeats job number 7"), std::string::npos);
}

TEST(ForeignJobIds, DataThatIsNotAMapReadsAsEmpty) {
  for (const json& data : {json("x"), json(3), json::array({"a"})}) {
    auto record = decode_foreign_job_ids({{"data", data}});
    EXPECT_TRUE(record.ids.empty());
    EXPECT_EQ(record.warnings.size(), 1u);
  }
  EXPECT_TRUE(decode_foreign_job_ids(json::object()).warnings.empty());  // no data yet
}

TEST(ForeignJobIds, ThePatchAddsForgetsAndSwapsOnTheVersionRead) {
  EXPECT_EQ(foreign_job_ids_patch({{"u-3", 21}}, {"u-1"}, "42"),
            json::parse(R"({"metadata":{"resourceVersion":"42"},"data":{"u-1":null,"u-3":"21"}})"));
}

}  // namespace
}  // namespace k8sjobs::jobs
