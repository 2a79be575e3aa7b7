// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/status_feed.h"

#include "k8sjobs/log.h"
#include "k8sjobs/status/controller_metrics.h"

namespace k8sjobs::controller {

namespace {

bool finished(const jobs::TaskRecord& task) {
  return task.state == jobs::JobState::Succeeded || task.state == jobs::JobState::Failed;
}

bool recent(jobs::TimePoint end, jobs::TimePoint now) {
  return end <= now && end > now - status::kFinishedWindow;
}

}  // namespace

StatusFeed::StatusFeed(std::vector<std::unique_ptr<jobs::JobBackend>> backends, sys::Clock& clock,
                       status::StatusBoard& board, status::MetricsRegistry& metrics,
                       std::chrono::seconds period, std::unique_ptr<ClusterFactsReader> facts)
    : backends_(std::move(backends)),
      clock_(clock),
      board_(board),
      metrics_(metrics),
      period_(period),
      facts_(std::move(facts)) {}

void StatusFeed::read_accounting(jobs::TimePoint now) {
  const auto keep = [now](const acct::AccountingRecord& record) {
    return record.end_time && recent(*record.end_time, now);
  };
  for (auto& backend : backends_) {
    auto read = backend->read_accounting(keep);
    if (!read) {
      // Only the "1h" column misses the jobs already gone: the page stays up.
      log_warning("status page: accounting records: {}", read.error().message);
      continue;
    }
    for (const auto& record : read->records) {
      // The key is "<namespace>/<Job uid>/<task>".
      const auto slash = record.key.find('/');
      if (slash == std::string::npos || slash == 0) continue;
      finished_[{record.key.substr(0, slash), record.jobnumber, record.taskid}] = *record.end_time;
    }
  }
}

void StatusFeed::remember_finished(const std::vector<jobs::JobRecord>& records,
                                   jobs::TimePoint now) {
  for (const auto& record : records)
    for (const auto& task : record.tasks)
      if (finished(task) && task.end_time && recent(*task.end_time, now))
        finished_[{record.backend_namespace, record.id, task.task_id}] = *task.end_time;
  std::erase_if(finished_, [now](const auto& item) { return !recent(item.second, now); });
}

bool StatusFeed::refresh() {
  const auto began = clock_.steady_now();
  std::vector<jobs::JobRecord> records;
  jobs::JobQuery query;
  query.include_finished = true;
  for (auto& backend : backends_) {
    auto listed = backend->list(query);
    if (!listed) {
      log_warning("status page: {}; keeping the last snapshot", listed.error().message);
      metrics_.add(status::metric::kSnapshotFailures);
      return false;
    }
    for (auto& record : listed->records) records.push_back(std::move(record));
  }
  const auto now = clock_.now();
  if (!next_accounting_ || began >= *next_accounting_) {
    read_accounting(now);
    next_accounting_ = began + kAccountingEvery;
  }
  remember_finished(records, now);
  status::ClusterFacts facts;
  if (facts_) facts_->read(facts);
  facts.finished = finished_;
  auto snapshot = status::build_status_snapshot(std::move(records), now, facts);
  status::metric::record_snapshot(snapshot, metrics_);
  board_.publish(std::move(snapshot));
  metrics_.add(status::metric::kSnapshots);
  metrics_.observe(status::metric::kSnapshotSeconds, {},
                   std::chrono::duration<double>(clock_.steady_now() - began).count());
  last_good_ns_ =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  return true;
}

bool StatusFeed::fresh() const {
  const long long last = last_good_ns_;
  if (last == 0) return false;
  const auto age =
      clock_.now() - jobs::TimePoint(std::chrono::duration_cast<jobs::TimePoint::duration>(
                         std::chrono::nanoseconds(last)));
  return age <= 3 * period_;
}

}  // namespace k8sjobs::controller
