// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/accounting_controller.h"

#include <map>

#include "k8sjobs/controller/job_view_listing.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/log.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;

namespace {

constexpr int kShardWriteAttempts = 5;

// The highest shard index of `period` in `ns`, from a LIST that keeps no data; nullopt: none.
kube::Result<std::optional<int>> last_shard(kube::KubeClient& client, const std::string& ns,
                                            const std::string& period) {
  kube::ListOptions options;
  options.label_selector = std::string(acct::kAccountingLabel) + "=" + acct::kAccountingLabelValue +
                           "," + acct::kPeriodLabel + "=" + period;
  options.limit = 100;
  const kube::ItemFields fields{{{"metadata", {"name"}}, {"data", {}}}};
  std::optional<int> last;
  auto listed = client.list_pages(
      kube::resources::kConfigMaps, ns, options,
      [&](kube::ListPage& page, bool restarted) {
        if (restarted) last.reset();
        for (const auto& item : page.items) {
          auto index = acct::shard_index(
              untrusted::string_or(untrusted::object_member(item, "metadata"), "name"), period);
          if (index && (!last || *index > *last)) last = index;
        }
      },
      &fields);
  if (!listed) return unexpected(listed.error());
  return last;
}

json new_shard(const std::string& ns, const std::string& name, const std::string& period) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"labels",
             {{translate::kManagedByLabel, translate::kManagedByValue},
              {acct::kAccountingLabel, acct::kAccountingLabelValue},
              {acct::kPeriodLabel, period}}}}},
          {"data", json::object()}};
}

}  // namespace

bool AccountingController::store(const std::string& ns, std::vector<acct::AccountingRecord> records,
                                 const MayAct& may_act, AccountingPassSummary& summary) {
  const std::string period = acct::period_of(clock_.now());
  auto last = last_shard(client_, ns, period);
  if (!last) {
    log_warning("namespace {}: cannot list the accounting shards: {}", ns, last.error().describe());
    return false;
  }
  int index = last->value_or(0);
  for (int attempt = 0; !records.empty() && attempt < kShardWriteAttempts * 4; ++attempt) {
    if (!may_act()) return false;
    const std::string name = acct::shard_name(period, index);
    auto current = client_.get(kube::resources::kConfigMaps, ns, name);
    const bool missing = !current && current.error().is(kube::StatusReason::NotFound);
    if (!current && !missing) {
      log_warning("namespace {}: cannot read configmap/{}: {}", ns, name,
                  current.error().describe());
      return false;
    }
    json object = missing ? new_shard(ns, name, period) : std::move(*current);
    json data = untrusted::object_member(object, "data");
    ShardFill fill = fill_shard(data, records);
    if (fill.added.empty()) {
      if (fill.left.empty()) return true;  // every record is there already
      records = std::move(fill.left);      // this shard is full: the next one
      ++index;
      continue;
    }
    for (auto& [key, value] : fill.added) data[key] = std::move(value);
    object["data"] = std::move(data);
    auto written = missing ? client_.create(kube::resources::kConfigMaps, ns, object)
                           : client_.replace(kube::resources::kConfigMaps, ns, name, object);
    if (!written) {
      if (written.error().is(kube::StatusReason::Conflict) ||
          written.error().is(kube::StatusReason::AlreadyExists))
        continue;  // another writer (a previous leader): read again
      log_warning("namespace {}: cannot write configmap/{}: {}", ns, name,
                  written.error().describe());
      return false;
    }
    summary.records += static_cast<int>(fill.added.size());
    records = std::move(fill.left);
    if (!records.empty()) ++index;
  }
  if (!records.empty()) {
    log_warning("namespace {}: the accounting shards kept changing; trying again next pass", ns);
    return false;
  }
  return true;
}

kube::Result<AccountingPassSummary> AccountingController::reconcile(const std::string& ns,
                                                                    const MayAct& may_act) {
  auto listed = list_job_view_objects(client_, ns);
  if (!listed) return unexpected(listed.error());

  AccountingPassSummary summary;
  std::map<std::string, std::vector<const AccountingItem*>> by_namespace;
  const std::vector<AccountingItem> items = decide_accounting(listed->jobs, listed->pods);
  for (const auto& item : items) by_namespace[item.namespace_name].push_back(&item);
  for (const auto& [space, pending] : by_namespace) {
    std::vector<acct::AccountingRecord> records;
    for (const auto* item : pending)
      records.insert(records.end(), item->records.begin(), item->records.end());
    if (!store(space, std::move(records), may_act, summary)) {
      ++summary.failed;
      continue;
    }
    for (const auto* item : pending) {
      if (!may_act()) return summary;
      json patch = {{"metadata", {{"annotations", {{kAccountedAnnotation, "true"}}}}}};
      auto patched = client_.patch(kube::resources::kJobs, space, item->job_name,
                                   kube::PatchType::Merge, patch);
      if (!patched && !patched.error().is(kube::StatusReason::NotFound)) {
        // Stored all the same: the next pass writes the same keys again, a no-op.
        log_warning("job/{} in namespace {}: not marked as accounted: {}", item->job_name, space,
                    patched.error().describe());
        ++summary.failed;
        continue;
      }
      ++summary.jobs;
    }
  }
  return summary;
}

}  // namespace k8sjobs::controller
