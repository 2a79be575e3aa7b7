// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/status_feed.h"

#include <spdlog/spdlog.h>

#include "k8sjobs/status/controller_metrics.h"

namespace k8sjobs::controller {

StatusFeed::StatusFeed(std::vector<std::unique_ptr<jobs::JobBackend>> backends, sys::Clock& clock,
                       status::StatusBoard& board, status::MetricsRegistry& metrics,
                       std::chrono::seconds period)
    : backends_(std::move(backends)),
      clock_(clock),
      board_(board),
      metrics_(metrics),
      period_(period) {}

bool StatusFeed::refresh() {
  std::vector<jobs::JobRecord> records;
  jobs::JobQuery query;
  query.include_finished = true;
  for (auto& backend : backends_) {
    auto listed = backend->list(query);
    if (!listed) {
      spdlog::warn("status page: {}; keeping the last snapshot", listed.error().message);
      metrics_.add(status::metric::kSnapshotFailures);
      return false;
    }
    for (auto& record : listed->records) records.push_back(std::move(record));
  }
  const auto now = clock_.now();
  auto snapshot = status::build_status_snapshot(std::move(records), now);
  status::metric::record_snapshot(snapshot, metrics_);
  board_.publish(std::move(snapshot));
  metrics_.add(status::metric::kSnapshots);
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
