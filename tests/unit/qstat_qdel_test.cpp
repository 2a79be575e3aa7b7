#include <gtest/gtest.h>

#include "k8sjobs/qstat/qdel_format.h"
#include "k8sjobs/qstat/toolforge_messages.h"
#include "qstat_fixtures.h"

namespace k8sjobs::qstat {
namespace {

using namespace fixtures;
using Kind = QdelOutcome::Kind;

TEST(QdelParse, JobIdNamePattern) {
  auto id = parse_qdel_target("123");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->kind, QdelTarget::Kind::JobId);
  EXPECT_EQ(id->job_id, 123);
  EXPECT_TRUE(id->tasks.empty());

  auto name = parse_qdel_target("cron-3");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->kind, QdelTarget::Kind::Name);
  EXPECT_EQ(name->name, "cron-3");

  for (const char* pattern : {"*", "cron-?", "job[12]"}) {
    auto p = parse_qdel_target(pattern);
    ASSERT_TRUE(p) << pattern;
    EXPECT_EQ(p->kind, QdelTarget::Kind::Pattern) << pattern;
    EXPECT_EQ(p->name, pattern);
  }
}

TEST(QdelParse, TaskRanges) {
  auto one = parse_qdel_target("123.7");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->job_id, 123);
  EXPECT_EQ(one->tasks, (std::vector<ArrayRange>{{7, 7, 1}}));

  auto several = parse_qdel_target("123.2-4,8-20:5");
  ASSERT_TRUE(several);
  EXPECT_EQ(several->tasks, (std::vector<ArrayRange>{{2, 4, 1}, {8, 18, 5}}));
  EXPECT_EQ(several->text, "123.2-4,8-20:5");

  auto named = parse_qdel_target("arr.1-3");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->kind, QdelTarget::Kind::Name);
  EXPECT_EQ(named->name, "arr");
  EXPECT_EQ(named->tasks, (std::vector<ArrayRange>{{1, 3, 1}}));
}

TEST(QdelParse, InvalidIdentifiers) {
  for (const char* bad : {"x.y", "123.", "123.0", "123.5-2", "123.1-4:0", "123.a", ".5", ""}) {
    auto parsed = parse_qdel_target(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error(),
              std::string("ERROR! \"") + bad + "\" is an invalid job-task identifier");
  }
}

TEST(QdelPattern, Wildcards) {
  EXPECT_TRUE(qdel_pattern_matches("*", "anything"));
  EXPECT_TRUE(qdel_pattern_matches("cron-?", "cron-3"));
  EXPECT_FALSE(qdel_pattern_matches("cron-?", "cron-12"));
  EXPECT_TRUE(qdel_pattern_matches("job[12]", "job2"));
  EXPECT_FALSE(qdel_pattern_matches("job[12]", "job3"));
}

TEST(QdelAnswers, EveryMessage) {
  auto line = [](QdelOutcome o) { return format_qdel_answer(o); };
  EXPECT_EQ(line({Kind::RegisteredForDeletion, "alice", 123, 0, "", "", {}}),
            "alice has registered the job 123 for deletion\n");
  EXPECT_EQ(line({Kind::Deleted, "alice", 123, 0, "", "", {}}), "alice has deleted job 123\n");
  EXPECT_EQ(line({Kind::TaskRegisteredForDeletion, "alice", 123, 4, "", "", {}}),
            "alice has registered the job-array task 123.4 for deletion\n");
  EXPECT_EQ(line({Kind::TaskDeleted, "alice", 123, 4, "", "", {}}),
            "alice has deleted job-array task 123.4\n");
  EXPECT_EQ(line({Kind::TasksDeleted, "alice", 123, 0, "2-4:1", "", {}}),
            "alice has deleted job-array tasks 2-4:1 of job 123\n");
  EXPECT_EQ(line({Kind::JobDoesNotExist, "alice", 0, 0, "", "999", {}}),
            "denied: job \"999\" does not exist\n");
  EXPECT_EQ(line({Kind::NameDoesNotExist, "alice", 0, 0, "NAME", "NAME", {"alice"}}),
            "The job NAME of user(s) alice does not exist\n");
  EXPECT_EQ(line({Kind::NoJobsForUsers, "alice", 0, 0, "", "", {"bob"}}),
            "There is no job registered for the following users: bob\n");
  EXPECT_EQ(line({Kind::NotPermitted, "alice", 123, 0, "", "", {}}),
            "alice - you do not have the necessary privileges to delete the job \"123\"\n");
  EXPECT_EQ(line({Kind::AlreadyDeleting, "alice", 123, 0, "", "", {}}),
            "job 123 is already in deletion\n");
  EXPECT_EQ(line({Kind::TaskDoesNotExist, "alice", 123, 7, "", "", {}}),
            "job \"123\" task \"7\" does not exist\n");
  EXPECT_EQ(line({Kind::InvalidIdentifier, "alice", 0, 0, "", "x.y", {}}),
            "ERROR! \"x.y\" is an invalid job-task identifier\n");
}

TEST(QdelAnswers, ErrorsSetTheExitCode) {
  EXPECT_FALSE(qdel_outcome_is_error({Kind::Deleted, "a", 1, 0, "", "", {}}));
  EXPECT_FALSE(qdel_outcome_is_error({Kind::RegisteredForDeletion, "a", 1, 0, "", "", {}}));
  EXPECT_FALSE(qdel_outcome_is_error({Kind::TasksDeleted, "a", 1, 0, "1", "", {}}));
  EXPECT_TRUE(qdel_outcome_is_error({Kind::JobDoesNotExist, "a", 0, 0, "", "9", {}}));
  EXPECT_TRUE(qdel_outcome_is_error({Kind::NotPermitted, "a", 1, 0, "", "", {}}));
  EXPECT_TRUE(qdel_outcome_is_error({Kind::InvalidIdentifier, "a", 0, 0, "", "x.y", {}}));
  EXPECT_TRUE(qdel_outcome_is_error({Kind::TaskDoesNotExist, "a", 1, 7, "", "", {}}));
}

TEST(ToolforgeJob, StatusAnswersAndExitCodes) {
  const std::vector<JobRecord> all = mixed_jobs();
  const JobRecord& running = all[0];  // started at 10:47:14
  const JobRecord& pending = all[8];

  auto none = format_job_status("nope", nullptr, false, false, TimeZone::utc());
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.exit_code, 0);
  auto none_v = format_job_status("nope", nullptr, true, false, TimeZone::utc());
  EXPECT_EQ(none_v.out, "No job 'nope' is currently queued or running.\n");
  EXPECT_EQ(none_v.exit_code, 0);

  auto run = format_job_status("hostname", &running, false, false, TimeZone::utc());
  EXPECT_EQ(run.out, "42\n");
  EXPECT_EQ(run.exit_code, 1);
  auto run_v = format_job_status("hostname", &running, true, false, TimeZone::utc());
  EXPECT_EQ(run_v.out, "Job 'hostname' has been running since 2021-07-02T10:47:14 as id 42\n");
  auto run_q = format_job_status("hostname", &running, false, true, TimeZone::utc());
  EXPECT_EQ(run_q.out, "");
  EXPECT_EQ(run_q.exit_code, 1);

  auto wait_v = format_job_status("long", &pending, true, false, TimeZone::utc());
  EXPECT_EQ(wait_v.out, "Job 'long' is pending as id 50\n");
  EXPECT_EQ(wait_v.exit_code, 2);
}

TEST(ToolforgeJstop, Missing) {
  EXPECT_EQ(format_jstop_missing("cron-3"), "No job 'cron-3' is currently queued or running\n");
}

}  // namespace
}  // namespace k8sjobs::qstat
