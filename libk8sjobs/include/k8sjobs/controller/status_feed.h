// SPDX-License-Identifier: Apache-2.0
#pragma once
// What feeds the status page: every few seconds one qstat listing (the same LISTs and the same
// records qstat builds, finished jobs included) of each namespace the controller watches, made
// into a snapshot for the board and the job gauges of /metrics.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/status/metrics_registry.h"
#include "k8sjobs/status/status_snapshot.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

class StatusFeed {
 public:
  // One backend per scope ("" is every namespace); the board and metrics outlive the feed.
  StatusFeed(std::vector<std::unique_ptr<jobs::JobBackend>> backends, sys::Clock& clock,
             status::StatusBoard& board, status::MetricsRegistry& metrics,
             std::chrono::seconds period);

  // One round: lists every scope; publishes a snapshot only if all of them answered.
  bool refresh();
  // Whether the last good snapshot is recent (within three periods): /readyz.
  bool fresh() const;
  std::chrono::seconds period() const { return period_; }

 private:
  std::vector<std::unique_ptr<jobs::JobBackend>> backends_;
  sys::Clock& clock_;
  status::StatusBoard& board_;
  status::MetricsRegistry& metrics_;
  std::chrono::seconds period_;
  std::atomic<long long> last_good_ns_{0};  // system_clock ns since epoch; 0: never
};

}  // namespace k8sjobs::controller
