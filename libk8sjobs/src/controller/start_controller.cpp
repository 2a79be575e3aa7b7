// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/start_controller.h"

#include <algorithm>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/log.h"
#include "k8sjobs/text/rfc3339.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

using nlohmann::json;

namespace {

const kube::ResourceKind& kind_of(bool deployment) {
  return deployment ? kube::resources::kDeployments : kube::resources::kJobs;
}

}  // namespace

StartController::StartController(kube::KubeClient& client, sys::Clock& clock)
    : client_(client), clock_(clock) {}

bool StartController::release(const StartDecision& decision) {
  auto patched = client_.patch(kind_of(decision.deployment), decision.namespace_name, decision.name,
                               kube::PatchType::JsonPatch, release_patch(decision));
  if (!patched) {
    // A failed test (the object changed since it was read: qhold, qdel, another replica) or
    // any other failure: the next event or pass decides again from the new version.
    log_warning("{} in namespace {}: not started: {}", decision.reference, decision.namespace_name,
                patched.error().describe());
    return false;
  }
  log_info("{} in namespace {}: started ({})", decision.reference, decision.namespace_name,
           decision.reason);
  return true;
}

kube::Result<PassSummary> StartController::reconcile(const std::string& ns, const MayAct& may_act) {
  PassSummary summary;
  // Every unfinished job by namespace, and the objects that wait for some of them: decided
  // once both kinds are listed.
  std::map<std::string, UnfinishedJobs> unfinished;
  std::vector<std::pair<json, bool>> with_predecessors;
  auto act = [&](const StartDecision& decision) {
    if (!may_act()) {
      ++summary.failed;
    } else if (release(decision)) {
      ++summary.released;
    } else {
      ++summary.failed;
    }
  };
  for (bool deployment : {false, true}) {
    kube::ListOptions options;
    options.label_selector = translate::managed_by_selector();
    options.limit = 500;
    std::vector<StartDecision> due;
    auto listed = client_.list_pages(
        kind_of(deployment), ns, options, [&](kube::ListPage& page, bool restarted) {
          if (restarted) {
            due.clear();
            std::erase_if(with_predecessors,
                          [&](const auto& entry) { return entry.second == deployment; });
            // The unfinished set only grows; a relisted kind adds its objects again.
          }
          const auto now = clock_.now();
          for (auto& item : page.items) {
            if (auto id = unfinished_job_number(item, deployment)) {
              unfinished[jobs::untrusted::string_or(
                             jobs::untrusted::object_member(item, "metadata"), "namespace")]
                  .insert(*id);
            }
            StartDecision decision = decide_start(item, deployment, now);
            if (decision.action == StartAction::Blocked) {
              with_predecessors.emplace_back(decision_view(std::move(item)), deployment);
              continue;
            }
            switch (decision.action) {
              case StartAction::Skip:
                log_warning("{}", decision.reason);
                ++summary.skipped;
                break;
              case StartAction::Wait:
                ++summary.waiting;
                if (!summary.next_due || *decision.due < *summary.next_due)
                  summary.next_due = decision.due;
                break;
              case StartAction::Release:
                due.push_back(std::move(decision));
                break;
              case StartAction::Blocked:  // kept above
              case StartAction::None:
                break;
            }
          }
        });
    if (!listed) return unexpected(listed.error());
    for (const auto& decision : due) act(decision);
  }
  const auto now = clock_.now();
  for (const auto& [item, deployment] : with_predecessors) {
    const std::string item_namespace =
        jobs::untrusted::string_or(jobs::untrusted::object_member(item, "metadata"), "namespace");
    StartDecision decision = decide_start(item, deployment, now, &unfinished[item_namespace]);
    switch (decision.action) {
      case StartAction::Blocked:
        ++summary.blocked;
        log_debug("{} in namespace {}: {}", decision.reference, decision.namespace_name,
                  decision.reason);
        break;
      case StartAction::Wait:
        ++summary.waiting;
        if (!summary.next_due || *decision.due < *summary.next_due) summary.next_due = decision.due;
        break;
      case StartAction::Release:
        act(decision);
        break;
      case StartAction::Skip:
        log_warning("{}", decision.reason);
        ++summary.skipped;
        break;
      case StartAction::None:
        break;
    }
  }
  return summary;
}

kube::Result<UnfinishedJobs> StartController::unfinished_among(const std::string& ns,
                                                               const std::vector<long long>& ids) {
  UnfinishedJobs unfinished;
  for (bool deployment : {false, true}) {
    kube::ListOptions options;
    options.label_selector = predecessors_selector(ids);
    auto listed = client_.list_all(kind_of(deployment), ns, options);
    if (!listed) return unexpected(listed.error());
    for (const auto& item : listed->items) {
      if (auto id = unfinished_job_number(item, deployment)) unfinished.insert(*id);
    }
  }
  return unfinished;
}

StartController::Outcome StartController::reconcile_object(const ObjectKey& key,
                                                           const MayAct& may_act,
                                                           std::optional<TimePoint>* due,
                                                           std::vector<long long>* pending) {
  auto fetched = client_.get(kind_of(key.deployment), key.namespace_name, key.name);
  if (!fetched) {
    if (fetched.error().is(kube::StatusReason::NotFound)) return Outcome::Nothing;
    log_warning("{}/{} in namespace {}: {}", key.deployment ? "deployment" : "job", key.name,
                key.namespace_name, fetched.error().describe());
    return Outcome::Failed;
  }
  StartDecision decision = decide_start(*fetched, key.deployment, clock_.now());
  if (decision.action == StartAction::Blocked) {
    // -hold_jid: the predecessors as the cluster shows them now.
    auto unfinished = unfinished_among(key.namespace_name, decision.pending);
    if (!unfinished) {
      log_warning("{} in namespace {}: listing its predecessors: {}", decision.reference,
                  key.namespace_name, unfinished.error().describe());
      return Outcome::Failed;
    }
    decision = decide_start(*fetched, key.deployment, clock_.now(), &*unfinished);
  }
  switch (decision.action) {
    case StartAction::Blocked:
      if (pending != nullptr) *pending = decision.pending;
      return Outcome::Blocked;
    case StartAction::Skip:
      log_warning("{}", decision.reason);
      return Outcome::Nothing;
    case StartAction::None:
      return Outcome::Nothing;
    case StartAction::Wait:
      if (due != nullptr) *due = decision.due;
      return Outcome::Waiting;
    case StartAction::Release:
      if (!may_act()) return Outcome::Failed;
      return release(decision) ? Outcome::Released : Outcome::Failed;
  }
  return Outcome::Nothing;
}

void DueQueue::note(const ObjectKey& key, TimePoint due) {
  {
    std::lock_guard lock(mutex_);
    due_[key] = due;
    noted_ = true;
  }
  changed_.notify_all();
}

void DueQueue::forget(const ObjectKey& key) {
  std::lock_guard lock(mutex_);
  due_.erase(key);
  blocked_.erase(key);
}

void DueQueue::block(const ObjectKey& key, const std::vector<long long>& pending,
                     TimePoint recheck) {
  bool at_once = false;
  {
    std::lock_guard lock(mutex_);
    for (long long id : pending) {
      if (ended_.contains({key.namespace_name, id})) at_once = true;
    }
    blocked_[key] = pending;
    due_[key] = at_once ? TimePoint{} : recheck;
    noted_ = noted_ || at_once;
  }
  if (at_once) changed_.notify_all();
}

void DueQueue::wake_dependents(const std::string& ns, long long id, TimePoint now) {
  bool woke = false;
  {
    std::lock_guard lock(mutex_);
    // Forget ended jobs after a while: a block() older than that has been rechecked anyway.
    std::erase_if(ended_, [&](const auto& entry) { return entry.second + kBlockedRecheck < now; });
    ended_[{ns, id}] = now;
    for (const auto& [key, pending] : blocked_) {
      if (key.namespace_name != ns) continue;
      if (std::find(pending.begin(), pending.end(), id) == pending.end()) continue;
      due_[key] = now;
      woke = true;
    }
    noted_ = noted_ || woke;
  }
  if (woke) changed_.notify_all();
}

std::vector<ObjectKey> DueQueue::take_due(TimePoint now) {
  std::lock_guard lock(mutex_);
  std::vector<ObjectKey> keys;
  for (auto it = due_.begin(); it != due_.end();) {
    if (it->second <= now) {
      keys.push_back(it->first);
      blocked_.erase(it->first);
      it = due_.erase(it);
    } else {
      ++it;
    }
  }
  return keys;
}

std::optional<TimePoint> DueQueue::earliest() const {
  std::lock_guard lock(mutex_);
  std::optional<TimePoint> first;
  for (const auto& [key, due] : due_) {
    if (!first || due < *first) first = due;
  }
  return first;
}

void DueQueue::wait_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [&] { return noted_; });
  noted_ = false;
}

std::size_t DueQueue::size() const {
  std::lock_guard lock(mutex_);
  return due_.size();
}

void note_event(DueQueue& queue, const kube::WatchEvent& event, bool deployment, TimePoint now) {
  StartDecision decision = decide_start(event.object, deployment, now);
  ObjectKey key{deployment, decision.namespace_name, decision.name};
  const bool deleted = event.type == "DELETED";
  if (auto ended = ended_job_number(event.object, deployment, deleted);
      ended && !decision.namespace_name.empty()) {
    queue.wake_dependents(decision.namespace_name, *ended, now);
  }
  if (deleted) {
    queue.forget(key);
    return;
  }
  switch (decision.action) {
    case StartAction::Blocked:
      // Looked at with its predecessors by the run loop (StartController::reconcile_object).
      queue.note(key, now);
      break;
    case StartAction::Wait:
      queue.note(key, *decision.due);
      break;
    case StartAction::Release:
      queue.note(key, now);
      break;
    case StartAction::Skip:
      log_warning("{}", decision.reason);
      queue.forget(key);
      break;
    case StartAction::None:
      queue.forget(key);
      break;
  }
}

}  // namespace k8sjobs::controller
