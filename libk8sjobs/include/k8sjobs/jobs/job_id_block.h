// SPDX-License-Identifier: Apache-2.0
#pragma once
// The block of job IDs this submit host holds for a namespace. One write to the namespace's
// counter reserves a block of IDs; later submissions from the same host take the next ID of the
// block under a local lock, with no request, until the block is used up or expires
// (JobIdAllocator decides sizes and expiry; ARCHITECTURE.md says why). The counter in the
// cluster stays the one authority: a lost or damaged block costs IDs (a gap), never a duplicate.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "k8sjobs/sys/environment.h"

namespace k8sjobs::jobs {

struct JobIdBlock {
  long long next = 0;  // the block's next unused ID
  long long end = 0;   // one past its last ID: the counter's value right after the reservation
  std::int64_t expires_unix_ms = 0;  // after this the rest of the block is abandoned
  long long size = 1;                // how many IDs the block reserved

  bool operator==(const JobIdBlock&) const = default;
};

class JobIdBlockStore {
 public:
  virtual ~JobIdBlockStore() = default;
  // Takes this host's lock on the namespace's block, waiting at most `patience` for another
  // submission holding it; false when it could not (the allocator then goes without a block).
  virtual bool lock(std::chrono::milliseconds patience) = 0;
  virtual void unlock() = 0;
  // Under the lock: the block as last stored; nullopt when there is none or it is unreadable.
  virtual std::optional<JobIdBlock> load() = 0;
  // Under the lock; failures are ignored (the next submission reserves a new block).
  virtual void store(const JobIdBlock& block) = 0;
  // A submission about to want an ID says so before lock(), so that the holder of the lock
  // knows how many wait behind it (JobIdAllocator sizes the next block for them).
  virtual void note_arrival() {}
  // Under the lock: how many submissions said so since the last call (this one included), and
  // counting starts again. Only a size hint: 0 when unknown.
  virtual long long take_arrivals() { return 0; }
};

// A file per cluster, namespace and submit host under $XDG_CACHE_HOME/k8sjobs (default
// ~/.cache/k8sjobs), locked with flock(2); nullptr when neither XDG_CACHE_HOME nor HOME is set.
// Arrivals are bytes appended to a second file beside it (the same name + ".arrivals"; an
// O_APPEND write is atomic between processes), counted and emptied by the lock's holder.
// The host is in the name because a home shared over NFS is seen by every host: each keeps
// its own block, so no lock is ever needed across machines.
std::unique_ptr<JobIdBlockStore> make_file_job_id_block_store(const sys::Environment& environment,
                                                              const std::string& server,
                                                              const std::string& namespace_name,
                                                              const std::string& host);

// The file make_file_job_id_block_store uses (for tests and for `rm` when debugging).
std::optional<std::string> job_id_block_path(const sys::Environment& environment,
                                             const std::string& server,
                                             const std::string& namespace_name,
                                             const std::string& host);

}  // namespace k8sjobs::jobs
