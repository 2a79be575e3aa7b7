#include <gtest/gtest.h>

#include <sys/wait.h>

#include "k8sjobs/qstat/job_detail.h"
#include "k8sjobs/qstat/listing.h"
#include "k8sjobs/qstat/xml.h"
#include "qstat_fixtures.h"
#include "support/build_paths.h"

namespace k8sjobs::qstat {
namespace {

using namespace fixtures;

// Runs xmllint --schema on `xml`; returns its exit status and output.
std::pair<int, std::string> xmllint(const std::string& xml, const std::string& schema) {
  testing::TempDir dir;
  const auto file = dir.write("out.xml", xml);
  const auto log = dir.path() / "xmllint.log";
  const std::string command = "xmllint --noout --schema '" + std::string(K8SJOBS_TEST_DATA_DIR) +
                              "/qstat/" + schema + "' '" + file.string() + "' > '" + log.string() +
                              "' 2>&1";
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::read_file(log)};
}

void expect_valid(const std::string& xml, const std::string& schema) {
  const auto [status, output] = xmllint(xml, schema);
  EXPECT_EQ(status, 0) << output << "\n" << xml;
}

TEST(XmlEscape, AllFiveCharacters) {
  EXPECT_EQ(xml_escape("a&b<c>d'e\"f"), "a&amp;b&lt;c&gt;d&apos;e&quot;f");
  EXPECT_EQ(xml_escape("plain"), "plain");
}

TEST(ListingXml, EmptyDocument) {
  const std::string xml = render_listing_xml({}, {}, TimeZone::utc());
  EXPECT_EQ(xml,
            "<?xml version='1.0'?>\n"
            "<job_info  xmlns:xsd=\"http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/"
            "resources/schemas/qstat/qstat.xsd\">\n"
            "  <queue_info>\n"
            "  </queue_info>\n"
            "  <job_info>\n"
            "  </job_info>\n"
            "</job_info>\n");
  expect_valid(xml, "qstat-nons.xsd");
}

TEST(ListingXml, RunningAndPendingByteExact) {
  JobRecord running = job(42, "x", "alice", 0.555, {task(0, JobState::Running, "host", 0)});
  JobRecord pending = job(43, "y", "alice", 0, {}, 10);
  pending.array = ArrayRange{1, 10, 1};
  for (int i = 1; i <= 10; ++i) pending.tasks.push_back(task(i, JobState::Pending));
  const std::string xml = render_listing_xml({running, pending}, {}, TimeZone::utc());
  EXPECT_EQ(xml,
            "<?xml version='1.0'?>\n"
            "<job_info  xmlns:xsd=\"http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/"
            "resources/schemas/qstat/qstat.xsd\">\n"
            "  <queue_info>\n"
            "    <job_list state=\"running\">\n"
            "      <JB_job_number>42</JB_job_number>\n"
            "      <JAT_prio>0.55500</JAT_prio>\n"
            "      <JB_name>x</JB_name>\n"
            "      <JB_owner>alice</JB_owner>\n"
            "      <state>r</state>\n"
            "      <JAT_start_time>2021-07-02T10:46:14</JAT_start_time>\n"
            "      <queue_name>task@host</queue_name>\n"
            "      <slots>1</slots>\n"
            "    </job_list>\n"
            "  </queue_info>\n"
            "  <job_info>\n"
            "    <job_list state=\"pending\">\n"
            "      <JB_job_number>43</JB_job_number>\n"
            "      <JAT_prio>0.00000</JAT_prio>\n"
            "      <JB_name>y</JB_name>\n"
            "      <JB_owner>alice</JB_owner>\n"
            "      <state>qw</state>\n"
            "      <JB_submission_time>2021-07-02T10:46:24</JB_submission_time>\n"
            "      <queue_name></queue_name>\n"
            "      <slots>1</slots>\n"
            "      <tasks>1-10:1</tasks>\n"
            "    </job_list>\n"
            "  </job_info>\n"
            "</job_info>\n");
  expect_valid(xml, "qstat-nons.xsd");
}

TEST(ListingXml, MixedFixturesGoldenAndValid) {
  ListingOptions all;
  all.states = *parse_state_filter("prz");
  const std::string xml = render_listing_xml(mixed_jobs(), all, TimeZone::utc());
  expect_golden("listing_all.xml", xml);
  expect_valid(xml, "qstat-nons.xsd");

  ListingOptions full = all;
  full.full = true;
  full.resources = true;
  full.nodes["node-1"] = NodeInfo{8, 0.25, "lx-amd64", ""};
  std::vector<JobRecord> jobs = mixed_jobs();
  jobs.push_back(detailed_job());
  jobs.back().predecessor_jobs = {42};
  const std::string full_xml = render_listing_xml(jobs, full, TimeZone::utc());
  expect_golden("listing_f.xml", full_xml);
  expect_valid(full_xml, "qstat-nons.xsd");
}

TEST(ListingXml, NamesAreEscaped) {
  const std::vector<JobRecord> one = {
      job(5, "a<b>&'c\"", "o'neil", 0.5, {task(0, JobState::Pending)})};
  const std::string xml = render_listing_xml(one, {}, TimeZone::utc());
  EXPECT_NE(xml.find("<JB_name>a&lt;b&gt;&amp;&apos;c&quot;</JB_name>"), std::string::npos);
  EXPECT_NE(xml.find("<JB_owner>o&apos;neil</JB_owner>"), std::string::npos);
  expect_valid(xml, "qstat-nons.xsd");
}

TEST(DetailXml, GoldenAndValid) {
  JobRecord full = detailed_job();
  full.predecessor_jobs = {1200};
  full.scheduling_info = "(Collecting of scheduler job information is turned off)";
  full.name = "cron<3>&co";
  const std::vector<JobRecord> all = mixed_jobs();
  const std::string xml = render_job_detail_xml({full, all[1], all[2]}, TimeZone::utc());
  expect_golden("detail.xml", xml);
  expect_valid(xml, "detailed_job_info-k8sjobs.xsd");
  EXPECT_NE(xml.find("<JB_job_name>cron&lt;3&gt;&amp;co</JB_job_name>"), std::string::npos);
}

TEST(DetailXml, MinimalJobsValidateToo) {
  const std::vector<JobRecord> all = mixed_jobs();
  for (const JobRecord& j : all) {
    expect_valid(render_job_detail_xml({j}, TimeZone::utc()), "detailed_job_info-k8sjobs.xsd");
  }
}

TEST(DetailXml, PublishedSchemaRejectsRealJobs) {
  // Why the relaxed copy exists: the published schema wants exactly one item in every list.
  const auto [status, output] = xmllint(render_job_detail_xml({mixed_jobs()[0]}, TimeZone::utc()),
                                        "detailed_job_info-nons.xsd");
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("fails to validate"), std::string::npos) << output;
}

}  // namespace
}  // namespace k8sjobs::qstat
