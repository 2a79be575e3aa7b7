// SPDX-License-Identifier: Apache-2.0
#pragma once
// Numeric Grid Engine job IDs, unique and nearly increasing per namespace, kept in the cluster
// so that crontab lines firing at once on several hosts never share an ID.

#include <chrono>
#include <string>

#include "k8sjobs/jobs/job_id_block.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::jobs {

inline constexpr const char* kJobIdConfigMap = "k8sjobs-job-ids";

// How blocks of IDs are sized and kept (ARCHITECTURE.md, "Job IDs", gives the reasoning).
struct JobIdBlockPolicy {
  // A block is used for this long after it was reserved; then the rest is abandoned, so IDs
  // of different hosts interleave only within this window.
  std::chrono::milliseconds lifetime{30000};
  // A block used up within its lifetime doubles the next one, up to this; one that expired
  // unused halves it, down to 1 (a host submitting now and then takes single IDs: no gaps).
  long long max_size = 64;
  // A reservation made while other submissions of the host wait for its lock (they said so,
  // JobIdBlockStore::note_arrival) takes a block for all of them if that is more than the
  // doubling gives, up to this: its size is the submissions that arrived, not a guess, so a
  // burst of 200 costs two or three writes instead of one per doubling.
  long long max_waiting_size = 1024;
  // How long a submission waits for the host's lock before it takes an ID without a block.
  std::chrono::milliseconds lock_patience{2000};
};

// Takes IDs from the ConfigMap `k8sjobs-job-ids` (data.next). A reservation of N IDs moves
// data.next forward by N in one write: a JSON patch that tests data.next against the value this
// host last saw (the end of its last block) and replaces it, applied atomically by the server;
// when that test fails (another host reserved since) or there is nothing to test against, the
// counter is read and swapped with a compare-and-swap on its resourceVersion, retried with a
// short random pause on Conflict. The first ID of a namespace is 1.
//
// With a block store (JobIdBlockStore, per host), an ID is taken from the host's block under
// its lock with no request at all; the lock is held across a reservation, so simultaneous
// submissions of one host wait for one write instead of racing for the counter.
class JobIdAllocator {
 public:
  JobIdAllocator(kube::KubeClient& client, sys::Clock& clock, JobIdBlockStore* blocks = nullptr,
                 JobIdBlockPolicy policy = {})
      : client_(client), clock_(clock), blocks_(blocks), policy_(policy) {}

  kube::Result<long long> next(const std::string& namespace_name);

  // Requests that lost a race (Conflict, AlreadyExists) in this allocator's reservations.
  int conflicts() const { return conflicts_; }
  // Reservations whose tested patch found the counter moved (0 or 1 per reservation).
  int stale_hints() const { return stale_hints_; }
  // Reservations made (each one write to the counter).
  int reservations() const { return reservations_; }

 private:
  // Reserves `size` IDs and returns the first; `seen` is the counter's value this host last saw.
  kube::Result<long long> reserve(const std::string& namespace_name, long long size,
                                  std::optional<long long> seen);
  kube::Result<std::optional<long long>> reserve_tested(const std::string& namespace_name,
                                                        long long size, long long seen);
  kube::Result<long long> reserve_by_swap(const std::string& namespace_name, long long size);

  kube::KubeClient& client_;
  sys::Clock& clock_;
  JobIdBlockStore* blocks_;
  JobIdBlockPolicy policy_;
  int conflicts_ = 0;
  int stale_hints_ = 0;
  int reservations_ = 0;
};

}  // namespace k8sjobs::jobs
