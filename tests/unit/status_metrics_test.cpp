// SPDX-License-Identifier: Apache-2.0
// /metrics: the exposition text of the registry (format 0.0.4) and the controller's metrics.

#include <gtest/gtest.h>

#include <sstream>

#include "k8sjobs/status/controller_metrics.h"
#include "k8sjobs/status/metrics_registry.h"
#include "qstat_fixtures.h"

namespace k8sjobs::status {
namespace {

TEST(MetricsRegistry, ExpositionOfEachType) {
  MetricsRegistry metrics;
  metrics.describe("k8sjobs_test_total", MetricsRegistry::Type::Counter, "Things \\ counted\nhere");
  metrics.describe("k8sjobs_test_items", MetricsRegistry::Type::Gauge, "Items");
  metrics.describe("k8sjobs_test_seconds", MetricsRegistry::Type::Histogram, "Durations", {0.1, 1});
  metrics.add("k8sjobs_test_total", {{"kind", "jobs"}});
  metrics.add("k8sjobs_test_total", {{"kind", "jobs"}}, 2);
  metrics.set("k8sjobs_test_items", {{"namespace", "a\"b\\c\nd"}}, 1.5);
  metrics.observe("k8sjobs_test_seconds", {}, 0.05);
  metrics.observe("k8sjobs_test_seconds", {}, 0.5);
  metrics.observe("k8sjobs_test_seconds", {}, 7);
  EXPECT_EQ(metrics.exposition(),
            "# HELP k8sjobs_test_items Items\n"
            "# TYPE k8sjobs_test_items gauge\n"
            "k8sjobs_test_items{namespace=\"a\\\"b\\\\c\\nd\"} 1.5\n"
            "# HELP k8sjobs_test_seconds Durations\n"
            "# TYPE k8sjobs_test_seconds histogram\n"
            "k8sjobs_test_seconds_bucket{le=\"0.1\"} 1\n"
            "k8sjobs_test_seconds_bucket{le=\"1\"} 2\n"
            "k8sjobs_test_seconds_bucket{le=\"+Inf\"} 3\n"
            "k8sjobs_test_seconds_sum 7.55\n"
            "k8sjobs_test_seconds_count 3\n"
            "# HELP k8sjobs_test_total Things \\\\ counted\\nhere\n"
            "# TYPE k8sjobs_test_total counter\n"
            "k8sjobs_test_total{kind=\"jobs\"} 3\n");
  metrics.reset("k8sjobs_test_items");
  EXPECT_EQ(metrics.exposition().find("k8sjobs_test_items{"), std::string::npos);
  EXPECT_THROW(metrics.add("k8sjobs_undescribed"), std::logic_error);
}

TEST(MetricsRegistry, SampleValues) {
  EXPECT_EQ(format_sample_value(3), "3");
  EXPECT_EQ(format_sample_value(0.25), "0.25");
  EXPECT_EQ(format_sample_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_sample_value(1625222774), "1625222774");
  EXPECT_EQ(format_sample_value(1796389570.25), "1796389570.25");
}

TEST(ControllerMetrics, SnapshotSetsJobGauges) {
  MetricsRegistry metrics;
  metric::describe_controller_metrics(metrics);
  auto records = qstat::fixtures::mixed_jobs();
  for (auto& record : records) record.backend_namespace = "tool-alpha";
  auto snapshot = build_status_snapshot(records, qstat::fixtures::at(0));
  metric::record_snapshot(snapshot, metrics);
  const std::string text = metrics.exposition();
  EXPECT_NE(text.find("k8sjobs_jobs{namespace=\"tool-alpha\",state=\"Eqw\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("k8sjobs_jobs{namespace=\"tool-alpha\",state=\"r\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("k8sjobs_held_jobs{namespace=\"tool-alpha\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("k8sjobs_controller_releases_total 0\n"), std::string::npos);
  EXPECT_NE(text.find("k8sjobs_controller_watch_events_total{kind=\"jobs\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("k8sjobs_status_snapshot_timestamp_seconds 1625222774\n"), std::string::npos);
  // A namespace gone from the next snapshot leaves no series behind.
  metric::record_snapshot(build_status_snapshot({}, qstat::fixtures::at(0)), metrics);
  EXPECT_EQ(metrics.exposition().find("tool-alpha"), std::string::npos);
}

// Prometheus conventions: counters end in _total, durations in _seconds (base units), nothing
// else uses those suffixes; every metric has help text.
TEST(ControllerMetrics, NamesFollowPrometheusConventions) {
  MetricsRegistry metrics;
  metric::describe_controller_metrics(metrics);
  std::istringstream lines(metrics.exposition());
  int described = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# HELP ", 0) == 0) {
      EXPECT_GT(line.size(), line.find(' ', 7) + 10) << line;
      continue;
    }
    if (line.rfind("# TYPE ", 0) != 0) continue;
    ++described;
    std::istringstream words(line.substr(7));
    std::string name, type;
    words >> name >> type;
    EXPECT_EQ(name.rfind("k8sjobs_", 0), 0u) << name;
    EXPECT_EQ(type == "counter", name.ends_with("_total")) << name;
    if (name.find("duration") != std::string::npos) {
      EXPECT_TRUE(name.ends_with("_seconds")) << name;
    }
  }
  EXPECT_EQ(described, 19);
  // The mail counters exist from the start (a rate over them works before the first mail).
  for (const char* name : {"k8sjobs_mail_events_queued_total 0\n", "k8sjobs_mail_sent_total 0\n",
                           "k8sjobs_mail_send_failures_total 0\n"})
    EXPECT_NE(metrics.exposition().find(name), std::string::npos) << name;
}

TEST(ControllerMetrics, SnapshotSetsTheFinishedInTheLastHourGauge) {
  MetricsRegistry metrics;
  metric::describe_controller_metrics(metrics);
  ClusterFacts facts;
  facts.finished = {{{"tool-gone", 7, 0}, qstat::fixtures::at(-60)}};
  metric::record_snapshot(build_status_snapshot({}, qstat::fixtures::at(0), facts), metrics);
  EXPECT_NE(
      metrics.exposition().find("k8sjobs_tasks_finished_last_hour{namespace=\"tool-gone\"} 1\n"),
      std::string::npos)
      << metrics.exposition();
}

}  // namespace
}  // namespace k8sjobs::status
