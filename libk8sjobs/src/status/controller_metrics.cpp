// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/status/controller_metrics.h"

#include <chrono>

namespace k8sjobs::status::metric {

void describe_controller_metrics(MetricsRegistry& metrics) {
  using Type = MetricsRegistry::Type;
  metrics.describe(
      kJobs, Type::Gauge,
      "Tasks of k8sjobs jobs by namespace and qstat state (qw, hqw, r, Rr, Eqw, z...)");
  metrics.describe(kHeldJobs, Type::Gauge, "Jobs with a held task (hqw), by namespace");
  metrics.describe(kDeferredJobs, Type::Gauge,
                   "Pending jobs whose -a start time is still ahead, by namespace");
  metrics.describe(kReleases, Type::Counter, "Deferred jobs the controller started");
  metrics.describe(kReleaseFailures, Type::Counter,
                   "Reconciles of an object that failed (retried later)");
  metrics.describe(kRelists, Type::Counter,
                   "Watches that ended in an error and LIST again, by kind");
  metrics.describe(kWatchEvents, Type::Counter, "Watch events received, by kind");
  metrics.describe(kReconcileSeconds, Type::Histogram, "Time to reconcile one object",
                   {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5});
  metrics.describe(kSnapshots, Type::Counter, "Snapshots of the cluster taken for the status page");
  metrics.describe(kSnapshotFailures, Type::Counter,
                   "Snapshots of the cluster that failed (the last good one stays)");
  metrics.describe(kSnapshotTimestamp, Type::Gauge,
                   "When the status page's snapshot was taken (Unix time)");
  metrics.describe(kSnapshotSeconds, Type::Histogram,
                   "Time to take one snapshot of the cluster for the status page",
                   {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30});
  metrics.describe(kSubmitted, Type::Counter,
                   "Jobs the controller's watch saw created (jsub, qsub, jstart, CronJob runs), "
                   "by namespace");
  metrics.describe(kCompleted, Type::Counter,
                   "Jobs the controller's watch saw complete (Complete condition), by namespace");
  metrics.describe(kFailed, Type::Counter,
                   "Jobs the controller's watch saw fail (Failed condition), by namespace");
  metrics.describe(kFinishedLastHour, Type::Gauge,
                   "Tasks that finished (completed or failed) within the hour before the "
                   "snapshot, by namespace, also when their job is gone");
  metrics.describe(kMailQueued, Type::Counter,
                   "Mail events (-m b, e, a) written to an outbox (leader only)");
  metrics.describe(kMailSent, Type::Counter, "Mails the SMTP relay accepted (leader only)");
  metrics.describe(kMailFailures, Type::Counter,
                   "Mails the SMTP relay refused or could not take (retried with backoff)");
  metrics.add(kReleases, {}, 0);
  metrics.add(kMailQueued, {}, 0);
  metrics.add(kMailSent, {}, 0);
  metrics.add(kMailFailures, {}, 0);
  metrics.add(kReleaseFailures, {}, 0);
  metrics.add(kSnapshots, {}, 0);
  metrics.add(kSnapshotFailures, {}, 0);
  for (const char* kind : {"jobs", "deployments"}) {
    metrics.add(kRelists, {{"kind", kind}}, 0);
    metrics.add(kWatchEvents, {{"kind", kind}}, 0);
  }
}

void record_snapshot(const StatusSnapshot& snapshot, MetricsRegistry& metrics) {
  metrics.reset(kJobs);
  metrics.reset(kHeldJobs);
  metrics.reset(kDeferredJobs);
  metrics.reset(kFinishedLastHour);
  for (const auto& [name, space] : snapshot.namespaces) {
    for (const auto& [state, count] : space.tasks_by_state)
      metrics.set(kJobs, {{"namespace", name}, {"state", state}}, count);
    metrics.set(kHeldJobs, {{"namespace", name}}, space.held_jobs);
    metrics.set(kDeferredJobs, {{"namespace", name}}, space.deferred_jobs);
    metrics.set(kFinishedLastHour, {{"namespace", name}}, space.finished_last_hour);
  }
  metrics.set(kSnapshotTimestamp, {},
              std::chrono::duration<double>(snapshot.taken.time_since_epoch()).count());
}

}  // namespace k8sjobs::status::metric
