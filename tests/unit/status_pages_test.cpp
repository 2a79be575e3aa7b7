// SPDX-License-Identifier: Apache-2.0
// The status page from qstat's records: golden HTML and JSON of the three pages (tests/data/
// status/), escaping of hostile names, sorting, and the routes (405, 404, readiness).
// Regenerate the golden files after a reviewed change:
//   K8SJOBS_UPDATE_GOLDEN=1 build/tests/k8sjobs_unit_tests --gtest_filter='StatusPages.*'

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "k8sjobs/status/cluster_usage.h"
#include "k8sjobs/status/controller_metrics.h"
#include "k8sjobs/status/job_events.h"
#include "k8sjobs/status/status_pages.h"
#include "k8sjobs/status/status_routes.h"
#include "k8sjobs/status/status_snapshot.h"
#include "qstat_fixtures.h"
#include "support/build_paths.h"

namespace k8sjobs::status {
namespace {

using qstat::fixtures::at;

std::vector<jobs::JobRecord> two_tools() {
  auto records = qstat::fixtures::mixed_jobs();
  for (auto& record : records) record.backend_namespace = "tool-alpha";
  auto detailed = qstat::fixtures::detailed_job();
  detailed.backend_namespace = "tool-beta";
  records.push_back(detailed);
  auto deferred = qstat::fixtures::job(2000, "later", "tools.beta", 0.5,
                                       {qstat::fixtures::task(0, jobs::JobState::Pending)});
  deferred.execution_time = at(7200);
  deferred.backend_namespace = "tool-beta";
  records.push_back(deferred);
  for (auto& record : records) {
    if (record.id == 51) record.tasks[0].end_time = at(3000);  // within the hour before at(3600)
    if (record.id == 52) record.tasks[0].end_time = at(-10);   // before it
    if (record.id == 43) record.tasks[0].end_time = at(3500);  // task 1
  }
  return records;
}

// Capacity, memory in use and finished tasks remembered beyond their jobs.
ClusterFacts cluster_facts() {
  ClusterFacts facts;
  facts.capacity = ClusterCapacity{3, 11760, 3 * (16LL << 30)};
  facts.memory = MemoryUsage{{{"tool-alpha", 42, 0}, 300LL << 20},
                             {{"tool-alpha", 43, 2}, 1536LL << 20},  // task 3 of 1-10
                             {{"tool-beta", 1234, 0}, 25948160}};
  facts.finished = {{{"tool-alpha", 51, 0}, at(3000)},  // also in the records: counted once
                    {{"tool-gone", 7, 0}, at(1000)},    // its Job is gone
                    {{"tool-gone", 8, 0}, at(-5)}};     // more than an hour ago
  return facts;
}

StatusSnapshot snapshot_of(std::vector<jobs::JobRecord> records) {
  return build_status_snapshot(std::move(records), at(3600), cluster_facts());
}

// Events of job 1234 as the API server lists them: kubelet (core/v1), scheduler
// (events.k8s.io: eventTime only), the Job controller; one hostile.
std::vector<nlohmann::json> job_event_objects() {
  using nlohmann::json;
  return {
      json{{"involvedObject", {{"kind", "Pod"}, {"name", "cron-3-x7k2p"}}},
           {"reason", "Scheduled"},
           {"message", "Successfully assigned tool-beta/cron-3-x7k2p to node-7"},
           {"type", "Normal"},
           {"firstTimestamp", nullptr},
           {"lastTimestamp", nullptr},
           {"eventTime", "2021-07-02T11:46:00.123456Z"}},
      json{{"involvedObject", {{"kind", "Job"}, {"name", "cron-3"}}},
           {"reason", "SuccessfulCreate"},
           {"message", "Created pod: cron-3-x7k2p"},
           {"type", "Normal"},
           {"count", 1},
           {"lastTimestamp", "2021-07-02T11:45:59Z"}},
      json{{"involvedObject", {{"kind", "Pod"}, {"name", "cron-3-x7k2p"}}},
           {"reason", "BackOff"},
           {"message", "<img src=x onerror=alert(3)> Back-off pulling image \"x\""},
           {"type", "Warning"},
           {"count", 4},
           {"lastTimestamp", "2021-07-02T11:46:10Z"}},
  };
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(K8SJOBS_TEST_DATA_DIR) + "/status/" + name;
  if (std::getenv("K8SJOBS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; regenerate (see the top of this file)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(expected.str(), actual) << "differs from " << path;
}

TEST(StatusSnapshot, CountsTasksByQstatStateAndJobs) {
  auto snapshot = snapshot_of(two_tools());
  ASSERT_EQ(snapshot.namespaces.size(), 3u);  // tool-gone: only a task finished within the hour
  const auto& alpha = snapshot.namespaces.at("tool-alpha");
  EXPECT_EQ(alpha.jobs, 12);
  EXPECT_EQ(alpha.tasks_by_state.at("r"), 4);
  EXPECT_EQ(alpha.tasks_by_state.at("Eqw"), 2);
  EXPECT_EQ(alpha.tasks_by_state.at("hqw"), 1);
  EXPECT_EQ(alpha.tasks_by_state.at("Rr"), 1);
  EXPECT_EQ(alpha.tasks_by_state.at("z"), 4);
  EXPECT_EQ(alpha.held_jobs, 1);
  const auto& beta = snapshot.namespaces.at("tool-beta");
  EXPECT_EQ(beta.deferred_jobs, 1);
  ASSERT_NE(snapshot.find_job("tool-beta", 1234), nullptr);
  EXPECT_EQ(snapshot.find_job("tool-alpha", 1234), nullptr);
  // What no page may show: the environment and the arguments.
  EXPECT_TRUE(snapshot.find_job("tool-beta", 1234)->environment.empty());
  EXPECT_TRUE(snapshot.find_job("tool-beta", 1234)->submit_environment.empty());
  EXPECT_TRUE(snapshot.find_job("tool-beta", 1234)->job_args.empty());
}

TEST(StatusPages, OverviewGolden) {
  auto snapshot = snapshot_of(two_tools());
  expect_golden("overview.html", render_overview_html(snapshot));
  expect_golden("overview.json", render_overview_json(snapshot));
}

TEST(StatusPages, ToolPageGolden) {
  auto snapshot = snapshot_of(two_tools());
  const auto& alpha = snapshot.namespaces.at("tool-alpha");
  expect_golden("tool.html", render_tool_html(snapshot, alpha, parse_table_sort("-state")));
  expect_golden("tool.json", render_tool_json(alpha));
}

TEST(StatusPages, JobPageGolden) {
  auto snapshot = snapshot_of(two_tools());
  const auto* job = snapshot.find_job("tool-beta", 1234);
  ASSERT_NE(job, nullptr);
  const JobEvents events = job_events_from(job_event_objects());
  expect_golden("job.html", render_job_html(snapshot, "tool-beta", *job, &events));
  expect_golden("job.json", render_job_json("tool-beta", *job, &events));
  // qstat -j's lines stay lines in the <pre>.
  EXPECT_NE(render_job_html(snapshot, "tool-beta", *job, &events).find("\njob_number:"),
            std::string::npos);
  // Escaped like every text from the cluster.
  EXPECT_EQ(render_job_html(snapshot, "tool-beta", *job, &events).find("<img"), std::string::npos);
  // The environment is not on either page.
  EXPECT_EQ(render_job_html(snapshot, "tool-beta", *job).find("SGE_O_PATH"), std::string::npos);
  EXPECT_EQ(render_job_json("tool-beta", *job).find("C.UTF-8"), std::string::npos);
}

TEST(StatusPages, HostileNamesAreEscapedEverywhere) {
  auto hostile = qstat::fixtures::job(7, "<script>alert(1)</script>\"'&\x1b[31m", "<b>", 0.5,
                                      {qstat::fixtures::task(0, jobs::JobState::Error)});
  hostile.tasks[0].error_reason = "<img src=x onerror=alert(2)>";
  hostile.backend_namespace = "ns";
  auto snapshot = snapshot_of({hostile});
  const auto& space = snapshot.namespaces.at("ns");
  for (const std::string& html :
       {render_overview_html(snapshot), render_tool_html(snapshot, space, {}),
        render_job_html(snapshot, "ns", *snapshot.find_job("ns", 7))}) {
    EXPECT_EQ(html.find("<script>alert"), std::string::npos) << html;
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find('\x1b'), std::string::npos);
  }
  EXPECT_NE(render_tool_html(snapshot, space, {})
                .find("&lt;script&gt;alert(1)&lt;/script&gt;"
                      "&quot;&#39;&amp;[31m"),
            std::string::npos);
  auto json = nlohmann::json::parse(render_tool_json(space));
  EXPECT_EQ(json["jobs"][0]["name"], "<script>alert(1)</script>\"'&\x1b[31m");
}

TEST(StatusSnapshot, FinishedInTheLastHourCountsEachTaskOnceAlsoWhenItsJobIsGone) {
  auto snapshot = snapshot_of(two_tools());
  // Job 51 (in the records and remembered) and task 43.1; not job 52 (ended before the hour).
  EXPECT_EQ(snapshot.namespaces.at("tool-alpha").finished_last_hour, 2);
  EXPECT_EQ(snapshot.namespaces.at("tool-beta").finished_last_hour, 0);
  // A tool whose jobs are all gone still has its row.
  ASSERT_EQ(snapshot.namespaces.count("tool-gone"), 1u);
  EXPECT_EQ(snapshot.namespaces.at("tool-gone").finished_last_hour, 1);
  EXPECT_EQ(snapshot.namespaces.at("tool-gone").jobs, 0);
  // Exactly an hour ago is outside; the snapshot's own second is inside.
  ClusterFacts edges;
  edges.finished = {{{"ns", 1, 0}, at(0)}, {{"ns", 2, 0}, at(3600)}};
  EXPECT_EQ(build_status_snapshot({}, at(3600), edges).namespaces.at("ns").finished_last_hour, 1);
}

TEST(StatusSnapshot, MemoryInUseOnlyForRunningTasksWhenMetricsAnswered) {
  auto snapshot = snapshot_of(two_tools());
  EXPECT_TRUE(snapshot.memory_known);
  const auto& alpha = snapshot.namespaces.at("tool-alpha");
  EXPECT_EQ(alpha.memory_used, (300LL << 20) + (1536LL << 20));
  for (const auto& row : alpha.rows) {
    if (row.id == 43 && row.task_id == 3) {
      EXPECT_EQ(row.memory_used, 1536LL << 20);
    }
    if (row.id == 43 && row.task_id == 4) {
      EXPECT_FALSE(row.memory_used);
    }  // no metrics
  }
  auto without = build_status_snapshot(two_tools(), at(3600));
  EXPECT_FALSE(without.memory_known);
  EXPECT_FALSE(without.namespaces.at("tool-alpha").memory_used);
}

TEST(StatusPages, CapacityAndMemoryThatCannotBeReadAreSaidQuietly) {
  ClusterFacts facts;
  facts.capacity_note = "the controller may not list nodes";
  facts.memory_note = "this cluster does not serve pod metrics (metrics.k8s.io)";
  auto snapshot = build_status_snapshot(two_tools(), at(3600), facts);
  const std::string html = render_overview_html(snapshot);
  EXPECT_NE(html.find("Cluster capacity: not shown (the controller may not list nodes)."),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("Memory in use: unknown (this cluster does not serve pod metrics"),
            std::string::npos);
  EXPECT_EQ(html.find("memory used</th>"), std::string::npos);  // no column of blanks
  auto json = nlohmann::json::parse(render_overview_json(snapshot));
  EXPECT_TRUE(json["capacity"].is_null());
  EXPECT_EQ(json["capacity_note"], "the controller may not list nodes");
  EXPECT_TRUE(json["namespaces"][0]["memory_used_bytes"].is_null());
}

TEST(JobEvents, NewestFirstOneRowPerRepeatCappedAndCut) {
  using nlohmann::json;
  std::vector<json> objects;
  for (int i = 0; i < 30; ++i) {
    objects.push_back(json{{"involvedObject", {{"kind", "Pod"}, {"name", "p"}}},
                           {"reason", "R" + std::to_string(i)},
                           {"message", "m"},
                           {"lastTimestamp", "2021-07-02T11:00:" + std::string(i < 10 ? "0" : "") +
                                                 std::to_string(i) + "Z"}});
  }
  // The same event twice (an older copy), one without any time, garbage.
  objects.push_back(objects[29]);
  objects.back()["lastTimestamp"] = "2021-07-02T10:00:00Z";
  objects.push_back(json{{"reason", "NoTime"}, {"message", std::string(2000, 'x')}});
  objects.push_back(json::array({1, 2}));
  objects.push_back(json{{"reason", 7}, {"count", "many"}, {"involvedObject", "x"}});
  const JobEvents events = job_events_from(objects);
  ASSERT_EQ(events.events.size(), kMaxJobEvents);
  EXPECT_EQ(events.events[0].reason, "R29");
  EXPECT_EQ(events.events[19].reason, "R10");
  EXPECT_EQ(events.left_out, 12);  // R9..R0, the one without a time, the one of wrong types
  // Cut on a UTF-8 boundary, "..." appended; bytes that are not UTF-8 shown as U+FFFD.
  EXPECT_EQ(cut_text("h\xc3\xa9llo", 2), "h...");
  EXPECT_EQ(cut_text("\xff", 10), "\xef\xbf\xbd");
  EXPECT_EQ(cut_text(std::string(600, 'y'), kMaxEventMessageBytes).size(),
            kMaxEventMessageBytes + 3);
}

TEST(ClusterUsage, CapacityFromAllocatableOfSchedulableNodes) {
  using nlohmann::json;
  std::vector<json> nodes = {
      json{{"status", {{"allocatable", {{"cpu", "3920m"}, {"memory", "16393620Ki"}}}}}},
      json{{"status", {{"allocatable", {{"cpu", "4"}, {"memory", "16Gi"}}}}}},
      json{{"spec", {{"unschedulable", true}}},
           {"status", {{"allocatable", {{"cpu", "8"}, {"memory", "32Gi"}}}}}},
      json{{"status", {{"allocatable", {{"cpu", "lots"}, {"memory", 5}}}}}},
  };
  const ClusterCapacity capacity = capacity_from_nodes(nodes);
  EXPECT_EQ(capacity.nodes, 3);
  EXPECT_EQ(capacity.cpu_millis, 7920);
  EXPECT_EQ(capacity.memory_bytes, 16393620LL * 1024 + (16LL << 30));
  EXPECT_EQ(format_bytes(capacity.memory_bytes), "31.6 GiB");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(300LL << 20), "300 MiB");
}

TEST(ClusterUsage, MemoryOfK8sjobsPodsFromPodMetrics) {
  using nlohmann::json;
  // The shape metrics-server serves (metrics.k8s.io/v1beta1 PodMetricsList items).
  std::vector<json> items = {
      json{{"metadata",
            {{"name", "x-0-abcde"},
             {"namespace", "tool-a"},
             {"labels",
              {{"k8sjobs.io/job-id", "12"}, {"batch.kubernetes.io/job-completion-index", "3"}}}}},
           {"timestamp", "2026-12-04T10:00:00Z"},
           {"window", "15.012s"},
           {"containers",
            json::array({{{"name", "job"}, {"usage", {{"cpu", "1234567n"}, {"memory", "2Mi"}}}},
                         {{"name", "side"}, {"usage", {{"cpu", "0"}, {"memory", "1024Ki"}}}}})}},
      json{{"metadata",
            {{"name", "y"}, {"namespace", "tool-a"}, {"labels", {{"k8sjobs.io/job-id", "13"}}}}},
           {"containers", json::array({{{"name", "job"}, {"usage", {{"memory", "100"}}}}})}},
      json{{"metadata", {{"name", "not-ours"}, {"namespace", "tool-a"}}},
           {"containers", json::array({{{"name", "c"}, {"usage", {{"memory", "1Gi"}}}}})}},
      json{{"metadata",
            {{"name", "bad-index"},
             {"namespace", "tool-a"},
             {"labels",
              {{"k8sjobs.io/job-id", "14"}, {"batch.kubernetes.io/job-completion-index", "-1"}}}}},
           {"containers", json::array({{{"name", "c"}, {"usage", {{"memory", "1Gi"}}}}})}},
  };
  const MemoryUsage usage = memory_from_pod_metrics(items);
  EXPECT_EQ(usage, (MemoryUsage{{{"tool-a", 12, 3}, 3LL << 20}, {{"tool-a", 13, 0}, 100}}));
}

TEST(StatusPages, SortParsesKnownColumnsOnly) {
  EXPECT_EQ(parse_table_sort("-restarts").column, "restarts");
  EXPECT_TRUE(parse_table_sort("-restarts").descending);
  EXPECT_EQ(parse_table_sort("bogus\"><x").column, "id");
  EXPECT_FALSE(parse_table_sort("-bogus").descending);
  auto snapshot = snapshot_of(two_tools());
  const auto& alpha = snapshot.namespaces.at("tool-alpha");
  auto html = render_tool_html(snapshot, alpha, parse_table_sort("name"));
  // By name: "arr" rows before "averyvery...", "webservice" last.
  EXPECT_LT(html.find(">arr<"), html.find(">averyveryverylongjobname<"));
  EXPECT_LT(html.find(">stepped<"), html.find(">webservice<"));
  auto reversed = render_tool_html(snapshot, alpha, parse_table_sort("-name"));
  EXPECT_GT(reversed.find(">arr<"), reversed.find(">webservice<"));
}

TEST(StatusRoutes, ReadOnlyAndEveryUrl) {
  MetricsRegistry metrics;
  metric::describe_controller_metrics(metrics);
  auto snapshot = std::make_shared<const StatusSnapshot>(snapshot_of(two_tools()));
  auto get = [&](const std::string& path, std::map<std::string, std::string> query = {}) {
    return route_status_request({"GET", path, std::move(query)}, snapshot, true, metrics);
  };
  EXPECT_EQ(route_status_request({"POST", "/", {}}, snapshot, true, metrics).status, 405);
  EXPECT_EQ(
      route_status_request({"DELETE", "/api/v1/overview", {}}, snapshot, true, metrics).status,
      405);
  EXPECT_EQ(get("/").status, 200);
  EXPECT_EQ(get("/healthz").body, "ok\n");
  EXPECT_EQ(get("/readyz").status, 200);
  EXPECT_EQ(get("/api/v1/overview").content_type, "application/json");
  EXPECT_EQ(get("/namespaces/tool-alpha", {{"sort", "-id"}}).status, 200);
  EXPECT_EQ(get("/api/v1/namespaces/tool-alpha/jobs").status, 200);
  EXPECT_EQ(get("/api/v1/namespaces/tool-beta/jobs/1234").status, 200);
  EXPECT_EQ(get("/namespaces/tool-beta/jobs/1234").status, 200);
  EXPECT_EQ(get("/namespaces/tool-beta/jobs/42").status, 404);
  EXPECT_EQ(get("/namespaces/tool-beta/jobs/12x").status, 404);
  EXPECT_EQ(get("/namespaces/nope").status, 404);
  EXPECT_EQ(get("/api/v1/namespaces/nope/jobs").body, "{\"error\":\"not found\"}\n");
  EXPECT_NE(get("/metrics").content_type.find("version=0.0.4"), std::string::npos);
  auto not_ready = route_status_request({"GET", "/readyz", {}}, nullptr, false, metrics);
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(route_status_request({"GET", "/", {}}, nullptr, false, metrics).status, 503);
  EXPECT_EQ(route_status_request({"GET", "/healthz", {}}, nullptr, false, metrics).status, 200);
}

TEST(StatusRoutes, JobPagesAskForTheJobsEventsOthersDoNot) {
  MetricsRegistry metrics;
  metric::describe_controller_metrics(metrics);
  auto snapshot = std::make_shared<const StatusSnapshot>(snapshot_of(two_tools()));
  std::vector<std::string> asked;
  const JobEventsLookup lookup = [&](const std::string& ns, const jobs::JobRecord& job) {
    asked.push_back(ns + "/" + std::to_string(job.id));
    JobEvents events;
    events.unavailable = "the controller may not list Events here (RBAC)";
    return events;
  };
  auto get = [&](const std::string& path) {
    return route_status_request({"GET", path, {}}, snapshot, true, metrics, lookup);
  };
  EXPECT_EQ(get("/").status, 200);
  EXPECT_EQ(get("/namespaces/tool-beta").status, 200);
  EXPECT_TRUE(asked.empty());
  auto html = get("/namespaces/tool-beta/jobs/1234");
  EXPECT_NE(html.body.find("Not shown: the controller may not list Events here (RBAC)."),
            std::string::npos);
  auto json = nlohmann::json::parse(get("/api/v1/namespaces/tool-beta/jobs/1234").body);
  EXPECT_TRUE(json["events"].is_null());
  EXPECT_EQ(json["events_unavailable"], "the controller may not list Events here (RBAC)");
  EXPECT_EQ(asked, (std::vector<std::string>{"tool-beta/1234", "tool-beta/1234"}));
  // Without a lookup the page says so.
  auto plain =
      route_status_request({"GET", "/namespaces/tool-beta/jobs/1234", {}}, snapshot, true, metrics);
  EXPECT_NE(plain.body.find("Not looked up."), std::string::npos);
}

}  // namespace
}  // namespace k8sjobs::status
