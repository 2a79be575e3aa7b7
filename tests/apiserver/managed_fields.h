// SPDX-License-Identifier: Apache-2.0
#pragma once
// metadata.managedFields as kube-apiserver v1.32 keeps them (server-side field management):
// one entry per writer, {manager, operation, apiVersion, time, fieldsType: FieldsV1, fieldsV1,
// subresource}, where fieldsV1 is the set of fields that writer set, as a tree: "f:<field>" for
// a field, "k:{<keys>}" for an element of a keyed list (containers by name, env by name...),
// "v:<value>" for a member of a set (finalizers), "." for the node itself when the writer
// created it with children, and {} for every leaf. Entries sort by operation, then time,
// then manager, as the real server sorts them.
//
// Only operation "Update" exists here (this server has no apply-patch): a writer owns the
// fields its write added or changed, they are taken from every other writer, and removed fields
// leave every set. Like the real server it does not count fields the server itself sets
// (Job selector and controller labels, admission-defaulted pod fields, identity metadata), the
// status of a main-resource write, or the spec of a status write.

#include <string>

#include <nlohmann/json.hpp>

namespace k8sjobs::testing {

// Who writes: the manager name and "" (the object) or "status" (the status subresource).
struct FieldManager {
  std::string manager;
  std::string subresource;
};

// The manager the real server records for a request: its `fieldManager` query parameter, else
// the User-Agent up to the first '/', printable characters only, at most 128 bytes
// ("curl/8.5.0" -> "curl", "k8sjobs/0.9" -> "k8sjobs").
std::string manager_for_request(const std::string& field_manager_param,
                                const std::string& user_agent);

// The writers this server's simulated components write as.
const FieldManager& controller_manager_writer();         // Job/Deployment controllers, GC
const FieldManager& controller_manager_status_writer();  // their status writes
const FieldManager& scheduler_status_writer();           // kube-scheduler (Unschedulable)
const FieldManager& kubelet_status_writer();             // the node side of pods

// Sets after["metadata"]["managedFields"] for a write of `after` over `before` (null for a
// create) by `writer`, starting from before's managedFields. `kind` picks the list types
// (Job conditions are atomic, Pod and Deployment conditions keyed by type).
void record_write(const nlohmann::json& before, nlohmann::json& after, const FieldManager& writer,
                  const std::string& api_version, const std::string& now);

}  // namespace k8sjobs::testing
