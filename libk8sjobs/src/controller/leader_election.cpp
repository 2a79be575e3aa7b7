// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/leader_election.h"

#include <unistd.h>

#include <algorithm>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/log.h"
#include "k8sjobs/sys/host_name.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;
using std::chrono::system_clock;

LeaderElector::LeaderElector(kube::KubeClient& client, sys::Clock& clock, LeaseSettings settings)
    : client_(client), clock_(clock), settings_(std::move(settings)) {}

bool LeaderElector::is_leader() const {
  std::lock_guard lock(mutex_);
  return renewed_at_ && clock_.now() < *renewed_at_ + settings_.renew_deadline;
}

bool LeaderElector::try_acquire_or_renew() {
  const auto now = clock_.now();
  const bool held = attempt(now);
  std::lock_guard lock(mutex_);
  if (held) {
    renewed_at_ = now;
  } else if (renewed_at_ && now >= *renewed_at_ + settings_.renew_deadline) {
    renewed_at_.reset();  // could not renew in time: stop acting
  }
  return held;
}

bool LeaderElector::attempt(system_clock::time_point now) {
  const auto& kind = kube::resources::kLeases;
  const std::string now_text = text::format_rfc3339_micro(now);
  auto fetched = client_.get(kind, settings_.namespace_name, settings_.name);
  if (!fetched) {
    if (!fetched.error().is(kube::StatusReason::NotFound)) {
      log_warning("lease {}/{}: {}", settings_.namespace_name, settings_.name,
                  fetched.error().describe());
      return false;
    }
    json lease{{"apiVersion", "coordination.k8s.io/v1"},
               {"kind", "Lease"},
               {"metadata", {{"name", settings_.name}, {"namespace", settings_.namespace_name}}},
               {"spec",
                {{"holderIdentity", settings_.identity},
                 {"leaseDurationSeconds", settings_.lease_duration.count()},
                 {"acquireTime", now_text},
                 {"renewTime", now_text},
                 {"leaseTransitions", 0}}}};
    auto created = client_.create(kind, settings_.namespace_name, lease);
    if (!created) {
      // AlreadyExists: another replica created it first; it is read at the next try.
      log_debug("lease {}/{}: create: {}", settings_.namespace_name, settings_.name,
                created.error().describe());
      return false;
    }
    std::lock_guard lock(mutex_);
    observed_record_ = untrusted::object_member(*created, "spec").dump();
    observed_at_ = now;
    return true;
  }

  json lease = std::move(*fetched);
  const json& spec = untrusted::object_member(lease, "spec");
  const std::string holder = untrusted::string_or(spec, "holderIdentity");
  const auto duration =
      std::chrono::seconds(untrusted::integer_member(spec, "leaseDurationSeconds", 1, 86400)
                               .value_or(settings_.lease_duration.count()));
  const long long transitions =
      untrusted::integer_member(spec, "leaseTransitions", 0, 1LL << 31).value_or(0);
  {
    std::lock_guard lock(mutex_);
    const std::string record = spec.dump(-1, ' ', false, json::error_handler_t::replace);
    if (record != observed_record_) {
      observed_record_ = record;
      observed_at_ = now;
    }
    if (!holder.empty() && holder != settings_.identity && now < observed_at_ + duration) {
      return false;  // another replica holds an unexpired lease
    }
  }
  const bool ours = !holder.empty() && holder == settings_.identity;
  json new_spec{{"holderIdentity", settings_.identity},
                {"leaseDurationSeconds", settings_.lease_duration.count()},
                {"renewTime", now_text}};
  const auto acquired = untrusted::string_member(spec, "acquireTime");
  new_spec["acquireTime"] = ours && acquired ? *acquired : now_text;
  new_spec["leaseTransitions"] = ours ? transitions : transitions + 1;
  if (!ours) {
    log_info("lease {}/{}: taking over from {}", settings_.namespace_name, settings_.name,
             holder.empty() ? std::string("nobody") : untrusted::quoted(holder));
  }
  lease["spec"] = new_spec;
  auto replaced = client_.replace(kind, settings_.namespace_name, settings_.name, lease);
  if (!replaced) {
    // 409 Conflict: somebody wrote it since it was read.
    log_debug("lease {}/{}: update: {}", settings_.namespace_name, settings_.name,
              replaced.error().describe());
    return false;
  }
  std::lock_guard lock(mutex_);
  observed_record_ = untrusted::object_member(*replaced, "spec").dump();
  observed_at_ = now;
  return true;
}

void LeaderElector::release() {
  {
    std::lock_guard lock(mutex_);
    if (!renewed_at_) return;
    renewed_at_.reset();
  }
  const auto& kind = kube::resources::kLeases;
  auto fetched = client_.get(kind, settings_.namespace_name, settings_.name);
  if (!fetched) return;
  json lease = std::move(*fetched);
  if (untrusted::string_or(untrusted::object_member(lease, "spec"), "holderIdentity") !=
      settings_.identity)
    return;
  const std::string now_text = text::format_rfc3339_micro(clock_.now());
  lease["spec"]["holderIdentity"] = "";
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = now_text;
  lease["spec"]["acquireTime"] = now_text;
  if (auto released = client_.replace(kind, settings_.namespace_name, settings_.name, lease)) {
    log_info("lease {}/{}: released", settings_.namespace_name, settings_.name);
  }
}

void LeaderElector::run(const std::atomic<bool>& stop) {
  bool leading = false;
  while (!stop) {
    try_acquire_or_renew();
    const bool now_leading = is_leader();
    if (now_leading != leading) {
      if (now_leading) {
        log_info("lease {}/{}: leading as {}", settings_.namespace_name, settings_.name,
                 settings_.identity);
      } else {
        log_warning("lease {}/{}: lost, no longer acting", settings_.namespace_name,
                    settings_.name);
      }
      leading = now_leading;
    }
    // Sleep in short steps so a stop request is seen soon.
    for (auto left = settings_.retry_period; left.count() > 0 && !stop;) {
      const auto step = std::min(left, std::chrono::milliseconds(200));
      clock_.sleep_for(step);
      left -= step;
    }
  }
}

std::string default_identity() {
  return sys::host_name() + "_" + std::to_string(::getpid());
}

}  // namespace k8sjobs::controller
