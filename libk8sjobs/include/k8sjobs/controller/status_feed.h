// SPDX-License-Identifier: Apache-2.0
#pragma once
// What feeds the status page: every few seconds one qstat listing (the same LISTs and the same
// records qstat builds, finished jobs included) of each namespace the controller watches, made
// into a snapshot for the board and the job gauges of /metrics. Beside it:
// - the tasks that finished within the hour, remembered after their Job is gone (its TTL): the
//   ones this process saw finished, and the accounting records (qacct's) read at start and
//   every kAccountingEvery, which cover what finished while no controller was looking;
// - capacity and memory in use (ClusterFactsReader), when one is given.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/controller/cluster_facts_reader.h"
#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/status/metrics_registry.h"
#include "k8sjobs/status/status_snapshot.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

class StatusFeed {
 public:
  // One backend per scope ("" is every namespace); the board and metrics outlive the feed.
  static constexpr std::chrono::minutes kAccountingEvery{10};

  StatusFeed(std::vector<std::unique_ptr<jobs::JobBackend>> backends, sys::Clock& clock,
             status::StatusBoard& board, status::MetricsRegistry& metrics,
             std::chrono::seconds period, std::unique_ptr<ClusterFactsReader> facts = nullptr);

  // One round: lists every scope; publishes a snapshot only if all of them answered.
  bool refresh();
  // Whether the last good snapshot is recent (within three periods): /readyz.
  bool fresh() const;
  std::chrono::seconds period() const { return period_; }

 private:
  void read_accounting(jobs::TimePoint now);
  void remember_finished(const std::vector<jobs::JobRecord>& records, jobs::TimePoint now);

  std::vector<std::unique_ptr<jobs::JobBackend>> backends_;
  sys::Clock& clock_;
  status::StatusBoard& board_;
  status::MetricsRegistry& metrics_;
  std::chrono::seconds period_;
  std::unique_ptr<ClusterFactsReader> facts_;
  status::FinishedTasks finished_;  // within the last hour
  std::optional<std::chrono::steady_clock::time_point> next_accounting_;
  std::atomic<long long> last_good_ns_{0};  // system_clock ns since epoch; 0: never
};

}  // namespace k8sjobs::controller
