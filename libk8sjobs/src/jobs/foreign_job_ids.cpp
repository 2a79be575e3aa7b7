// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/foreign_job_ids.h"

#include <set>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::jobs {

using nlohmann::json;

namespace {

// Rounds of read, merge and swap before giving up: each lost round means another command
// recorded in between, so a few suffice.
constexpr int kMaxWriteRounds = 5;

std::string record_reference() {
  return std::string("configmap/") + kForeignJobIdConfigMap;
}

}  // namespace

ForeignJobIds decode_foreign_job_ids(const json& config_map) {
  ForeignJobIds record;
  record.exists = true;
  record.resource_version =
      untrusted::string_or(untrusted::object_member(config_map, "metadata"), "resourceVersion");
  const json* data = untrusted::member(config_map, "data");
  if (data == nullptr) return record;
  if (!data->is_object()) {
    record.warnings.push_back(record_reference() + ": data is not a map (read as empty)");
    return record;
  }
  std::set<long long> taken;
  for (const auto& [uid, value] : data->items()) {
    auto number =
        value.is_string()
            ? untrusted::parse_job_number(value.get_ref<const std::string&>())
            : Expected<long long, std::string>(unexpected(std::string("is not a string")));
    if (!number) {
      record.warnings.push_back(record_reference() + ": entry " + untrusted::quoted(uid) + " " +
                                number.error() + " (ignored)");
      continue;
    }
    if (!taken.insert(*number).second) {
      record.warnings.push_back(record_reference() + ": entry " + untrusted::quoted(uid) +
                                " repeats job number " + std::to_string(*number) + " (ignored)");
      continue;
    }
    record.ids.emplace(uid, *number);
  }
  return record;
}

json foreign_job_ids_patch(const std::map<std::string, long long>& added,
                           const std::vector<std::string>& forgotten,
                           const std::string& resource_version) {
  json data = json::object();
  for (const auto& uid : forgotten) data[uid] = nullptr;  // merge patch: removes the key
  for (const auto& [uid, id] : added) data[uid] = std::to_string(id);
  return json{{"metadata", {{"resourceVersion", resource_version}}}, {"data", data}};
}

kube::Result<ForeignJobIds> ForeignJobIdRecord::read() {
  auto current = client_.get(kube::resources::kConfigMaps, namespace_, kForeignJobIdConfigMap);
  if (!current) {
    if (current.error().is(kube::StatusReason::NotFound)) return ForeignJobIds{};
    return unexpected(current.error());
  }
  return decode_foreign_job_ids(*current);
}

void ForeignJobIdRecord::assign(std::vector<ForeignJob>& jobs, const ForeignJobIds& before,
                                std::vector<std::string>& warnings) {
  std::set<std::string> listed;
  for (const auto& job : jobs) listed.insert(job.uid);
  std::map<std::string, long long> ids = before.ids;
  std::map<std::string, long long> taken;  // numbers taken in this call, kept across rounds
  ForeignJobIds current = before;
  for (int round = 0; round < kMaxWriteRounds; ++round) {
    if (round > 0) {
      auto again = read();
      if (!again) {
        warnings.push_back("cannot read " + record_reference() + ": " + again.error().describe());
        break;
      }
      current = std::move(*again);
    }
    std::map<std::string, long long> added;
    for (const auto& uid : listed) {
      if (current.ids.count(uid) != 0) continue;
      auto slot = taken.find(uid);
      if (slot == taken.end()) {
        auto id = allocator_.next(namespace_);
        if (!id) {
          warnings.push_back("cannot take a job number for the Toolforge jobs framework's jobs: " +
                             id.error().describe());
          break;
        }
        slot = taken.emplace(uid, *id).first;
      }
      added.emplace(uid, slot->second);
    }
    ids = current.ids;
    if (added.empty()) break;  // nothing new (or no number could be taken)
    // Forgotten: entries of the record read before the listing whose object the listing lacks.
    std::vector<std::string> forgotten;
    for (const auto& [uid, id] : before.ids) {
      if (listed.count(uid) == 0 && current.ids.count(uid) != 0) forgotten.push_back(uid);
    }
    kube::Result<json> written = [&]() -> kube::Result<json> {
      if (!current.exists) {
        json data = json::object();
        for (const auto& [uid, id] : added) data[uid] = std::to_string(id);
        json config_map{{"metadata",
                         {{"name", kForeignJobIdConfigMap},
                          {"labels", {{translate::kManagedByLabel, translate::kManagedByValue}}}}},
                        {"data", data}};
        return client_.create(kube::resources::kConfigMaps, namespace_, config_map);
      }
      return client_.patch(kube::resources::kConfigMaps, namespace_, kForeignJobIdConfigMap,
                           kube::PatchType::Merge,
                           foreign_job_ids_patch(added, forgotten, current.resource_version));
    }();
    if (written) {
      for (const auto& [uid, id] : added) ids[uid] = id;
      break;
    }
    if (written.error().is(kube::StatusReason::Conflict) ||
        written.error().is(kube::StatusReason::AlreadyExists)) {
      continue;  // another command recorded in between: merge with what it wrote
    }
    warnings.push_back("cannot record job numbers in " + record_reference() + ": " +
                       written.error().describe());
    break;
  }
  std::size_t unnumbered = 0;
  for (auto& job : jobs) {
    auto id = ids.find(job.uid);
    job.record.id = id == ids.end() ? 0 : id->second;
    if (job.record.id == 0) ++unnumbered;
  }
  if (unnumbered > 0) {
    warnings.push_back(std::to_string(unnumbered) +
                       " job(s) of the Toolforge jobs framework have no job number yet and are "
                       "not shown");
  }
}

}  // namespace k8sjobs::jobs
