// SPDX-License-Identifier: Apache-2.0
// The lean listing (jobs/job_table.h): the arena keeps its strings, the table carries every
// field qstat's tables print, and the collector's lean mode gives the jobs its full mode gives.

#include <gtest/gtest.h>

#include <functional>
#include <sstream>

#include "k8sjobs/jobs/job_table.h"
#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/qstat/listing.h"
#include "qstat_fixtures.h"
#include "support/build_paths.h"
#include "support/recorded_objects.h"
#include "support/temp_dir.h"

namespace k8sjobs::jobs {
namespace {

using nlohmann::json;

TEST(StringArena, ViewsStayValidAsBlocksAreAdded) {
  StringArena arena;
  EXPECT_TRUE(arena.store("").empty());
  std::vector<std::string> texts;
  std::vector<std::string_view> views;
  for (int i = 0; i < 20000; ++i) {
    texts.push_back("job-" + std::to_string(i) + std::string(static_cast<size_t>(i % 40), 'x'));
    views.push_back(arena.store(texts.back()));
  }
  // A string larger than a quarter block goes to a block of its own; the current block is
  // still used afterwards.
  const std::string big(StringArena::kBlockBytes, 'b');
  std::string_view big_view = arena.store(big);
  std::string_view after = arena.store("after");
  for (size_t i = 0; i < texts.size(); ++i) ASSERT_EQ(views[i], texts[i]);
  EXPECT_EQ(big_view, big);
  EXPECT_EQ(after, "after");
  EXPECT_NE(big_view.data(), texts.back().data());
  // Moving the arena moves its blocks, not the bytes.
  StringArena moved = std::move(arena);
  EXPECT_EQ(views.front(), texts.front());
  EXPECT_EQ(moved.store("more"), "more");
  EXPECT_LT(moved.allocated_bytes(), 2 * StringArena::kBlockBytes * 20);
}

TEST(JobTable, StaysLean) {
  // docs/qstat.md's memory model counts on these sizes (a JobRecord is about 720 bytes).
  EXPECT_LE(sizeof(TableJob), 96u);
  EXPECT_LE(sizeof(TableTask), 40u);
}

TEST(JobTable, TableOfCopiesEveryTableField) {
  JobRecord record;
  record.id = 4711;
  record.name = "a-name-longer-than-sixteen";
  record.owner = "tools.someone-long";
  record.priority = 0.75;
  record.slots = 3;
  record.continuous = true;
  record.submission_time = TimePoint(std::chrono::seconds(1625222774));
  record.array = ArrayRange{2, 20, 3};
  TaskRecord task;
  task.task_id = 5;
  task.state = JobState::Deleting;
  task.deleting_while_starting = true;
  task.start_time = TimePoint(std::chrono::seconds(1625222800));
  task.node = "node-with-a-long-name-7";
  record.tasks = {task, TaskRecord{}};
  std::vector<JobRecord> records{record};
  std::string name_copy = record.name;
  JobTable table = table_of(records);
  records.clear();  // the table holds copies
  ASSERT_EQ(table.jobs.size(), 1u);
  const TableJob& job = table.jobs[0];
  EXPECT_EQ(job.id, 4711);
  EXPECT_EQ(job.name, name_copy);
  EXPECT_EQ(job.owner, "tools.someone-long");
  EXPECT_EQ(job.priority, 0.75);
  EXPECT_EQ(job.slots, 3);
  EXPECT_TRUE(job.continuous);
  EXPECT_EQ(job.submission_time, TimePoint(std::chrono::seconds(1625222774)));
  EXPECT_TRUE(job.is_array);
  EXPECT_EQ(job.array, (ArrayRange{2, 20, 3}));
  auto tasks = table.tasks_of(job);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].task_id, 5);
  EXPECT_EQ(tasks[0].state, JobState::Deleting);
  EXPECT_TRUE(tasks[0].deleting_while_starting);
  EXPECT_EQ(tasks[0].start(), TimePoint(std::chrono::seconds(1625222800)));
  EXPECT_EQ(tasks[0].node, "node-with-a-long-name-7");
  EXPECT_EQ(tasks[1].start(), std::nullopt);
  EXPECT_TRUE(tasks[1].node.empty());
}

// The tables render the same from the lean table as from the records, for every listing.
TEST(JobTable, TablesRenderTheSameAsFromRecords) {
  const auto records = qstat::fixtures::mixed_jobs();
  const JobTable table = table_of(records);
  const auto zone = qstat::TimeZone::utc();
  std::vector<qstat::ListingOptions> variants(6);
  variants[1].full = true;
  variants[2].states.finished = true;
  variants[3].users = {"alice"};
  variants[4].queue_name_width = -1;
  variants[5].states = *qstat::parse_state_filter("h");
  for (const auto& options : variants) {
    const std::string text = qstat::render_listing(records, options, zone);
    EXPECT_EQ(qstat::render_table(table, options, zone), text);
    std::ostringstream written;
    qstat::write_table(written, table, options, zone);
    EXPECT_EQ(written.str(), text);
    EXPECT_EQ(qstat::render_table_xml(table, options, zone),
              qstat::render_listing_xml(records, options, zone));
  }
  qstat::ListingOptions resources;
  resources.resources = true;
  EXPECT_THROW(qstat::render_table(table, resources, zone), std::logic_error);
}

// Each field the default listing prints comes from the table: changing it in the record
// changes the table's text. A lean record that dropped one would fail here.
TEST(JobTable, EveryPrintedFieldReachesTheTable) {
  const auto zone = qstat::TimeZone::utc();
  qstat::ListingOptions options;
  options.states.finished = true;
  auto base = qstat::fixtures::mixed_jobs();
  const std::string before = qstat::render_table(table_of(base), options, zone);
  ASSERT_FALSE(before.empty());
  auto running = [](std::vector<JobRecord>& jobs) -> JobRecord& {
    for (auto& job : jobs) {
      if (!job.array && !job.tasks.empty() && job.tasks[0].state == JobState::Running) return job;
    }
    ADD_FAILURE() << "no running job in the fixtures";
    return jobs.front();
  };
  auto array_job = [](std::vector<JobRecord>& jobs) -> JobRecord& {
    for (auto& job : jobs) {
      if (job.array) return job;
    }
    ADD_FAILURE() << "no array job in the fixtures";
    return jobs.front();
  };
  const std::vector<std::pair<std::string, std::function<void(std::vector<JobRecord>&)>>> changes =
      {
          {"id", [&](auto& jobs) { running(jobs).id += 1000; }},
          {"name", [&](auto& jobs) { running(jobs).name = "renamed"; }},
          {"owner", [&](auto& jobs) { running(jobs).owner = "zed"; }},
          {"priority", [&](auto& jobs) { running(jobs).priority = 0.25; }},
          {"slots", [&](auto& jobs) { running(jobs).slots = 7; }},
          {"continuous", [&](auto& jobs) { running(jobs).continuous = true; }},
          {"submission",
           [&](auto& jobs) { array_job(jobs).submission_time += std::chrono::hours(1); }},
          {"start",
           [&](auto& jobs) { running(jobs).tasks[0].start_time = qstat::fixtures::at(999); }},
          {"node", [&](auto& jobs) { running(jobs).tasks[0].node = "elsewhere"; }},
          {"state", [&](auto& jobs) { running(jobs).tasks[0].state = JobState::Restarted; }},
          {"deleting",
           [&](auto& jobs) {
             TaskRecord& task = running(jobs).tasks[0];
             task.state = JobState::Deleting;
             task.deleting_while_starting = true;
           }},
          {"task id", [&](auto& jobs) { array_job(jobs).tasks.back().task_id += 50; }},
          {"array", [&](auto& jobs) { array_job(jobs).array->step = 2; }},
      };
  for (const auto& [what, change] : changes) {
    auto changed = base;
    change(changed);
    const std::string text = qstat::render_table(table_of(changed), options, zone);
    EXPECT_NE(text, before) << what;
    EXPECT_EQ(text, qstat::render_listing(changed, options, zone)) << what;
  }
}

// An indexed Job of three tasks: index 0 ran twice (the newer pod counts), index 2 runs.
std::vector<json> array_job_and_pods(std::vector<json>& pods) {
  json job = testing::recorded_object("job-running");
  job["metadata"]["labels"]["k8sjobs.io/job-id"] = "300";
  json details =
      json::parse(job["metadata"]["annotations"]["k8sjobs.io/details"].get<std::string>());
  details["array"] = {{"first", 1}, {"last", 5}, {"step", 2}};
  job["metadata"]["annotations"]["k8sjobs.io/details"] = details.dump();
  job["status"]["completedIndexes"] = "1";
  auto pod = [](int index, const std::string& created, const std::string& node) {
    json p = testing::recorded_object("pod-running");
    p["metadata"]["labels"]["k8sjobs.io/job-id"] = "300";
    p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] =
        std::to_string(index);
    p["metadata"]["creationTimestamp"] = created;
    p["spec"]["nodeName"] = node;
    return p;
  };
  pods.push_back(pod(0, "2026-11-23T14:55:00Z", "newer-node"));
  pods.push_back(pod(0, "2026-11-23T14:54:00Z", "older-node"));
  pods.push_back(pod(2, "2026-11-23T14:54:00Z", "first-of-a-tie"));
  pods.push_back(pod(2, "2026-11-23T14:54:00Z", "second-of-a-tie"));
  return {job};
}

void expect_same(const JobTable& lean, const JobTable& full) {
  ASSERT_EQ(lean.jobs.size(), full.jobs.size());
  for (size_t i = 0; i < lean.jobs.size(); ++i) {
    const TableJob& a = lean.jobs[i];
    const TableJob& b = full.jobs[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.owner, b.owner);
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(a.submission_time, b.submission_time);
    EXPECT_EQ(a.is_array, b.is_array);
    EXPECT_EQ(a.array, b.array);
    EXPECT_EQ(a.slots, b.slots);
    EXPECT_EQ(a.continuous, b.continuous);
    auto ta = lean.tasks_of(a);
    auto tb = full.tasks_of(b);
    ASSERT_EQ(ta.size(), tb.size()) << a.id;
    for (size_t t = 0; t < ta.size(); ++t) {
      EXPECT_EQ(ta[t].task_id, tb[t].task_id);
      EXPECT_EQ(ta[t].state, tb[t].state) << a.id << "." << ta[t].task_id;
      EXPECT_EQ(ta[t].deleting_while_starting, tb[t].deleting_while_starting);
      EXPECT_EQ(ta[t].start(), tb[t].start());
      EXPECT_EQ(ta[t].node, tb[t].node) << a.id << "." << ta[t].task_id;
    }
  }
}

TEST(JobTable, LeanCollectorGivesWhatTheFullOneGives) {
  std::vector<json> pods = {
      testing::recorded_object("pod-pending"),
      testing::recorded_object("pod-running-of-deployment"), testing::recorded_object("pod-failed"),
      testing::recorded_object("pod-succeeded"), testing::recorded_object("pod-running")};
  std::vector<json> jobs = array_job_and_pods(pods);
  for (const char* name :
       {"job-pending", "job-failed", "job-running", "job-suspended", "job-complete"}) {
    jobs.push_back(testing::recorded_object(name));
  }
  json foreign = testing::recorded_object("job-running");
  foreign["metadata"]["labels"].erase("k8sjobs.io/job-id");
  jobs.push_back(foreign);
  json deleting = testing::recorded_object("deployment-available");
  deleting["metadata"]["deletionTimestamp"] = "2026-11-23T15:00:00Z";
  deleting["metadata"]["labels"]["k8sjobs.io/job-id"] = "400";
  auto feed = [&](JobViewCollector& collector) {
    // Pods first, a restarted pods LIST and a restarted jobs LIST, as in the other tests.
    collector.add_pod(testing::recorded_object("pod-running"));
    collector.clear_pods();
    for (const auto& pod : pods) collector.add_pod(pod);
    collector.add_deployment(testing::recorded_object("deployment-available"));
    collector.add_deployment(deleting);
    collector.add_job(testing::recorded_object("job-running"));
    collector.clear_jobs();
    for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) collector.add_job(*it);
  };
  JobViewCollector full;
  feed(full);
  const auto records = full.take_records();
  const auto full_warnings = full.take_warnings();
  JobViewCollector lean(/*lean=*/true);
  feed(lean);
  const JobTable table = lean.take_table();
  EXPECT_EQ(lean.take_warnings(), full_warnings);
  EXPECT_FALSE(full_warnings.empty());  // the foreign job
  expect_same(table, table_of(records));
  // The array job: index 0 from the newer pod, index 1 done, index 2 from the later of a tie.
  const TableJob* array = nullptr;
  for (const auto& job : table.jobs) {
    if (job.id == 300) array = &job;
  }
  ASSERT_NE(array, nullptr);
  auto tasks = table.tasks_of(*array);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].task_id, 1);
  EXPECT_EQ(tasks[0].node, "newer-node");
  EXPECT_EQ(tasks[1].state, JobState::Succeeded);
  EXPECT_EQ(tasks[2].task_id, 5);
  EXPECT_EQ(tasks[2].node, "second-of-a-tie");
  EXPECT_TRUE(lean.take_table().jobs.empty());
}

// A LIST keeps of metadata, status and spec only the fields the collector declares: with
// everything else stripped, it gives the same records (every field, not only the tables').
TEST(JobTable, CollectorReadsOnlyTheFieldsItDeclares) {
  auto strip = [](json object, const std::vector<std::string>& spec,
                  const std::vector<std::string>& status) {
    for (const auto& [part, keep] : {std::pair{"spec", &spec}, std::pair{"status", &status},
                                     std::pair{"metadata", &JobViewCollector::metadata_fields()}}) {
      json kept = json::object();
      for (const auto& key : *keep) {
        if (object[part].contains(key)) kept[key] = object[part][key];
      }
      object[part] = kept;
    }
    return object;
  };
  ClusterSnapshot whole;
  std::vector<json> pods = {
      testing::recorded_object("pod-pending"),
      testing::recorded_object("pod-running-of-deployment"), testing::recorded_object("pod-failed"),
      testing::recorded_object("pod-succeeded"), testing::recorded_object("pod-running")};
  whole.jobs = array_job_and_pods(pods);
  for (const char* name :
       {"job-pending", "job-failed", "job-running", "job-suspended", "job-complete"}) {
    whole.jobs.push_back(testing::recorded_object(name));
  }
  whole.pods = pods;
  json deleting = testing::recorded_object("deployment-available");
  deleting["metadata"]["deletionTimestamp"] = "2026-11-23T15:00:00Z";
  whole.deployments = {deleting};
  ClusterSnapshot projected;
  for (const auto& job : whole.jobs) {
    projected.jobs.push_back(
        strip(job, JobViewCollector::job_spec_fields(), JobViewCollector::job_status_fields()));
  }
  for (const auto& deployment : whole.deployments) {
    projected.deployments.push_back(strip(deployment, JobViewCollector::deployment_spec_fields(),
                                          JobViewCollector::deployment_status_fields()));
  }
  for (const auto& pod : whole.pods) {
    projected.pods.push_back(
        strip(pod, JobViewCollector::pod_spec_fields(), JobViewCollector::pod_status_fields()));
  }
  const JobListing a = derive_job_listing(whole);
  const JobListing b = derive_job_listing(projected);
  EXPECT_EQ(a.warnings, b.warnings);
  ASSERT_EQ(a.records.size(), b.records.size());
  ASSERT_EQ(a.records.size(), 7u);
  for (size_t i = 0; i < a.records.size(); ++i) {
    const JobRecord& x = a.records[i];
    const JobRecord& y = b.records[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.owner, y.owner);
    EXPECT_EQ(x.submission_time, y.submission_time);
    EXPECT_EQ(x.slots, y.slots);
    EXPECT_EQ(x.array, y.array);
    EXPECT_EQ(x.cwd, y.cwd);
    EXPECT_EQ(x.error_reason, y.error_reason);
    EXPECT_EQ(x.backend_namespace, y.backend_namespace);
    EXPECT_EQ(x.backend_objects, y.backend_objects);
    ASSERT_EQ(x.tasks.size(), y.tasks.size());
    for (size_t t = 0; t < x.tasks.size(); ++t) {
      EXPECT_EQ(x.tasks[t].state, y.tasks[t].state) << x.id;
      EXPECT_EQ(x.tasks[t].deleting_while_starting, y.tasks[t].deleting_while_starting);
      EXPECT_EQ(x.tasks[t].node, y.tasks[t].node);
      EXPECT_EQ(x.tasks[t].start_time, y.tasks[t].start_time);
      EXPECT_EQ(x.tasks[t].exit_code, y.tasks[t].exit_code);
      EXPECT_EQ(x.tasks[t].signal, y.tasks[t].signal);
      EXPECT_EQ(x.tasks[t].restarts, y.tasks[t].restarts);
      EXPECT_EQ(x.tasks[t].error_reason, y.tasks[t].error_reason);
      EXPECT_EQ(x.tasks[t].scheduling_info, y.tasks[t].scheduling_info);
    }
  }
}

}  // namespace
}  // namespace k8sjobs::jobs
