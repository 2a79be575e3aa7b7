// SPDX-License-Identifier: Apache-2.0
// The one job-details codec of both backends: what it writes it reads back; what someone else
// wrote (wrong types, huge numbers, bad JSON, a 1 MB annotation) reads as defaults with the
// reasons, never an exception.

#include "k8sjobs/jobs/job_details.h"

#include <gtest/gtest.h>

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

JobDetails sample() {
  JobDetails details;
  details.cwd = "/data/project/alice";
  details.stdout_path = "/data/project/alice/a.out";
  details.stderr_path = "/data/project/alice/a.err";
  details.merge_output = true;
  details.program = "a.sh";
  details.script_file = "/data/project/alice/a.sh";
  details.job_args = {"-v", "x y"};
  details.queue = "task";
  details.slots = 2;
  details.memory_kib = 1048576;
  details.hard_resources = {{"h_vmem", "1G"}, {"release", "bookworm"}};
  details.array = ArrayRange{1, 9, 2};
  details.priority = -5;
  details.account = "acct";
  details.project = "proj";
  details.rerunnable = true;
  details.environment = {{"FOO", "bar"}};
  details.mail_options = "ea";
  details.mail_list = "a@example.org";
  details.submit_environment = {{"sge_o_host", "login"}};
  return details;
}

TEST(JobDetails, RoundTripKeepsEveryField) {
  auto decoded = job_details_from_annotation(to_annotation(sample()));
  EXPECT_TRUE(decoded.problems.empty());
  EXPECT_EQ(decoded.details, sample());
  EXPECT_EQ(job_details_from_untrusted_json(to_json(JobDetails{})).details, JobDetails{});
}

TEST(JobDetails, TheKubernetesAnnotationKeysAreTheKeys) {
  // Objects in clusters carry these; the local backend writes the same.
  json written = to_json(sample());
  for (const char* key : {"cwd",         "stdout",       "stderr",         "merge",
                          "program",     "script",       "args",           "queue",
                          "slots",       "memory_kib",   "hard_resources", "array",
                          "priority",    "account",      "project",        "restart",
                          "environment", "mail_options", "mail_list",      "submit_environment"}) {
    EXPECT_TRUE(written.contains(key)) << key;
  }
  EXPECT_EQ(written.size(), 20u);
}

TEST(JobDetails, RecordsOfTheOlderLocalBackendStillRead) {
  json legacy = {{"stdout_path", "/o"},       {"stderr_path", "/e"}, {"merge_output", true},
                 {"hard_queue", "q"},         {"rerunnable", true},  {"job_args", {"a"}},
                 {"script_file", "/bin/true"}};
  auto decoded = job_details_from_untrusted_json(legacy);
  EXPECT_TRUE(decoded.problems.empty());
  EXPECT_EQ(decoded.details.stdout_path, "/o");
  EXPECT_EQ(decoded.details.stderr_path, "/e");
  EXPECT_TRUE(decoded.details.merge_output);
  EXPECT_EQ(decoded.details.queue, "q");
  EXPECT_EQ(decoded.details.rerunnable, true);
  EXPECT_EQ(decoded.details.job_args, std::vector<std::string>{"a"});
  EXPECT_EQ(decoded.details.script_file, "/bin/true");
}

// Every field with every kind of wrong value: the field keeps its default, the others keep
// theirs, and the problem names the field.
TEST(JobDetails, EveryFieldWithEveryWrongValueFallsBackToItsDefault) {
  const std::vector<json> hostile = {nullptr,
                                     true,
                                     0,
                                     -1,
                                     json::parse("18446744073709551615"),
                                     json::parse("99999999999999999999"),
                                     -9223372036854775807LL - 1,
                                     1.5,
                                     "",
                                     "abc",
                                     std::string("\xff\xfe"),
                                     json::array(),
                                     json::array({1, "a"}),
                                     json::array({json::array({"a"})}),
                                     json::object(),
                                     json{{"first", -1}, {"last", 2000000000}, {"step", 0}},
                                     json{{"first", 1}, {"last", 2000000000}, {"step", 1}},
                                     std::string(1 << 20, 'x')};
  const JobDetails good = sample();
  const json written = to_json(good);
  for (const auto& [key, ignored] : written.items()) {
    for (const json& value : hostile) {
      json changed = written;
      changed[key] = value;
      DecodedJobDetails decoded;
      ASSERT_NO_THROW(decoded = job_details_from_untrusted_json(changed)) << key << value.dump();
      // The other fields are exactly as written.
      json expected = written;
      json got = to_json(decoded.details);
      expected.erase(key);
      got.erase(key);
      EXPECT_EQ(got, expected) << key << " = "
                               << value.dump(-1, ' ', false, json::error_handler_t::replace);
      if (decoded.problems.empty()) {
        // Only a value of the right type and range is taken (empty lists and mail settings
        // are not written).
        json read = to_json(decoded.details);
        EXPECT_EQ(read.contains(key) ? read[key] : (value.is_string() ? json("") : json::array()),
                  value)
            << key;
      } else {
        EXPECT_EQ(decoded.problems.size(), 1u);
        EXPECT_EQ(decoded.problems[0].rfind("\"" + key + "\" ", 0), 0u) << decoded.problems[0];
      }
    }
  }
}

TEST(JobDetails, BadAnnotationTextGivesDefaults) {
  for (const std::string& text : std::vector<std::string>{
           "", "not json", "[1,2]", "\"text\"", "null", "{\"cwd\": \"\\udcff\"}",
           "{\"cwd\": \"\\ud800\\u0041\"}", "{\"cwd\": \"a\"", std::string(1, '\0'),
           std::string(100000, '[')}) {
    DecodedJobDetails decoded;
    ASSERT_NO_THROW(decoded = job_details_from_annotation(text)) << text.substr(0, 40);
    EXPECT_EQ(decoded.details, JobDetails{}) << text.substr(0, 40);
    EXPECT_EQ(decoded.problems.size(), 1u) << text.substr(0, 40);
  }
}

TEST(JobDetails, OneMegabyteAnnotationIsNotRead) {
  json big = to_json(sample());
  big["cwd"] = std::string(1 << 20, 'a');
  auto decoded = job_details_from_annotation(big.dump());
  EXPECT_EQ(decoded.details, JobDetails{});
  EXPECT_EQ(decoded.problems, std::vector<std::string>{"is larger than 262144 bytes"});
}

TEST(JobDetails, BytesThatAreNotUtf8DoNotStopTheWriter) {
  JobDetails details = sample();
  details.job_args = {std::string("\xff\xfe"), "ok"};
  details.cwd = std::string("/tmp/\xc3");
  std::string text;
  ASSERT_NO_THROW(text = to_annotation(details));
  auto decoded = job_details_from_annotation(text);
  EXPECT_TRUE(decoded.problems.empty());
  EXPECT_EQ(decoded.details.job_args, (std::vector<std::string>{"\xef\xbf\xbd\xef\xbf\xbd", "ok"}));
  EXPECT_EQ(decoded.details.cwd, "/tmp/\xef\xbf\xbd");
}

TEST(JobDetails, AppliedToARecord) {
  JobRecord record;
  record.mail_options = "from the annotation";
  JobDetails details = sample();
  details.mail_options.clear();
  apply_job_details(details, record);
  EXPECT_EQ(record.cwd, "/data/project/alice");
  EXPECT_EQ(record.script_file, "/data/project/alice/a.sh");
  EXPECT_EQ(record.hard_queue, "task");
  EXPECT_EQ(record.account, "acct");
  EXPECT_TRUE(record.rerunnable);
  EXPECT_EQ(record.mail_options, "from the annotation");
  EXPECT_EQ(record.mail_list, "a@example.org");
}

}  // namespace
}  // namespace k8sjobs::jobs
