// SPDX-License-Identifier: Apache-2.0
#pragma once
// Starting deferred jobs (-a) and jobs waiting for others (-hold_jid): the I/O around
// decide_start. Everything it decides comes from
// the cluster as it is now (a LIST, a watch event, a GET just before the write), so a restarted
// or newly elected controller needs nothing from its predecessor. What it keeps in memory (when
// each waiting object is due) is rebuilt from the watch's first LIST and is only a schedule.

#include <chrono>
#include <compare>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "k8sjobs/controller/start_decision.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

struct ObjectKey {
  bool deployment = false;
  std::string namespace_name;
  std::string name;
  auto operator<=>(const ObjectKey&) const = default;
};

struct PassSummary {
  int released = 0;
  int waiting = 0;
  int blocked = 0;  // waiting for predecessors
  int skipped = 0;
  int failed = 0;
  std::optional<TimePoint> next_due;
};

// Asked just before each write: is this replica (still) the leader?
using MayAct = std::function<bool()>;

class StartController {
 public:
  // `client` and `clock` must outlive it.
  StartController(kube::KubeClient& client, sys::Clock& clock);

  // One pass over namespace `ns` ("" for all namespaces): LISTs k8sjobs' Jobs and Deployments
  // and starts those whose time has come and whose predecessors have all finished (the same
  // LISTs tell which have). The --once mode and the tests.
  kube::Result<PassSummary> reconcile(const std::string& ns, const MayAct& may_act);

  enum class Outcome { Released, Waiting, Blocked, Nothing, Failed };
  // Decides again on the object as a GET shows it now (and its predecessors as one LIST shows
  // them) and starts it when due; `due` gets the time it still waits for, `pending` (Blocked)
  // the predecessors.
  Outcome reconcile_object(const ObjectKey& key, const MayAct& may_act,
                           std::optional<TimePoint>* due,
                           std::vector<long long>* pending = nullptr);

  // Sends the release for `decision` (a JSON patch tested against its resourceVersion).
  bool release(const StartDecision& decision);

 private:
  // The job numbers of `ns` among `ids` that exist unfinished, from one LIST per kind.
  kube::Result<UnfinishedJobs> unfinished_among(const std::string& ns,
                                                const std::vector<long long>& ids);

  kube::KubeClient& client_;
  sys::Clock& clock_;
};

// When each object seen by the watches is due; the run loop takes the due ones.
class DueQueue {
 public:
  void note(const ObjectKey& key, TimePoint due);
  void forget(const ObjectKey& key);
  // -hold_jid: `key` waits for these job numbers of its namespace. It is due again when one of
  // them ends (wake_dependents) or at `recheck`, whichever comes first.
  void block(const ObjectKey& key, const std::vector<long long>& pending, TimePoint recheck);
  // Job `id` of namespace `ns` finished or is gone (a watch event): the objects blocked on it
  // are due at `now`. Remembered for a while, so a block() that raced with it is due at once.
  void wake_dependents(const std::string& ns, long long id, TimePoint now);
  // The keys due at `now`, removed from the queue.
  std::vector<ObjectKey> take_due(TimePoint now);
  std::optional<TimePoint> earliest() const;
  // Waits (real time) until `deadline` or until note() is called.
  void wait_until(std::chrono::steady_clock::time_point deadline);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<ObjectKey, TimePoint> due_;
  std::map<ObjectKey, std::vector<long long>> blocked_;
  std::map<std::pair<std::string, long long>, TimePoint> ended_;  // recently ended jobs
  bool noted_ = false;
};

// How long a job blocked on predecessors waits before it is checked again without an event.
inline constexpr std::chrono::seconds kBlockedRecheck{60};

// What a watch event means for the queue: the object's decision at `now` (a job with
// predecessors is due at once, to be looked at with them), and, for a job that finished or
// was deleted, the jobs waiting for it.
void note_event(DueQueue& queue, const kube::WatchEvent& event, bool deployment, TimePoint now);

}  // namespace k8sjobs::controller
