#include "k8sjobs/migrate/apply.h"

#include <cstdio>

#include "k8sjobs/kube/resources.h"
#include "k8sjobs/text/fnv1a.h"
#include "k8sjobs/translate/labels.h"

namespace k8sjobs::migrate {

using nlohmann::json;

std::string_view to_string(ApplyAction action) {
  switch (action) {
    case ApplyAction::Created:
      return "created";
    case ApplyAction::Updated:
      return "updated";
    case ApplyAction::Unchanged:
      return "unchanged";
    case ApplyAction::WouldCreate:
      return "would create";
    case ApplyAction::WouldUpdate:
      return "would update";
    case ApplyAction::Refused:
      return "refused";
    case ApplyAction::Failed:
      return "failed";
  }
  return "failed";
}

json with_spec_hash(json object) {
  json& metadata = object["metadata"];
  if (metadata.contains("annotations")) {
    metadata["annotations"].erase(kSpecHashAnnotation);
    if (metadata["annotations"].empty()) metadata.erase("annotations");
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(text::fnv1a_64(object.dump())));
  object["metadata"]["annotations"][kSpecHashAnnotation] = hex;
  return object;
}

bool contains(const json& existing, const json& desired) {
  if (desired.is_object()) {
    if (!existing.is_object()) return false;
    for (const auto& [key, value] : desired.items()) {
      auto found = existing.find(key);
      if (found == existing.end() || !contains(*found, value)) return false;
    }
    return true;
  }
  if (desired.is_array()) {
    if (!existing.is_array() || existing.size() != desired.size()) return false;
    for (std::size_t i = 0; i < desired.size(); ++i) {
      if (!contains(existing[i], desired[i])) return false;
    }
    return true;
  }
  if (desired.is_number() && existing.is_number()) {
    // The server may answer 1 where we sent 1.0 or the reverse: compare as numbers.
    return desired.get<double>() == existing.get<double>();
  }
  return existing == desired;
}

namespace {

std::string first_difference(const json& existing, const json& desired, const std::string& path) {
  if (desired.is_object() && existing.is_object()) {
    for (const auto& [key, value] : desired.items()) {
      auto found = existing.find(key);
      if (found == existing.end()) return path + "." + key;
      std::string inner = first_difference(*found, value, path + "." + key);
      if (!inner.empty()) return inner;
    }
    return "";
  }
  return contains(existing, desired) ? "" : path;
}

}  // namespace

std::vector<ApplyResult> apply_cronjobs(kube::KubeClient& client, const std::string& namespace_name,
                                        const std::vector<json>& desired, bool dry_run) {
  const auto& kind = kube::resources::kCronJobs;
  std::vector<ApplyResult> results;
  for (const auto& object : desired) {
    json wanted = with_spec_hash(object);
    wanted["metadata"]["namespace"] = namespace_name;
    ApplyResult result;
    result.name = wanted["metadata"].value("name", "");
    auto existing = client.get(kind, namespace_name, result.name);
    if (!existing) {
      if (!existing.error().is(kube::StatusReason::NotFound)) {
        result.action = ApplyAction::Failed;
        result.message = existing.error().describe();
      } else if (dry_run) {
        result.action = ApplyAction::WouldCreate;
      } else if (auto created = client.create(kind, namespace_name, wanted)) {
        result.action = ApplyAction::Created;
      } else {
        result.action = ApplyAction::Failed;
        result.message = created.error().describe();
      }
      results.push_back(std::move(result));
      continue;
    }
    const json& metadata = (*existing)["metadata"];
    std::string managed_by =
        metadata.contains("labels") ? metadata["labels"].value(translate::kManagedByLabel, "") : "";
    if (managed_by != translate::kManagedByValue) {
      result.action = ApplyAction::Refused;
      result.message = "a CronJob of this name exists that k8sjobs did not create; left alone";
      results.push_back(std::move(result));
      continue;
    }
    std::string difference = first_difference(*existing, wanted, "");
    if (difference.empty()) {
      result.action = ApplyAction::Unchanged;
      results.push_back(std::move(result));
      continue;
    }
    result.message = "differs at " + difference.substr(1);
    if (dry_run) {
      result.action = ApplyAction::WouldUpdate;
      results.push_back(std::move(result));
      continue;
    }
    // The resourceVersion makes a concurrent change a Conflict instead of a lost update.
    wanted["metadata"]["resourceVersion"] = metadata.value("resourceVersion", "");
    if (auto replaced = client.replace(kind, namespace_name, result.name, wanted)) {
      result.action = ApplyAction::Updated;
    } else {
      result.action = ApplyAction::Failed;
      result.message = replaced.error().describe();
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace k8sjobs::migrate
