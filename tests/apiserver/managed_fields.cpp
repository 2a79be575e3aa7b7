// SPDX-License-Identifier: Apache-2.0
// The field sets of managedFields, computed as the real server's structured-merge-diff does for
// "Update" operations, with the list types of the Kubernetes OpenAPI schema for the fields the
// resources here use. Checked against the recorded responses (tests/data/k8s/responses).

#include "apiserver/managed_fields.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <vector>

namespace k8sjobs::testing {

using nlohmann::json;

namespace {

struct ListType {
  enum Kind { Atomic, Set, Keyed } kind = Atomic;
  std::vector<std::string> keys;  // Keyed: the listMapKeys
  bool atomic_elements = false;   // Keyed: elements are owned whole ("k:{...}": {})
};

// The list type of an array by its field name (and, for conditions, the object's kind), from
// the x-kubernetes-list-type annotations of the v1.32 OpenAPI. Lists not named are atomic, as
// most lists of these resources are (command, args, tolerations, containerStatuses...).
ListType list_type(const std::string& field, const std::string& kind) {
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" ||
      field == "env" || field == "volumes" || field == "imagePullSecrets") {
    return {ListType::Keyed, {"name"}, false};
  }
  if (field == "volumeMounts") return {ListType::Keyed, {"mountPath"}, false};
  if (field == "ports") return {ListType::Keyed, {"containerPort", "protocol"}, false};
  if (field == "podIPs") return {ListType::Keyed, {"ip"}, false};
  if (field == "ownerReferences") return {ListType::Keyed, {"uid"}, true};
  if (field == "finalizers") return {ListType::Set, {}, false};
  // JobStatus.conditions is +listType=atomic; Pod and Deployment conditions are maps by type.
  if (field == "conditions" && kind != "Job") return {ListType::Keyed, {"type"}, false};
  return {};
}

// Maps owned whole, like a leaf (+structType=atomic).
bool atomic_map(const std::string& field) {
  return field == "selector";
}

const json kLeaf = json::object();

bool is_absent_null(const std::string& field, const json& value) {
  // A template's "creationTimestamp": null is the zero value every object has: never a field.
  return value.is_null() && field == "creationTimestamp";
}

// The FieldsV1 name of a keyed list's element: "k:" and its keys as JSON (sorted keys).
std::optional<std::string> element_name(const json& element, const ListType& type);

// A keyed list's elements by FieldsV1 name.
std::map<std::string, const json*> elements_by_name(const json& list, const ListType& type) {
  std::map<std::string, const json*> index;
  if (!list.is_array()) return index;
  for (const auto& element : list) {
    if (auto name = element_name(element, type)) index[*name] = &element;
  }
  return index;
}

std::optional<json> element_key(const json& element, const ListType& type) {
  if (!element.is_object()) return std::nullopt;
  json key = json::object();
  for (const auto& k : type.keys) {
    auto it = element.find(k);
    if (it == element.end()) {
      if (k == "protocol") {  // defaulted key: TCP
        key[k] = "TCP";
        continue;
      }
      return std::nullopt;
    }
    key[k] = *it;
  }
  return key;
}

std::optional<std::string> element_name(const json& element, const ListType& type) {
  auto key = element_key(element, type);
  if (!key) return std::nullopt;
  return "k:" + key->dump();
}

// The fields of `after` new or changed against `before` (nullptr: absent), as a FieldsV1 tree;
// nullopt when nothing changed. `field` is the name of this node's field.
std::optional<json> changed(const json* before, const json& after, const std::string& field,
                            const std::string& kind) {
  if (after.is_object() && !atomic_map(field)) {
    const bool existed = before != nullptr && before->is_object();
    if (!existed && after.empty()) return kLeaf;
    json result = existed ? json::object() : json{{".", kLeaf}};
    for (auto it = after.begin(); it != after.end(); ++it) {
      if (is_absent_null(it.key(), it.value())) continue;
      const json* old = nullptr;
      if (existed) {
        auto found = before->find(it.key());
        if (found != before->end() && !is_absent_null(it.key(), *found)) old = &*found;
      }
      if (auto child = changed(old, it.value(), it.key(), kind)) result["f:" + it.key()] = *child;
    }
    if (result.empty()) return std::nullopt;
    return result;
  }
  if (after.is_array()) {
    const ListType type = list_type(field, kind);
    // A list the zero value already has as null (no omitempty: a pod's containers) is no new
    // node of its own.
    const bool existed = before != nullptr && (before->is_array() || before->is_null());
    if (type.kind == ListType::Atomic) {
      if (before != nullptr && before->is_array() && *before == after) return std::nullopt;
      return kLeaf;
    }
    json result = existed ? json::object() : json{{".", kLeaf}};
    if (type.kind == ListType::Set) {
      for (const auto& value : after) {
        if (before != nullptr && before->is_array() &&
            std::find(before->begin(), before->end(), value) != before->end()) {
          continue;
        }
        result["v:" + value.dump()] = kLeaf;
      }
    } else {
      const auto old_elements = before != nullptr ? elements_by_name(*before, type)
                                                  : std::map<std::string, const json*>();
      for (const auto& element : after) {
        auto name_found = element_name(element, type);
        if (!name_found) {  // not a list of keyed objects after all: owned whole
          if (before != nullptr && *before == after) return std::nullopt;
          return kLeaf;
        }
        const std::string& name = *name_found;
        auto old_found = old_elements.find(name);
        const json* old = old_found == old_elements.end() ? nullptr : old_found->second;
        if (type.atomic_elements) {
          if (old == nullptr || *old != element) result[name] = kLeaf;
        } else if (auto child = changed(old, element, "", kind)) {
          result[name] = *child;
        }
      }
    }
    if (result.empty()) return std::nullopt;
    return result;
  }
  if (before != nullptr && *before == after) return std::nullopt;
  return kLeaf;
}

// Adds set `b` to set `a`. A leaf ({}) that gains children keeps its own membership as ".".
void unite(json& a, const json& b) {
  for (auto it = b.begin(); it != b.end(); ++it) {
    auto found = a.find(it.key());
    if (found == a.end()) {
      a[it.key()] = it.value();
    } else if (found->empty() && !it.value().empty()) {
      json merged = it.value();
      merged["."] = kLeaf;
      *found = std::move(merged);
    } else if (!found->empty() && it.value().empty()) {
      (*found)["."] = kLeaf;
    } else {
      unite(*found, it.value());
    }
  }
}

// Removes from `a` every member of `b`.
void subtract(json& a, const json& b) {
  for (auto it = b.begin(); it != b.end(); ++it) {
    auto found = a.find(it.key());
    if (found == a.end()) continue;
    if (it.value().empty() || found->empty()) {
      if (it.value().empty() && !found->empty()) {
        found->erase(".");  // the node itself, not what was set under it
        if (!found->empty()) continue;
      }
      a.erase(found);
      continue;
    }
    subtract(*found, it.value());
    if (found->empty()) a.erase(found);
  }
}

// `set` restricted to the fields `value` still has; nullopt when none is left.
std::optional<json> prune(const json& set, const json& value, const std::string& kind,
                          const std::string& field) {
  if (set.empty()) return set;  // a leaf: the caller found the field
  json result = json::object();
  std::map<std::string, const json*> elements;
  if (value.is_array()) elements = elements_by_name(value, list_type(field, kind));
  for (auto it = set.begin(); it != set.end(); ++it) {
    const std::string& name = it.key();
    const json* child = nullptr;
    std::string child_field;
    if (name == ".") {
      result["."] = kLeaf;
      continue;
    }
    if (name.rfind("f:", 0) == 0 && value.is_object()) {
      child_field = name.substr(2);
      auto found = value.find(child_field);
      if (found != value.end() && !is_absent_null(child_field, *found)) child = &*found;
    } else if (name.rfind("k:", 0) == 0 && value.is_array()) {
      auto found = elements.find(name);
      if (found != elements.end()) child = found->second;
    } else if (name.rfind("v:", 0) == 0 && value.is_array()) {
      json member = json::parse(name.substr(2), nullptr, false);
      if (std::find(value.begin(), value.end(), member) != value.end()) result[name] = kLeaf;
      continue;
    }
    if (child == nullptr) continue;
    auto kept = prune(it.value(), *child, kind, child_field);
    if (kept) result[name] = std::move(*kept);
  }
  if (result.empty()) return std::nullopt;
  if (result.size() == 1 && result.contains(".")) return kLeaf;  // children gone, node kept
  return result;
}

bool is_default_tolerations(const json& tolerations) {
  if (!tolerations.is_array() || tolerations.size() != 2) return false;
  for (const auto& t : tolerations) {
    if (t.value("operator", "") != "Exists" || t.value("effect", "") != "NoExecute" ||
        t.value("tolerationSeconds", 0) != 300) {
      return false;
    }
  }
  return true;
}

// What field management sees of an object: no identity metadata, none of the fields the
// server's strategies and admission set (they happen after field management), and for a
// status write no spec, for an object write no status.
json view(const json& object, const std::string& subresource) {
  json v = object.is_object() ? object : json::object();
  v.erase("kind");
  v.erase("apiVersion");
  if (v.contains("metadata") && v["metadata"].is_object()) {
    json& meta = v["metadata"];
    for (const char* k :
         {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
          "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"}) {
      meta.erase(k);
    }
  }
  const std::string kind = object.is_object() ? object.value("kind", "") : "";
  if (kind == "Job" && v.contains("spec") && v["spec"].is_object()) {
    json& spec = v["spec"];
    const json uid = object["metadata"].value("uid", json());
    if (!spec.value("manualSelector", false)) spec.erase("selector");
    if (spec.contains("template") && spec["template"].is_object() &&
        spec["template"].contains("metadata") && spec["template"]["metadata"].is_object()) {
      json& tmeta = spec["template"]["metadata"];
      if (tmeta.contains("labels") && tmeta["labels"].is_object()) {
        json& labels = tmeta["labels"];
        const json name = object["metadata"].value("name", json());
        for (const char* k : {"batch.kubernetes.io/controller-uid", "controller-uid"}) {
          if (labels.contains(k) && labels[k] == uid) labels.erase(k);
        }
        for (const char* k : {"batch.kubernetes.io/job-name", "job-name"}) {
          if (labels.contains(k) && labels[k] == name) labels.erase(k);
        }
        if (labels.empty()) tmeta.erase("labels");
      }
    }
  }
  if (kind == "Pod" && v.contains("spec") && v["spec"].is_object()) {
    // Set by the ServiceAccount, DefaultTolerationSeconds and Priority admission plugins.
    json& spec = v["spec"];
    if (spec.value("serviceAccountName", "") == "default") spec.erase("serviceAccountName");
    if (spec.value("serviceAccount", "") == "default") spec.erase("serviceAccount");
    if (spec.contains("tolerations") && is_default_tolerations(spec["tolerations"])) {
      spec.erase("tolerations");
    }
    if (spec.contains("priority") && spec["priority"] == 0) spec.erase("priority");
    if (spec.value("preemptionPolicy", "") == "PreemptLowerPriority") {
      spec.erase("preemptionPolicy");
    }
  }
  v.erase(subresource == "status" ? "spec" : "status");
  return v;
}

// The zero value of a new object of `kind`, as the real server compares a create against:
// struct fields exist (so they get no "." of their own), pointers and maps do not.
json zero_object(const std::string& kind) {
  const json pod_spec = {{"containers", nullptr}};
  const json pod_template = {{"metadata", json::object()}, {"spec", pod_spec}};
  if (kind == "Job") {
    return {{"metadata", json::object()},
            {"spec", {{"template", pod_template}}},
            {"status", json::object()}};
  }
  if (kind == "CronJob") {
    return {
        {"metadata", json::object()},
        {"spec",
         {{"jobTemplate", {{"metadata", json::object()}, {"spec", {{"template", pod_template}}}}}}},
        {"status", json::object()}};
  }
  if (kind == "Deployment") {
    return {{"metadata", json::object()},
            {"spec", {{"template", pod_template}, {"strategy", json::object()}}},
            {"status", json::object()}};
  }
  if (kind == "Pod") {
    return {{"metadata", json::object()}, {"spec", pod_spec}, {"status", json::object()}};
  }
  return {{"metadata", json::object()}};
}

struct EntryOrder {
  bool operator()(const json& p, const json& q) const {
    auto key = [](const json& e) {
      return std::make_tuple(e.value("operation", ""), e.value("time", ""), e.value("manager", ""),
                             e.value("apiVersion", ""), e.value("subresource", ""));
    };
    return key(p) < key(q);
  }
};

}  // namespace

std::string manager_for_request(const std::string& field_manager_param,
                                const std::string& user_agent) {
  if (!field_manager_param.empty()) return field_manager_param;
  std::string prefix = user_agent.substr(0, user_agent.find('/'));
  std::string manager;
  for (char c : prefix) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isprint(u)) continue;
    if (manager.size() + 1 > 128) break;
    manager += c;
  }
  return manager;
}

const FieldManager& controller_manager_writer() {
  static const FieldManager writer{"kube-controller-manager", ""};
  return writer;
}
const FieldManager& controller_manager_status_writer() {
  static const FieldManager writer{"kube-controller-manager", "status"};
  return writer;
}
const FieldManager& scheduler_status_writer() {
  static const FieldManager writer{"kube-scheduler", "status"};
  return writer;
}
const FieldManager& kubelet_status_writer() {
  static const FieldManager writer{"kubelet", "status"};
  return writer;
}

void record_write(const json& before, json& after, const FieldManager& writer,
                  const std::string& api_version, const std::string& now) {
  const std::string kind = after.value("kind", "");
  const json old_view = before.is_object() ? view(before, writer.subresource) : zero_object(kind);
  const json new_view = view(after, writer.subresource);
  std::optional<json> set = changed(&old_view, new_view, "", kind);

  json entries = json::array();
  if (before.is_object() && before.contains("metadata") && before["metadata"].is_object()) {
    auto found = before["metadata"].find("managedFields");
    if (found != before["metadata"].end() && found->is_array()) entries = *found;
  }
  bool found = false;
  for (auto& entry : entries) {
    const bool mine = entry.value("manager", "") == writer.manager &&
                      entry.value("operation", "") == "Update" &&
                      entry.value("subresource", "") == writer.subresource;
    if (!set) continue;
    if (mine) {
      found = true;
      json fields = entry.value("fieldsV1", json::object());
      unite(fields, *set);
      entry["fieldsV1"] = std::move(fields);
      entry["time"] = now;
    } else if (entry.contains("fieldsV1")) {
      subtract(entry["fieldsV1"], *set);
    }
  }
  if (set && !found) {
    json entry = {{"manager", writer.manager}, {"operation", "Update"},
                  {"apiVersion", api_version}, {"time", now},
                  {"fieldsType", "FieldsV1"},  {"fieldsV1", *set}};
    if (!writer.subresource.empty()) entry["subresource"] = writer.subresource;
    if (writer.manager.empty()) entry.erase("manager");
    entries.push_back(std::move(entry));
  }
  // Fields the write removed belong to nobody any more. (No set holds a field that view()
  // leaves out, so the object itself will do.)
  json kept = json::array();
  for (auto& entry : entries) {
    auto fields_v1 = entry.find("fieldsV1");
    if (fields_v1 == entry.end()) continue;
    auto fields = prune(*fields_v1, after, kind, "");
    if (!fields || fields->empty()) continue;
    entry["fieldsV1"] = std::move(*fields);
    kept.push_back(std::move(entry));
  }
  std::stable_sort(kept.begin(), kept.end(), EntryOrder());
  if (kept.empty()) {
    after["metadata"].erase("managedFields");
  } else {
    after["metadata"]["managedFields"] = std::move(kept);
  }
}

}  // namespace k8sjobs::testing
