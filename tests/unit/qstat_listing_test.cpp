#include <gtest/gtest.h>

#include "k8sjobs/qstat/listing.h"
#include "k8sjobs/qstat/state.h"
#include "qstat_fixtures.h"

namespace k8sjobs::qstat {
namespace {

using namespace fixtures;

const std::string kHeader =
    "job-ID  prior   name       user         state submit/start at     queue                  "
    "        slots ja-task-ID \n"
    "-------------------------------------------------------------------------------------------"
    "----------------------\n";

TEST(StateLetters, EveryJobState) {
  const JobRecord j;
  EXPECT_EQ(state_letters(j, task(0, JobState::Pending)), "qw");
  EXPECT_EQ(state_letters(j, task(0, JobState::Held)), "hqw");
  EXPECT_EQ(state_letters(j, task(0, JobState::Starting)), "t");
  EXPECT_EQ(state_letters(j, task(0, JobState::Running)), "r");
  EXPECT_EQ(state_letters(j, task(0, JobState::Restarted)), "Rr");
  EXPECT_EQ(state_letters(j, task(0, JobState::Deleting)), "dr");
  TaskRecord dt = task(0, JobState::Deleting);
  dt.deleting_while_starting = true;
  EXPECT_EQ(state_letters(j, dt), "dt");
  EXPECT_EQ(state_letters(j, task(0, JobState::Error)), "Eqw");
  EXPECT_EQ(state_letters(j, task(0, JobState::Succeeded)), "z");
  EXPECT_EQ(state_letters(j, task(0, JobState::Failed)), "z");
}

TEST(StateFilterParse, LettersAndHoldAliases) {
  EXPECT_EQ(parse_state_filter("p"), (StateFilter{true, false, false, false, false}));
  EXPECT_EQ(parse_state_filter("rz"), (StateFilter{false, true, false, true, false}));
  EXPECT_EQ(parse_state_filter("a"), (StateFilter{true, true, true, false, false}));
  for (const char* hold : {"h", "hu", "ho", "hs", "hd", "hj", "ha"}) {
    EXPECT_EQ(parse_state_filter(hold), (StateFilter{false, false, false, false, true})) << hold;
  }
  EXPECT_EQ(parse_state_filter("phu"), (StateFilter{true, false, false, false, true}));
  EXPECT_FALSE(parse_state_filter("x").has_value());
  EXPECT_FALSE(parse_state_filter("").has_value());
  EXPECT_FALSE(parse_state_filter("pq").has_value());
}

TEST(TaskRange, GridEngineRangeStrings) {
  EXPECT_EQ(task_range_string({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1), "1-10:1");
  EXPECT_EQ(task_range_string({7, 3, 4, 5}, 1), "3-5:1,7");
  EXPECT_EQ(task_range_string({4}, 1), "4");
  EXPECT_EQ(task_range_string({1, 3, 5, 9}, 2), "1-5:2,9");
  EXPECT_EQ(task_range_string({1, 2, 4, 5}, 1), "1-2:1,4-5:1");
}

TEST(Listing, NothingToShowPrintsNothing) {
  EXPECT_EQ(render_listing({}, {}, TimeZone::utc()), "");
  ListingOptions only_dave;
  only_dave.users = {"dave"};
  EXPECT_EQ(render_listing(mixed_jobs(), only_dave, TimeZone::utc()), "");
}

TEST(Listing, OneRunningJobByteExact) {
  const std::vector<JobRecord> one = {
      job(42, "hostname", "svennd", 0.5, {task(0, JobState::Running, "node-1", 60)})};
  EXPECT_EQ(render_listing(one, {}, TimeZone::utc()),
            kHeader +
                "     42 0.50000 hostname   svennd       r     07/02/2021 10:47:14 task@node-1    "
                "                    1        \n");
}

TEST(Listing, PendingErrorRowLikeTheReference) {
  const std::vector<JobRecord> one = {
      job(42, "hostname", "svennd", 0.5, {task(0, JobState::Error)})};
  EXPECT_EQ(render_listing(one, {}, TimeZone::utc()),
            kHeader +
                "     42 0.50000 hostname   svennd       Eqw   07/02/2021 10:46:14              "
                "                      1        \n");
}

TEST(Listing, TimesAreLocalToTheGivenZone) {
  const std::vector<JobRecord> one = {job(7, "x", "u", 0, {task(0, JobState::Pending)})};
  const std::string kolkata =
      render_listing(one, {}, TimeZone::fixed_offset(std::chrono::minutes(330)));
  EXPECT_NE(kolkata.find(" qw    07/02/2021 16:16:14 "), std::string::npos) << kolkata;
  const std::string la = render_listing(one, {}, TimeZone::fixed_offset(std::chrono::hours(-7)));
  EXPECT_NE(la.find(" qw    07/02/2021 03:46:14 "), std::string::npos) << la;
}

TEST(Listing, AllUsersGolden) {
  expect_golden("listing_all.txt", render_listing(mixed_jobs(), {}, TimeZone::utc()));
}

TEST(Listing, OrderRunningByQueueThenPendingByPriority) {
  const std::string out = render_listing(mixed_jobs(), {}, TimeZone::utc());
  std::vector<std::string> ids;
  size_t pos = kHeader.size();
  while (pos < out.size()) {
    const size_t end = out.find('\n', pos);
    ids.push_back(out.substr(pos, 7) + "/" + out.substr(pos + 103, end - pos - 103));
    pos = end + 1;
  }
  const std::vector<std::string> expected = {
      "     47/       ",  // continuous@node-3
      "     42/       ",  // task@node-1
      "     43/4",       "     48/       ",      "     43/3",       "     46/       ",
      "     49/       ",  // task@node-2
      "     53/7",        // task@node-3
      "     50/       ",  // pending, highest priority
      "     43/8",       "     43/5-7:1,9-10:1", "     44/       ", "     45/       ",
      "     53/1-5:2,9"};
  EXPECT_EQ(ids, expected) << out;
}

TEST(Listing, LongNamesAndUsersAreTruncated) {
  const std::string out = render_listing(mixed_jobs(), {}, TimeZone::utc());
  EXPECT_NE(out.find("     50 0.75000 averyveryv averyverylon qw    07/02/2021 10:46:44 "),
            std::string::npos)
      << out;
}

TEST(Listing, UserFilter) {
  ListingOptions alice;
  alice.users = {"alice"};
  expect_golden("listing_alice.txt", render_listing(mixed_jobs(), alice, TimeZone::utc()));
  ListingOptions two;
  two.users = {"bob", "carol"};
  const std::string out = render_listing(mixed_jobs(), two, TimeZone::utc());
  EXPECT_EQ(out.find("alice"), std::string::npos);
  EXPECT_NE(out.find(" bob "), std::string::npos);
  EXPECT_NE(out.find(" carol "), std::string::npos);
  ListingOptions star;
  star.users = {"*"};
  EXPECT_EQ(render_listing(mixed_jobs(), star, TimeZone::utc()),
            render_listing(mixed_jobs(), {}, TimeZone::utc()));
}

TEST(Listing, StateFilters) {
  ListingOptions options;
  options.states = *parse_state_filter("z");
  expect_golden("listing_z.txt", render_listing(mixed_jobs(), options, TimeZone::utc()));

  options.states = *parse_state_filter("r");
  const std::string running = render_listing(mixed_jobs(), options, TimeZone::utc());
  EXPECT_EQ(running.find("qw"), std::string::npos);
  EXPECT_NE(running.find(" dt "), std::string::npos);
  EXPECT_NE(running.find(" Rr "), std::string::npos);

  options.states = *parse_state_filter("p");
  const std::string pending = render_listing(mixed_jobs(), options, TimeZone::utc());
  EXPECT_EQ(pending.find(" r "), std::string::npos);
  EXPECT_NE(pending.find(" Eqw "), std::string::npos);
  EXPECT_NE(pending.find(" hqw "), std::string::npos);

  options.states = *parse_state_filter("hu");
  EXPECT_EQ(render_listing(mixed_jobs(), options, TimeZone::utc()),
            kHeader +
                "     45 0.50000 waiter     carol        hqw   07/02/2021 10:46:34              "
                "                      1        \n");

  options.states = *parse_state_filter("s");  // nothing is suspended on Kubernetes
  EXPECT_EQ(render_listing(mixed_jobs(), options, TimeZone::utc()), "");
}

TEST(Listing, ResourcesGolden) {
  std::vector<JobRecord> jobs = {detailed_job(), mixed_jobs()[2]};
  jobs[0].predecessor_jobs = {1200, 1201};
  ListingOptions options;
  options.resources = true;
  expect_golden("listing_r.txt", render_listing(jobs, options, TimeZone::utc()));
}

TEST(Listing, FullGolden) {
  ListingOptions options;
  options.full = true;
  options.states = *parse_state_filter("prz");
  options.nodes["node-1"] = NodeInfo{8, 0.25, "lx-amd64", ""};
  expect_golden("listing_f.txt", render_listing(mixed_jobs(), options, TimeZone::utc()));
}

sys::Environment env(std::map<std::string, std::string> vars) {
  return sys::Environment(std::move(vars));
}

TEST(Listing, LongQueueNames) {
  EXPECT_EQ(queue_name_width_from_env(sys::Environment()), 30);
  EXPECT_EQ(queue_name_width_from_env(env({{"SGE_LONG_QNAMES", "40"}})), 40);
  EXPECT_EQ(queue_name_width_from_env(env({{"SGE_LONG_QNAMES", "-1"}})), -1);
  EXPECT_EQ(queue_name_width_from_env(env({{"SGE_LONG_QNAMES", "x"}})), 30);

  const std::vector<JobRecord> one = {job(
      1, "j", "u", 0.5, {task(0, JobState::Running, "ip-10-0-0-1.eu-west-1.compute.internal", 0)})};
  ListingOptions automatic;
  automatic.queue_name_width = -1;
  const std::string out = render_listing(one, automatic, TimeZone::utc());
  const std::string queue = "task@ip-10-0-0-1.eu-west-1.compute.internal";  // 43 characters
  EXPECT_NE(out.find(" " + queue + "     1        \n"), std::string::npos) << out;
  EXPECT_NE(out.find("queue" + std::string(39, ' ') + "slots"), std::string::npos) << out;
  EXPECT_NE(out.find("\n" + std::string(83 + 43, '-') + "\n"), std::string::npos);
  const std::string truncated = render_listing(one, {}, TimeZone::utc());
  EXPECT_NE(truncated.find(" task@ip-10-0-0-1.eu-west-1.com     1 "), std::string::npos);
}

}  // namespace
}  // namespace k8sjobs::qstat
