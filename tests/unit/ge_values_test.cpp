#include "k8sjobs/ge/values.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace k8sjobs::ge {
namespace {

TEST(JsubMemory, UnitsAreKibibytesAndPowersOf1024InEitherCase) {
  // The oracle: -mem 2500m was sent as h_vmem=2560000k, 6G as 6291456k, 500m as 512000k.
  EXPECT_EQ(*parse_jsub_memory_kib("2500m"), 2560000u);
  EXPECT_EQ(*parse_jsub_memory_kib("6G"), 6291456u);
  EXPECT_EQ(*parse_jsub_memory_kib("500m"), 512000u);
  EXPECT_EQ(*parse_jsub_memory_kib("4g"), 4194304u);
  EXPECT_EQ(*parse_jsub_memory_kib("4096M"), 4194304u);
  EXPECT_EQ(*parse_jsub_memory_kib("100k"), 100u);
  EXPECT_EQ(*parse_jsub_memory_kib("100K"), 100u);
}

TEST(JsubMemory, RefusesWithJsubsMessage) {
  for (const char* bad : {"$MEM", "512", "1.5g", "2t", "m", "", "0m", "-1g", "512mb", " 512m",
                          "99999999999999999999g"}) {
    const auto result = parse_jsub_memory_kib(bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error(),
              std::string("expected an integer followed by 'k', 'm' or 'g'. '") + bad + "' given.");
  }
}

TEST(GeMemory, LowercaseIsPowersOf1000UppercaseOf1024) {
  EXPECT_EQ(*parse_ge_memory_bytes("1k"), 1000u);
  EXPECT_EQ(*parse_ge_memory_bytes("1K"), 1024u);
  EXPECT_EQ(*parse_ge_memory_bytes("2m"), 2000000u);
  EXPECT_EQ(*parse_ge_memory_bytes("2M"), 2097152u);
  EXPECT_EQ(*parse_ge_memory_bytes("3g"), 3000000000u);
  EXPECT_EQ(*parse_ge_memory_bytes("3G"), 3221225472u);
  EXPECT_EQ(*parse_ge_memory_bytes("1t"), 1000000000000u);
  EXPECT_EQ(*parse_ge_memory_bytes("1T"), 1099511627776u);
  EXPECT_EQ(*parse_ge_memory_bytes("1234"), 1234u);
  EXPECT_EQ(*parse_ge_memory_bytes("1.5G"), 1610612736u);
  EXPECT_EQ(*parse_ge_memory_bytes("0.001k"), 1u);  // rounded up to whole bytes
  EXPECT_EQ(parse_ge_memory_bytes("x").error(), "\"x\" is not a memory value");
  EXPECT_FALSE(parse_ge_memory_bytes("1.G"));
  EXPECT_FALSE(parse_ge_memory_bytes("G"));
  EXPECT_FALSE(parse_ge_memory_bytes("20000000000T"));
}

TEST(ResourceMemory, UsesJsubsRuleWhereItAppliesElseGridEngines) {
  EXPECT_EQ(*parse_resource_memory_kib("512M"), 524288u);  // the oracle: -l h_vmem=512M
  EXPECT_EQ(*parse_resource_memory_kib("400m"), 409600u);  // jsub: m is 1024 k
  EXPECT_EQ(*parse_resource_memory_kib("2G"), 2097152u);
  EXPECT_EQ(*parse_resource_memory_kib("1073741824"), 1048576u);
  EXPECT_EQ(*parse_resource_memory_kib("1025"), 2u);  // bytes, rounded up to KiB
  EXPECT_EQ(*parse_resource_memory_kib("1T"), 1073741824u);
  EXPECT_EQ(*parse_resource_memory_kib("1.5G"), 1572864u);
  EXPECT_EQ(parse_resource_memory_kib("lots").error(),
            "expected an integer followed by 'k', 'm' or 'g'. 'lots' given.");
}

TEST(GeTime, SecondsOrHoursMinutesSecondsWithEmptyFields) {
  EXPECT_EQ(*parse_ge_time_seconds("300"), 300u);
  EXPECT_EQ(*parse_ge_time_seconds("4:05:00"), 14700u);
  EXPECT_EQ(*parse_ge_time_seconds("1::1"), 3601u);
  EXPECT_EQ(*parse_ge_time_seconds("::"), 0u);
  EXPECT_EQ(*parse_ge_time_seconds(":30:"), 1800u);
  EXPECT_EQ(*parse_ge_time_seconds("48:00:00"), 172800u);
  for (const char* bad : {"", "1:2", "1:2:3:4", "a", "1:x:0", "-5"}) {
    ASSERT_FALSE(parse_ge_time_seconds(bad)) << bad;
    EXPECT_EQ(parse_ge_time_seconds(bad).error(),
              "\"" + std::string(bad) + "\" is not a time value");
  }
}

TEST(TaskRangeValue, ParsesAndRoundsTheEndDownOntoTheStep) {
  EXPECT_EQ(*parse_task_range("5"), (TaskRange{5, 5, 1}));
  EXPECT_EQ(*parse_task_range("1-10"), (TaskRange{1, 10, 1}));
  EXPECT_EQ(*parse_task_range("1-10:2"), (TaskRange{1, 9, 2}));
  EXPECT_EQ(*parse_task_range("3-3:7"), (TaskRange{3, 3, 7}));
  EXPECT_EQ(parse_task_range("1-10:2")->count(), 5u);
  EXPECT_EQ(parse_task_range("2-101:7")->last, 100u);
}

TEST(TaskRangeValue, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(parse_task_range("0-5").error(), "invalid task range \"0-5\": task ids start at 1");
  EXPECT_EQ(parse_task_range("9-5").error(),
            "invalid task range \"9-5\": the last task id is lower than the first");
  EXPECT_EQ(parse_task_range("1-5:0").error(),
            "invalid task range \"1-5:0\": the step must be at least 1");
  for (const char* bad : {"", "a", "1-", "-5", "1-5:", "1:2", "1-5:x", "1,3", "99999999999"}) {
    ASSERT_FALSE(parse_task_range(bad)) << bad;
    EXPECT_EQ(parse_task_range(bad).error(),
              "invalid task range \"" + std::string(bad) + "\": expected n[-m[:s]]");
  }
}

TEST(DateTimeValue, AllThreeLengthsAndSeconds) {
  EXPECT_EQ(*parse_date_time("03071530"), (DateTime{0, 3, 7, 15, 30, 0}));
  EXPECT_EQ(*parse_date_time("2403071530.45"), (DateTime{2024, 3, 7, 15, 30, 45}));
  EXPECT_EQ(*parse_date_time("7512312359"), (DateTime{1975, 12, 31, 23, 59, 0}));
  EXPECT_EQ(*parse_date_time("6912312359"), (DateTime{2069, 12, 31, 23, 59, 0}));
  EXPECT_EQ(*parse_date_time("202401010000"), (DateTime{2024, 1, 1, 0, 0, 0}));
}

TEST(DateTimeValue, GridEnginesFieldMessages) {
  const auto message = [](const char* text) { return parse_date_time(text).error(); };
  EXPECT_EQ(message("0307153"),
            "Wrong date/time format \"0307153\": Invalid format of "
            "date/hour-minute field.");
  EXPECT_EQ(message("03071530.4"),
            "Wrong date/time format \"03071530.4\": Invalid format of seconds field.");
  EXPECT_EQ(message("13071530"),
            "Wrong date/time format \"13071530\": Invalid month specification.");
  EXPECT_EQ(message("03321530"), "Wrong date/time format \"03321530\": Invalid day specification.");
  EXPECT_EQ(message("03072430"),
            "Wrong date/time format \"03072430\": Invalid hour specification.");
  EXPECT_EQ(message("03071560"),
            "Wrong date/time format \"03071560\": Invalid minute specification.");
  EXPECT_EQ(message("03071530.61"),
            "Wrong date/time format \"03071530.61\": Invalid seconds specification.");
}

TEST(YesNo, FourWordsInAnyCase) {
  for (const char* yes : {"y", "yes", "Y", "YES", "Yes"}) EXPECT_TRUE(*parse_yes_no(yes)) << yes;
  for (const char* no : {"n", "no", "N", "NO"}) EXPECT_FALSE(*parse_yes_no(no)) << no;
  EXPECT_EQ(parse_yes_no("true").error(),
            "invalid choice: 'true' (choose from 'y', 'yes', 'n', 'no')");
  EXPECT_FALSE(parse_yes_no(""));
}

TEST(Priority, FromMinus1023To1024) {
  EXPECT_EQ(*parse_priority("-1023"), -1023);
  EXPECT_EQ(*parse_priority("1024"), 1024);
  EXPECT_EQ(*parse_priority("0"), 0);
  EXPECT_EQ(*parse_priority("+5"), 5);
  for (const char* bad : {"-1024", "1025", "x", "", "-", "1.5"}) {
    ASSERT_FALSE(parse_priority(bad)) << bad;
    EXPECT_EQ(parse_priority(bad).error(),
              "invalid priority, must be an integer from -1023 to 1024");
  }
}

TEST(Umask, OctalOnly) {
  EXPECT_EQ(*parse_umask("007"), 07u);
  EXPECT_EQ(*parse_umask("077"), 077u);
  EXPECT_EQ(*parse_umask("0"), 0u);
  EXPECT_EQ(*parse_umask("0777"), 0777u);
  EXPECT_EQ(parse_umask("008").error(), "expected an octal value. '008' given.");
  EXPECT_EQ(*parse_umask("1777"), 0777u);  // jsub took any octal number; umask(2) the bits
  EXPECT_EQ(*parse_umask("00027"), 027u);
  EXPECT_FALSE(parse_umask(""));
  EXPECT_FALSE(parse_umask("-7"));
}

TEST(JsubValues, YesNoEmailAndResourcesAsJsubsArgparseTypes) {
  EXPECT_EQ(*parse_jsub_yes_no("y"), true);
  EXPECT_EQ(*parse_jsub_yes_no("YES"), true);
  EXPECT_EQ(*parse_jsub_yes_no("yolo"), true);  // its pattern: ^y(es)?|no?$
  EXPECT_EQ(*parse_jsub_yes_no("n"), false);
  EXPECT_EQ(*parse_jsub_yes_no("No"), false);
  EXPECT_EQ(parse_jsub_yes_no("nope").error(), "expected y[es]|n[o]. 'nope' given.");
  EXPECT_EQ(parse_jsub_yes_no("").error(), "expected y[es]|n[o]. '' given.");
  EXPECT_EQ(*parse_jsub_mail_list("a@b.org,c@d"), (std::vector<std::string>{"a@b.org", "c@d"}));
  for (const char* bad : {"foo", "", "@b", "a@", "a@b,", "a@b,,c@d", "a@b,foo"}) {
    EXPECT_EQ(parse_jsub_mail_list(bad).error(),
              std::string("expected list of email addresses. '") + bad + "' given.")
        << bad;
  }
  EXPECT_EQ(jsub_resource_list_problem("h_vmem=1g,release=buster"), std::nullopt);
  EXPECT_EQ(jsub_resource_list_problem("a=b=c"), std::nullopt);
  EXPECT_EQ(jsub_resource_list_problem("python"), "invalid argparse_resource value: 'python'");
  EXPECT_EQ(python_repr("it's"), "\"it's\"");
  EXPECT_EQ(python_repr("a'\"b"), "'a\\'\"b'");
  EXPECT_EQ(python_repr("x\ny\t\x01\\"), "'x\\ny\\t\\x01\\\\'");
}

TEST(Count, PositiveIntegers) {
  EXPECT_EQ(*parse_count("4"), 4u);
  EXPECT_EQ(parse_count("0").error(), "expected a positive integer. '0' given.");
  EXPECT_FALSE(parse_count("-1"));
  EXPECT_FALSE(parse_count("4294967296"));
}

TEST(ParallelEnvironmentValue, SlotsAndRanges) {
  EXPECT_EQ(*parse_parallel_environment("smp", "4"), (ParallelEnvironment{"smp", 4, 4}));
  EXPECT_EQ(*parse_parallel_environment("mpi", "2-8"), (ParallelEnvironment{"mpi", 2, 8}));
  EXPECT_EQ(*parse_parallel_environment("mpi", "2-"),
            (ParallelEnvironment{"mpi", 2, std::nullopt}));
  EXPECT_EQ(*parse_parallel_environment("mpi", "-8"), (ParallelEnvironment{"mpi", 1, 8}));
  EXPECT_EQ(parse_parallel_environment("smp", "x").error(), "\"x\" must be a valid slot range");
  EXPECT_EQ(parse_parallel_environment("smp", "0").error(), "\"0\" must be a valid slot range");
  EXPECT_EQ(parse_parallel_environment("smp", "8-2").error(), "\"8-2\" must be a valid slot range");
  EXPECT_FALSE(parse_parallel_environment("smp", "-"));
}

TEST(VariableList, NamesWithAndWithoutValues) {
  const auto list = parse_variable_list("A=1,B,C=x=y,D=");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[0], (VariableSetting{"A", "1"}));
  EXPECT_EQ((*list)[1], (VariableSetting{"B", std::nullopt}));
  EXPECT_EQ((*list)[2], (VariableSetting{"C", "x=y"}));
  EXPECT_EQ((*list)[3], (VariableSetting{"D", ""}));
  EXPECT_EQ(parse_variable_list("A=1,,B").error(),
            "ERROR! Wrong variable list format -v \"A=1,,B\" or environment variable not set");
  EXPECT_FALSE(parse_variable_list("=x"));
}

TEST(ResourceList, PairsAndBooleans) {
  const auto list = parse_resource_list("h_vmem=2G,highp,release=buster");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0], (ResourceRequest{"h_vmem", "2G"}));
  EXPECT_EQ((*list)[1], (ResourceRequest{"highp", std::nullopt}));
  EXPECT_EQ((*list)[2], (ResourceRequest{"release", "buster"}));
  EXPECT_EQ(parse_resource_list("h_vmem=").error(),
            "ERROR! Wrong resource list format \"h_vmem=\" specified to -l option");
  EXPECT_FALSE(parse_resource_list(""));
  EXPECT_FALSE(parse_resource_list("a=1,"));
}

TEST(MailOptions, LettersOrNAlone) {
  EXPECT_EQ(*parse_mail_options("abe"), "abe");
  EXPECT_EQ(*parse_mail_options("n"), "n");
  EXPECT_EQ(parse_mail_options("bn").error(),
            "ERROR! Wrong mail options list format \"bn\" specified to -m option");
  EXPECT_FALSE(parse_mail_options("x"));
  EXPECT_FALSE(parse_mail_options(""));
}

TEST(CommaList, SplitsAndRefusesEmptyItems) {
  EXPECT_EQ(*parse_comma_list("a@x,b@y"), (std::vector<std::string>{"a@x", "b@y"}));
  EXPECT_EQ(parse_comma_list("a@x,").error(), "empty item in list \"a@x,\"");
}

TEST(JobName, GridEngineRules) {
  EXPECT_FALSE(job_name_problem("cbng_bot"));
  EXPECT_FALSE(job_name_problem("WdIm.m"));
  EXPECT_FALSE(job_name_problem("$CATEGORIZATION_JOB_NAME"));  // the last jsub accepted it
  EXPECT_FALSE(job_name_problem("="));
  EXPECT_FALSE(job_name_problem(std::string(512, 'a')));

  const auto slash = job_name_problem("a/b");
  ASSERT_TRUE(slash);
  EXPECT_EQ(slash->message, "ERROR! argument to -N option must not contain / ");
  EXPECT_TRUE(slash->found_by_qsub);
  EXPECT_EQ(job_name_problem("")->message, "ERROR! empty string argument to -N option invalid");

  const auto digit = job_name_problem("1x");
  ASSERT_TRUE(digit);
  EXPECT_EQ(digit->message,
            "denied: \"1x\" is not a valid object name (cannot start with a digit)");
  EXPECT_FALSE(digit->found_by_qsub);
  EXPECT_EQ(job_name_problem("a:b")->message,
            "denied: \"a:b\" is not a valid object name (cannot contain ':')");
  EXPECT_EQ(job_name_problem("a\tb")->message,
            "denied: \"a\tb\" is not a valid object name (cannot contain '\\t')");
  for (const char* bad : {"a@b", "a\\b", "a*", "a?", "a\nb", "a\rb"}) {
    EXPECT_TRUE(job_name_problem(bad)) << bad;
  }
  for (const char* reserved : {"NONE", "ALL", "TEMPLATE"}) {
    EXPECT_EQ(
        job_name_problem(reserved)->message,
        "denied: \"" + std::string(reserved) + "\" is not a valid object name (reserved word)");
  }
  EXPECT_FALSE(job_name_problem("none"));
  EXPECT_EQ(job_name_problem(std::string(513, 'a'))->message,
            "denied: \"" + std::string(513, 'a') +
                "\" is not a valid object name (longer than 512 characters)");
}

TEST(GeMemory, FormatsKibInGridEnginesNotation) {
  EXPECT_EQ(format_ge_memory_kib(1048576), "1G");
  EXPECT_EQ(format_ge_memory_kib(524288), "512M");
  EXPECT_EQ(format_ge_memory_kib(1000), "1000K");
}

}  // namespace
}  // namespace k8sjobs::ge

namespace k8sjobs::ge {
namespace {

// -a reads its time in the process's zone (TZ), as Grid Engine's qsub did.
class StartTimeValue : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* zone = std::getenv("TZ")) saved_ = zone;
    ::setenv("TZ", "Europe/Berlin", 1);
    ::tzset();
  }
  void TearDown() override {
    if (saved_) {
      ::setenv("TZ", saved_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  std::optional<std::string> saved_;
};

std::chrono::system_clock::time_point utc_seconds(long long seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

TEST_F(StartTimeValue, LocalTimeWithDaylightSavingAndTheCurrentYear) {
  // 2030-07-01 12:00 in Berlin (CEST, +02:00) is 10:00 UTC; 2030-01-01 12:00 (CET) is 11:00.
  const auto now = utc_seconds(1893456000);  // 2030-01-01T00:00:00Z
  EXPECT_EQ(*parse_start_time("203007011200", now), utc_seconds(1909130400));
  EXPECT_EQ(*parse_start_time("07011200", now), utc_seconds(1909130400));
  EXPECT_EQ(*parse_start_time("3001011200.30", now), utc_seconds(1893495600 + 30));
  EXPECT_EQ(parse_start_time("02301200", now).error(),
            "Wrong date/time format \"02301200\": Invalid day specification.");
  EXPECT_EQ(parse_start_time("1301", now).error(),
            "Wrong date/time format \"1301\": Invalid format of date/hour-minute field.");
}

TEST_F(StartTimeValue, AYearTheClockCannotHoldIsRefusedNotOverflowed) {
  const auto now = utc_seconds(1893456000);
  // Found by fuzz_submit_options: year 8024 times 10^9 nanoseconds overflowed the clock.
  EXPECT_EQ(parse_start_time("802410250022", now).error(),
            "Wrong date/time format \"802410250022\": Invalid year specification.");
  EXPECT_EQ(parse_start_time("000110250022", now).error(),
            "Wrong date/time format \"000110250022\": Invalid year specification.");
  EXPECT_TRUE(parse_start_time("226001010000", now).has_value());
}

}  // namespace
}  // namespace k8sjobs::ge
