// SPDX-License-Identifier: Apache-2.0
#pragma once
// The metrics k8sjobs-controller exports (docs/admin.md lists them): their names, and how a
// status snapshot sets the job gauges.

#include "k8sjobs/status/metrics_registry.h"
#include "k8sjobs/status/status_snapshot.h"

namespace k8sjobs::status::metric {

inline constexpr const char* kJobs = "k8sjobs_jobs";  // tasks by namespace and state
inline constexpr const char* kHeldJobs = "k8sjobs_held_jobs";
inline constexpr const char* kDeferredJobs = "k8sjobs_deferred_jobs";
inline constexpr const char* kReleases = "k8sjobs_controller_releases_total";
inline constexpr const char* kReleaseFailures = "k8sjobs_controller_release_failures_total";
inline constexpr const char* kRelists = "k8sjobs_controller_relists_total";
inline constexpr const char* kWatchEvents = "k8sjobs_controller_watch_events_total";
inline constexpr const char* kReconcileSeconds = "k8sjobs_controller_reconcile_duration_seconds";
inline constexpr const char* kSnapshots = "k8sjobs_status_snapshots_total";
inline constexpr const char* kSnapshotFailures = "k8sjobs_status_snapshot_failures_total";
inline constexpr const char* kSnapshotTimestamp = "k8sjobs_status_snapshot_timestamp_seconds";
inline constexpr const char* kSnapshotSeconds = "k8sjobs_status_snapshot_duration_seconds";
inline constexpr const char* kSubmitted = "k8sjobs_jobs_submitted_total";
inline constexpr const char* kCompleted = "k8sjobs_jobs_completed_total";
inline constexpr const char* kFailed = "k8sjobs_jobs_failed_total";
inline constexpr const char* kFinishedLastHour = "k8sjobs_tasks_finished_last_hour";
inline constexpr const char* kMailQueued = "k8sjobs_mail_events_queued_total";
inline constexpr const char* kMailSent = "k8sjobs_mail_sent_total";
inline constexpr const char* kMailFailures = "k8sjobs_mail_send_failures_total";

// Describes every metric above (counters start at 0 so they exist before the first event).
void describe_controller_metrics(MetricsRegistry& metrics);
// Sets the job gauges from a snapshot (series of namespaces no longer there disappear).
void record_snapshot(const StatusSnapshot& snapshot, MetricsRegistry& metrics);

}  // namespace k8sjobs::status::metric
