// SPDX-License-Identifier: Apache-2.0
#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package
// does it, so that of several k8sjobs-controller replicas exactly one acts at a time:
// - every replica tries every retry period (2 s) to take or renew the Lease (holderIdentity,
//   leaseDurationSeconds 15, acquireTime/renewTime as MicroTime, leaseTransitions);
// - writes are an update of the version read (metadata.resourceVersion): of two replicas
//   racing for it one gets 409 Conflict and stays a follower;
// - a Lease held by another identity is taken only after it has gone unchanged for its
//   leaseDurationSeconds, timed on this replica's own clock from when it last saw it change
//   (client-go's observedTime), so clocks of different nodes need not agree;
// - the leader acts only while its last successful renewal is younger than the renew deadline
//   (10 s, shorter than the 15 s the others wait), so it has stopped before anybody else
//   can take over.
// The clock is injected: tests drive expiry without sleeping.

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "k8sjobs/kube/client.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

struct LeaseSettings {
  std::string namespace_name;
  std::string name = "k8sjobs-controller";
  std::string identity;
  std::chrono::seconds lease_duration{15};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

class LeaderElector {
 public:
  // `client` and `clock` must outlive the elector.
  LeaderElector(kube::KubeClient& client, sys::Clock& clock, LeaseSettings settings);

  // One attempt to take or renew the Lease (client-go's tryAcquireOrRenew). Returns whether
  // this replica holds it afterwards.
  bool try_acquire_or_renew();
  // Whether this replica may act now: it holds the Lease and renewed it within the deadline.
  bool is_leader() const;
  // Gives the Lease up when held (holderIdentity "", leaseDurationSeconds 1), so another
  // replica takes over at its next try instead of after expiry.
  void release();
  // Tries every retry period until `stop`, logging when leadership is gained or lost.
  void run(const std::atomic<bool>& stop);

  const LeaseSettings& settings() const { return settings_; }

 private:
  bool attempt(std::chrono::system_clock::time_point now);

  kube::KubeClient& client_;
  sys::Clock& clock_;
  LeaseSettings settings_;
  mutable std::mutex mutex_;
  std::optional<std::chrono::system_clock::time_point> renewed_at_;
  std::string observed_record_;  // the spec last seen, to time how long it stays unchanged
  std::chrono::system_clock::time_point observed_at_{};
};

// The default identity: "<host name>_<pid>", unique per process as client-go's advice asks.
std::string default_identity();

}  // namespace k8sjobs::controller
