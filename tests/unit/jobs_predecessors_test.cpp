// SPDX-License-Identifier: Apache-2.0
// -hold_jid at submission (IDs, names, patterns against the user's jobs, Grid Engine's message
// for one naming none), the k8sjobs.io/hold-jid annotation read back from untrusted objects,
// and qstat -j's predecessor and successor lists across a listing.
#include <gtest/gtest.h>

#include "k8sjobs/jobs/predecessors.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

JobRecord record(long long id, const std::string& name, JobState state = JobState::Pending) {
  JobRecord job;
  job.id = id;
  job.name = name;
  TaskRecord task;
  task.state = state;
  job.tasks.push_back(task);
  return job;
}

const std::vector<JobRecord> kOwnJobs = {record(10, "align"), record(11, "align"),
                                         record(12, "sam2bam", JobState::Succeeded),
                                         record(13, "align_2")};

TEST(ResolveHoldJid, NumbersNamesAndPatterns) {
  EXPECT_EQ(*resolve_hold_jid({"12"}, kOwnJobs), (std::vector<long long>{12}));
  EXPECT_EQ(*resolve_hold_jid({"align"}, kOwnJobs), (std::vector<long long>{10, 11}));
  EXPECT_EQ(*resolve_hold_jid({"align*"}, kOwnJobs), (std::vector<long long>{10, 11, 13}));
  EXPECT_EQ(*resolve_hold_jid({"sam2bam", "13", "12"}, kOwnJobs), (std::vector<long long>{12, 13}));
  EXPECT_EQ(*resolve_hold_jid({"al?gn_[0-9]"}, kOwnJobs), (std::vector<long long>{13}));
}

TEST(ResolveHoldJid, ANameOrNumberNamingNoJobIsGridEnginesDenial) {
  EXPECT_EQ(resolve_hold_jid({"align", "nosuch"}, kOwnJobs).error(),
            "denied: job \"nosuch\" not found");
  EXPECT_EQ(resolve_hold_jid({"99"}, kOwnJobs).error(), "denied: job \"99\" not found");
  EXPECT_EQ(resolve_hold_jid({"x*"}, kOwnJobs).error(), "denied: job \"x*\" not found");
  EXPECT_EQ(resolve_hold_jid({"align"}, {}).error(), "denied: job \"align\" not found");
}

TEST(PredecessorAnnotation, FormatsAndParsesJobNumbers) {
  EXPECT_EQ(format_predecessors({12, 13}), "12,13");
  EXPECT_EQ(*parse_predecessors("13,12,13"), (std::vector<long long>{12, 13}));
  for (const char* bad : {"", ",", "12,", "a", "-1", "0", "1 2", "+1", "99999999999999999999"}) {
    EXPECT_FALSE(parse_predecessors(bad).has_value()) << bad;
  }
  std::string many;
  for (int i = 1; i <= 1001; ++i) many += (i > 1 ? "," : "") + std::to_string(i);
  EXPECT_FALSE(parse_predecessors(many).has_value());
}

TEST(PredecessorAnnotation, ReadFromAnyObjectNeverThrows) {
  json object{{"metadata", {{"annotations", {{"k8sjobs.io/hold-jid", "7,3"}}}}}};
  EXPECT_EQ(read_predecessors(object).ids, (std::vector<long long>{3, 7}));
  EXPECT_TRUE(read_predecessors(json::object()).ids.empty());
  EXPECT_FALSE(read_predecessors(json::object()).unreadable);
  EXPECT_TRUE(read_predecessors(json("x")).ids.empty());
  object["metadata"]["annotations"]["k8sjobs.io/hold-jid"] = json::array({7});
  EXPECT_EQ(*read_predecessors(object).unreadable,
            "annotation k8sjobs.io/hold-jid is not a string");
  object["metadata"]["annotations"]["k8sjobs.io/hold-jid"] = "7;\n3";
  auto mark = read_predecessors(object);
  EXPECT_TRUE(mark.ids.empty());
  ASSERT_TRUE(mark.unreadable);
  EXPECT_EQ(mark.unreadable->find('\n'), std::string::npos) << *mark.unreadable;
}

TEST(LinkDependencies, UnfinishedPredecessorsAndTheirSuccessors) {
  std::vector<JobRecord> listing = {record(1, "a", JobState::Running),
                                    record(2, "b", JobState::Failed),
                                    record(3, "c", JobState::Held), record(4, "d", JobState::Held)};
  listing[2].predecessor_jobs = {1, 2, 9};  // 2 finished, 9 gone
  listing[3].predecessor_jobs = {3};
  link_dependencies(listing, /*finished_listed=*/true);
  EXPECT_EQ(listing[2].predecessor_jobs, (std::vector<long long>{1}));
  EXPECT_EQ(listing[0].successor_jobs, (std::vector<long long>{3}));
  EXPECT_TRUE(listing[1].successor_jobs.empty());
  EXPECT_EQ(listing[2].successor_jobs, (std::vector<long long>{4}));
  EXPECT_EQ(listing[3].predecessor_jobs, (std::vector<long long>{3}));
}

}  // namespace
}  // namespace k8sjobs::jobs
