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

#include "k8sjobs/status/controller_metrics.h"
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
  return records;
}

StatusSnapshot snapshot_of(std::vector<jobs::JobRecord> records) {
  return build_status_snapshot(std::move(records), at(3600));
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
  ASSERT_EQ(snapshot.namespaces.size(), 2u);
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
  expect_golden("job.html", render_job_html(snapshot, "tool-beta", *job));
  expect_golden("job.json", render_job_json("tool-beta", *job));
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

}  // namespace
}  // namespace k8sjobs::status
