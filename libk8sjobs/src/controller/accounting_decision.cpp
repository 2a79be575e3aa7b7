// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/accounting_decision.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "k8sjobs/acct/record_builder.h"
#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;

std::vector<AccountingItem> decide_accounting(const std::vector<json>& jobs,
                                              const std::vector<json>& pods) {
  jobs::JobViewCollector collector;
  std::map<std::pair<std::string, std::string>, const json*> by_name;
  for (const auto& job : jobs) {
    const json& metadata = untrusted::object_member(job, "metadata");
    if (untrusted::member(untrusted::object_member(metadata, "annotations"),
                          kAccountedAnnotation) != nullptr)
      continue;  // accounted by an earlier pass
    collector.add_job(job);
    by_name[{untrusted::string_or(metadata, "namespace"), untrusted::string_or(metadata, "name")}] =
        &job;
  }
  if (by_name.empty()) return {};
  for (const auto& pod : pods) collector.add_pod(pod);

  std::vector<AccountingItem> items;
  for (const auto& record : collector.take_records()) {
    if (!acct::job_finished(record)) continue;
    auto object = std::find_if(record.backend_objects.begin(), record.backend_objects.end(),
                               [](const auto& kind_name) { return kind_name.first == "Job"; });
    if (object == record.backend_objects.end()) continue;
    auto job = by_name.find({record.backend_namespace, object->second});
    if (job == by_name.end()) continue;
    const std::string uid =
        untrusted::string_or(untrusted::object_member(*job->second, "metadata"), "uid");
    if (uid.empty() || uid.size() > 128) continue;  // no identity to key the record by
    AccountingItem item;
    item.namespace_name = record.backend_namespace;
    item.job_name = object->second;
    item.records = acct::records_of_finished_job(record, record.backend_namespace + "/" + uid);
    if (!item.records.empty()) items.push_back(std::move(item));
  }
  std::sort(items.begin(), items.end(), [](const AccountingItem& a, const AccountingItem& b) {
    return std::tie(a.namespace_name, a.records.front().jobnumber) <
           std::tie(b.namespace_name, b.records.front().jobnumber);
  });
  return items;
}

ShardFill fill_shard(const json& data, const std::vector<acct::AccountingRecord>& records,
                     std::size_t limit) {
  ShardFill fill;
  std::size_t bytes = acct::data_bytes(data);
  std::set<std::string> added;
  for (const auto& record : records) {
    std::string key = acct::data_key(record.key);
    if (untrusted::member(data, key) != nullptr || added.contains(key)) {
      ++fill.already;
      continue;
    }
    std::string value = acct::encode_record(record);
    const std::size_t adding = key.size() + value.size();
    if (!fill.left.empty() || (bytes > 0 && bytes + adding > limit)) {
      fill.left.push_back(record);
      continue;
    }
    bytes += adding;
    added.insert(key);
    fill.added.emplace_back(std::move(key), std::move(value));
  }
  return fill;
}

}  // namespace k8sjobs::controller
