#include <gtest/gtest.h>

#include "k8sjobs/qstat/job_detail.h"
#include "qstat_fixtures.h"

namespace k8sjobs::qstat {
namespace {

using namespace fixtures;

TEST(TimeFormat, CtimeListingAndXml) {
  // Fri Apr  8 13:42:41 2011 UTC
  const jobs::TimePoint t(std::chrono::seconds(1302270161));
  EXPECT_EQ(format_ctime(t, TimeZone::utc()), "Fri Apr  8 13:42:41 2011");
  EXPECT_EQ(format_ctime(t, TimeZone::fixed_offset(std::chrono::hours(12))),
            "Sat Apr  9 01:42:41 2011");
  EXPECT_EQ(format_listing_time(t, TimeZone::utc()), "04/08/2011 13:42:41");
  EXPECT_EQ(format_xml_time(t, TimeZone::fixed_offset(std::chrono::minutes(-90))),
            "2011-04-08T12:12:41");
}

TEST(UsageFormats, CpuAndMemory) {
  EXPECT_EQ(format_cpu_time(std::chrono::seconds(0)), "00:00:00");
  EXPECT_EQ(format_cpu_time(std::chrono::seconds(3725)), "01:02:05");
  EXPECT_EQ(format_cpu_time(std::chrono::seconds(90061)), "1:01:01:01");
  EXPECT_EQ(format_memory(25948160), "24.746M");
  EXPECT_EQ(format_memory(512), "512.000");
  EXPECT_EQ(format_memory(3LL * 1024 * 1024 * 1024), "3.000G");
}

TEST(JobDetail, SimpleJobByteExact) {
  JobRecord j = job(42, "hostname", "alice", 0.5, {task(0, JobState::Pending)});
  j.uid = 1000;
  EXPECT_EQ(render_job_detail({j}, TimeZone::utc()),
            "==============================================================\n"
            "job_number:                 42\n"
            "submission_time:            Fri Jul  2 10:46:14 2021\n"
            "owner:                      alice\n"
            "uid:                        1000\n"
            "group:                      alice\n"
            "notify:                     FALSE\n"
            "job_name:                   hostname\n");
}

// Grid Engine's show_job.c pads these three labels its own way (29, 28 and 29 columns).
TEST(JobDetail, DependencyListsAsGridEnginePrintsThem) {
  JobRecord j = job(42, "index", "alice", 0.5, {task(0, JobState::Held)});
  j.predecessor_requests = {"align", "sam*"};
  j.predecessor_jobs = {40, 41};
  j.successor_jobs = {43};
  const std::string out = render_job_detail({j}, TimeZone::utc());
  EXPECT_NE(out.find("job_name:                   index\n"
                     "jid_predecessor_list (req):  align,sam*\n"
                     "jid_predecessor_list:       40,41\n"
                     "jid_successor_list:          43\n"),
            std::string::npos)
      << out;
}

TEST(JobDetail, EveryFieldGolden) {
  JobRecord j = detailed_job();
  j.execution_time = at(3600);
  j.predecessor_jobs = {1200, 1201};
  j.scheduling_info = "(Collecting of scheduler job information is turned off)";
  expect_golden("detail_full.txt", render_job_detail({j}, TimeZone::utc()));
}

TEST(JobDetail, ArrayWithRunningTasksGolden) {
  const std::vector<JobRecord> all = mixed_jobs();
  expect_golden("detail_array.txt", render_job_detail({all[1], all[11]}, TimeZone::utc()));
  const std::string out = render_job_detail({all[1]}, TimeZone::utc());
  EXPECT_NE(out.find("job-array tasks:            1-10:1\n"), std::string::npos);
  EXPECT_NE(out.find("usage         3:            cpu=00:00:00, mem=0.00000 GB s, io=0.00000 GB, "
                     "vmem=N/A, maxvmem=N/A\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("usage         4:"), std::string::npos);
  EXPECT_EQ(out.find("usage         5:"), std::string::npos);  // pending: no usage
}

TEST(JobDetail, ErrorReasonAndSchedulingInfo) {
  JobRecord j = mixed_jobs()[2];
  j.tasks[0].scheduling_info = "cannot run because it is in error state";
  const std::string out = render_job_detail({j}, TimeZone::utc());
  EXPECT_NE(out.find("error reason    1:          ImagePullBackOff: Back-off pulling image "
                     "\"nope:latest\"\n"
                     "scheduling info:            cannot run because it is in error state\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.substr(out.size() - 1), "\n");
}

TEST(JobDetail, PendingUnschedulableGolden) {
  JobRecord j = job(77, "bigmem", "alice", 0.5, {task(0, JobState::Pending)});
  j.hard_resources = {{"h_vmem", "64G"}};
  j.scheduling_info = "0/3 nodes are available: 3 Insufficient memory.";
  j.tasks[0].scheduling_info =
      "preemption: 0/3 nodes are available: 3 No preemption victims found.";
  expect_golden("detail_unschedulable.txt", render_job_detail({j}, TimeZone::utc()));
  const std::string out = render_job_detail({j}, TimeZone::utc());
  EXPECT_NE(out.find("scheduling info:            0/3 nodes are available: 3 Insufficient memory.\n"
                     "                            preemption:"),
            std::string::npos);
}

TEST(JobDetail, SeveralJobsEachWithItsRule) {
  const std::vector<JobRecord> all = mixed_jobs();
  const std::string out = render_job_detail({all[0], all[3]}, TimeZone::utc());
  const std::string rule = std::string(62, '=') + "\n";
  EXPECT_EQ(out.find(rule), 0u);
  EXPECT_NE(out.find(rule, 1), std::string::npos);
  EXPECT_LT(out.find("job_number:                 42"), out.find("job_number:                 45"));
}

TEST(JobDetail, MissingJobs) {
  EXPECT_EQ(render_missing_jobs({"999"}), "Following jobs do not exist: \n999\n");
  EXPECT_EQ(render_missing_jobs({"999", "1000", "x"}),
            "Following jobs do not exist: \n999, 1000, x\n");
}

}  // namespace
}  // namespace k8sjobs::qstat
