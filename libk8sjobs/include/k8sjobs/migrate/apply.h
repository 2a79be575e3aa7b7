#pragma once
// `k8sjobs-migrate apply`: creates or updates converted CronJobs in the cluster, idempotently:
// an object that already matches is left alone, so a second run changes nothing.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/kube/client.h"

namespace k8sjobs::migrate {

// fnv1a_64 of the desired object (without this annotation): tells apply whether the crontab's
// idea of the CronJob changed since it was last applied, including fields that were removed.
inline constexpr const char* kSpecHashAnnotation = "k8sjobs.io/migrate-spec-hash";

enum class ApplyAction {
  Created,
  Updated,
  Unchanged,
  WouldCreate,  // --dry-run
  WouldUpdate,  // --dry-run
  Refused,      // a CronJob of that name exists that k8sjobs did not create
  Failed,       // the API server said no (see message)
};
std::string_view to_string(ApplyAction action);

struct ApplyResult {
  std::string name;
  ApplyAction action = ApplyAction::Unchanged;
  std::string message;  // Refused / Failed: why; Updated: which part differed
};

// The object with kSpecHashAnnotation set to the hash of everything else.
nlohmann::json with_spec_hash(nlohmann::json object);

// True when `existing` (as the server returns it, defaults added) still holds everything
// `desired` says, value for value. Fields only the server sets are ignored.
bool contains(const nlohmann::json& existing, const nlohmann::json& desired);

// Creates what is missing, replaces what differs (with the existing resourceVersion, so a
// concurrent change is a Conflict rather than lost), leaves equal objects alone.
std::vector<ApplyResult> apply_cronjobs(kube::KubeClient& client, const std::string& namespace_name,
                                        const std::vector<nlohmann::json>& desired, bool dry_run);

}  // namespace k8sjobs::migrate
