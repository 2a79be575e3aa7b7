// The stored state and the operations on it; controllers live in world_controllers.cpp.

#include "apiserver/world.h"

#include <algorithm>

#include "apiserver/world_internal.h"

namespace k8sjobs::testing {

using nlohmann::json;

namespace {

// kube-apiserver's rule for spec.template of a Job: immutable, except that a Job suspended
// since its creation (spec.suspend and no status.startTime) may change its pods' scheduling
// directives, labels and annotations (KEP-2926, GA in v1.27; k8sjobs-controller writes the
// number of a CronJob's run into its template's labels that way).
bool job_template_update_allowed(const json& current, const json& updated) {
  json before = current["spec"].value("template", json());
  json after = updated["spec"].value("template", json());
  if (before == after) return true;
  const json& status = current.value("status", json::object());
  bool never_started = !status.is_object() || !status.contains("startTime");
  if (!current["spec"].value("suspend", false) || !never_started) return false;
  for (json* pod_template : {&before, &after}) {
    if (!pod_template->is_object()) continue;
    if ((*pod_template)["metadata"].is_object()) {
      (*pod_template)["metadata"].erase("labels");
      (*pod_template)["metadata"].erase("annotations");
    }
    if ((*pod_template)["spec"].is_object()) {
      for (const char* key : {"nodeSelector", "tolerations", "affinity", "schedulingGates"})
        (*pod_template)["spec"].erase(key);
    }
  }
  return before == after;
}

constexpr size_t kMaxHistory = 200000;

std::string base64url_encode(const std::string& in) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(const std::string& in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string continue_token(int64_t rv, const std::string& start) {
  json token = {{"v", "meta.k8s.io/v1"}, {"rv", rv}, {"start", start}};
  // Keep the real token's key order: v, rv, start.
  OrderedJson ordered;
  ordered["v"] = token["v"];
  ordered["rv"] = token["rv"];
  ordered["start"] = token["start"];
  return base64url_encode(ordered.dump());
}

std::map<std::string, std::string> labels_of(const json& object) {
  std::map<std::string, std::string> labels;
  if (object.contains("metadata") && object["metadata"].contains("labels") &&
      object["metadata"]["labels"].is_object()) {
    for (auto it = object["metadata"]["labels"].begin(); it != object["metadata"]["labels"].end();
         ++it) {
      if (it.value().is_string()) labels[it.key()] = it.value().get<std::string>();
    }
  }
  return labels;
}

std::function<bool(const std::string&)> supported_fields(const ResourceType& type) {
  return [&type](const std::string& field) {
    if (field == "metadata.name" || field == "metadata.namespace") return true;
    if (type.plural == "pods") {
      static const std::vector<std::string> pod_fields = {"spec.nodeName",
                                                          "spec.restartPolicy",
                                                          "spec.schedulerName",
                                                          "spec.serviceAccountName",
                                                          "spec.hostNetwork",
                                                          "status.phase",
                                                          "status.podIP",
                                                          "status.podIPs",
                                                          "status.nominatedNodeName"};
      return std::find(pod_fields.begin(), pod_fields.end(), field) != pod_fields.end();
    }
    if (type.plural == "jobs") return field == "status.successful";
    if (type.plural == "events") {
      // kube-apiserver v1.32's event field set (pkg/registry/core/event/strategy.go).
      static const std::vector<std::string> event_fields = {"involvedObject.kind",
                                                            "involvedObject.namespace",
                                                            "involvedObject.name",
                                                            "involvedObject.uid",
                                                            "involvedObject.apiVersion",
                                                            "involvedObject.resourceVersion",
                                                            "involvedObject.fieldPath",
                                                            "reason",
                                                            "reportingComponent",
                                                            "source",
                                                            "type"};
      return std::find(event_fields.begin(), event_fields.end(), field) != event_fields.end();
    }
    return false;
  };
}

std::string field_value(const json& object, const std::string& field) {
  if (field == "status.successful") {
    return std::to_string(object.value("status", json::object()).value("succeeded", 0));
  }
  if (field == "source") {
    return object.value("source", json::object()).value("component", "");
  }
  const json* node = &object;
  size_t start = 0;
  while (true) {
    size_t dot = field.find('.', start);
    std::string part =
        field.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(part)) return "";
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_boolean()) return node->get<bool>() ? "true" : "false";
  if (node->is_null()) return "";
  return node->dump();
}

std::string split_ns(const std::string& key) {
  return key.substr(0, key.find('/'));
}

bool has_status_subresource(const ResourceType& type) {
  return type.plural == "jobs" || type.plural == "cronjobs" || type.plural == "deployments" ||
         type.plural == "pods";
}

bool has_generation(const ResourceType& type) {
  return type.plural == "jobs" || type.plural == "cronjobs" || type.plural == "deployments";
}

std::string media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
  return t;
}

Reply json_parse_error(const ResourceType& type, const std::string& body,
                       const json::parse_error& e) {
  std::string why = body.empty() || e.byte >= body.size()
                        ? "unexpected end of JSON input"
                        : "invalid character '" +
                              std::string(1, body[e.byte - 1 < body.size() ? e.byte - 1 : 0]) +
                              "' looking for beginning of value";
  std::string snippet = body.size() > 30 ? body.substr(0, 30) + " ..." : body;
  return bad_request("the object provided is unrecognized (must be of type " + type.kind +
                     "): couldn't get version/kind; json parse error: " + why + " (" + snippet +
                     ")");
}

}  // namespace

StoredObject::StoredObject(const json& object) : text_(wire_text(object)) {
  // kind and apiVersion come first on the wire: a LIST item is the text without them.
  if (object.contains("kind") && object.contains("apiVersion")) {
    const std::string prefix = "{\"kind\":" + object["kind"].dump() +
                               ",\"apiVersion\":" + object["apiVersion"].dump() + ",";
    if (text_.compare(0, prefix.size(), prefix) == 0) item_offset_ = prefix.size();
  }
  labels_ = labels_of(object);
  if (object.contains("metadata") && object["metadata"].is_object()) {
    auto refs = object["metadata"].find("ownerReferences");
    if (refs != object["metadata"].end() && refs->is_array()) {
      for (const auto& ref : *refs) {
        auto uid = ref.find("uid");
        if (uid != ref.end() && uid->is_string()) owner_uids_.push_back(uid->get<std::string>());
      }
    }
  }
}

World::World() : random_(std::random_device{}()) {}

// ----- storage primitives ------------------------------------------------------------------

World::Store& World::store(const ResourceType& type) {
  return stores_[type.qualified()];
}

const World::Store* World::find_store(const ResourceType& type) const {
  auto it = stores_.find(type.qualified());
  return it == stores_.end() ? nullptr : &it->second;
}

StoredPtr World::find_stored(const ResourceType& type, const std::string& ns,
                             const std::string& name) const {
  const Store* s = find_store(type);
  if (s == nullptr) return nullptr;
  auto it = s->find(ns + "/" + name);
  return it == s->end() ? nullptr : it->second;
}

std::optional<json> World::find(const ResourceType& type, const std::string& ns,
                                const std::string& name) const {
  StoredPtr stored = find_stored(type, ns, name);
  if (stored == nullptr) return std::nullopt;
  return stored->tree();
}

void World::index_pod_owners(const std::string& key, const StoredObject& pod, bool add) {
  for (const auto& uid : pod.owner_uids()) {
    if (add) {
      pods_by_owner_[uid].insert(key);
    } else if (auto entry = pods_by_owner_.find(uid); entry != pods_by_owner_.end()) {
      entry->second.erase(key);
      if (entry->second.empty()) pods_by_owner_.erase(entry);
    }
  }
}

StoredPtr World::put(const ResourceType& type, json object, const FieldManager* writer,
                     const json* diff_base) {
  std::string key = object["metadata"].value("namespace", "") + "/" +
                    object["metadata"]["name"].get<std::string>();
  auto& s = store(type);
  auto it = s.find(key);
  if (writer != nullptr) {
    json stored;  // null for a create
    if (diff_base == nullptr && it != s.end()) stored = it->second->tree();
    record_write(diff_base != nullptr ? *diff_base : stored, object, *writer, type.api_version(),
                 now_rfc3339());
  }
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  auto stored = std::make_shared<const StoredObject>(object);
  if (type.plural == "pods") {
    if (it != s.end()) index_pod_owners(key, *it->second, false);
    index_pod_owners(key, *stored, true);
  }
  Event event{rv_,    type.qualified(),
              key,    it == s.end() ? "ADDED" : "MODIFIED",
              stored, it == s.end() ? nullptr : it->second};
  s[key] = stored;
  history_.push_back(std::move(event));
  if (history_.size() > kMaxHistory) {
    // Bounded memory for long benchmarks: forgetting history is what compaction means anyway.
    size_t drop = history_.size() / 2;
    compacted_rv_ = std::max(compacted_rv_, history_[drop - 1].rv);
    history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  changed_.notify_all();
  return stored;
}

void World::erase(const ResourceType& type, const std::string& ns, const std::string& name) {
  auto& s = store(type);
  auto it = s.find(ns + "/" + name);
  if (it == s.end()) return;
  if (type.plural == "pods") index_pod_owners(it->first, *it->second, false);
  json last = it->second->tree();
  last["metadata"]["resourceVersion"] = std::to_string(++rv_);
  history_.push_back(Event{rv_, type.qualified(), it->first, "DELETED",
                           std::make_shared<const StoredObject>(last), it->second});
  s.erase(it);
  changed_.notify_all();
}

std::string World::uuid() {
  uint64_t a = random_(), b = random_();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string World::random_suffix() {
  // The alphabet Kubernetes uses for generateName (no vowels, no look-alikes).
  static const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (int i = 0; i < 5; ++i) out += alphabet[random_() % alphabet.size()];
  return out;
}

int World::count_in_namespace(const ResourceType& type, const std::string& ns) const {
  const Store* s = find_store(type);
  if (s == nullptr) return 0;
  int count = 0;
  for (auto it = s->lower_bound(ns + "/"); it != s->end() && split_ns(it->first) == ns; ++it) {
    if (type.plural == "pods") {
      std::string phase = it->second->tree().value("status", json::object()).value("phase", "");
      if (phase == "Succeeded" || phase == "Failed") continue;
    }
    ++count;
  }
  return count;
}

std::optional<Reply> World::quota_check(const ResourceType& type, const std::string& ns,
                                        const std::string& name) {
  auto q = quotas_.find(ns);
  if (q == quotas_.end()) return std::nullopt;
  for (const auto& [resource, hard] : q->second) {
    bool applies =
        resource == "count/" + type.qualified() || (type.plural == "pods" && resource == "pods");
    if (!applies) continue;
    int used = count_in_namespace(type, ns);
    if (used + 1 > hard) {
      return status_reply(403, "Forbidden",
                          type.qualified() + " \"" + name +
                              "\" is forbidden: exceeded quota: k8sjobs-quota, requested: " +
                              resource + "=1, used: " + resource + "=" + std::to_string(used) +
                              ", limited: " + resource + "=" + std::to_string(hard),
                          resource_details(type, name));
    }
  }
  return std::nullopt;
}

// ----- create / get / update ---------------------------------------------------------------

Reply World::create(const ResourceType& type, const std::string& ns, const std::string& body,
                    bool enforce_quota, const std::string& manager) {
  json object;
  try {
    object = json::parse(body);
  } catch (const json::parse_error& e) {
    return json_parse_error(type, body, e);
  }
  return create_object(type, ns, std::move(object), enforce_quota, manager);
}

Reply World::create_object(const ResourceType& type, const std::string& ns, json object,
                           bool enforce_quota, const std::string& manager) {
  std::lock_guard lock(mutex_);
  return create_locked(type, ns, std::move(object), enforce_quota, manager);
}

Reply World::create_locked(const ResourceType& type, const std::string& ns, json object,
                           bool enforce_quota, const std::string& manager) {
  if (!object.is_object()) {
    return bad_request("the object provided is unrecognized (must be of type " + type.kind +
                       "): couldn't get version/kind; json parse error: json: cannot unmarshal " +
                       std::string(object.type_name()) + " into Go value of type struct");
  }
  if (object.contains("apiVersion") && object["apiVersion"] != type.api_version()) {
    return bad_request("the API version in the data (" + object["apiVersion"].dump() +
                       ") does not match the expected API version (" + type.api_version() + ")");
  }
  if (object.contains("kind") && object["kind"] != type.kind) {
    return bad_request("the object provided is unrecognized (must be of type " + type.kind +
                       "): no kind " + object["kind"].dump() + " is registered for version \"" +
                       type.api_version() + "\"");
  }
  if (!object.contains("metadata") || !object["metadata"].is_object()) {
    object["metadata"] = json::object();
  }
  json& meta = object["metadata"];
  if (meta.contains("namespace") && meta["namespace"] != "" && meta["namespace"] != ns) {
    return bad_request(
        "the namespace of the provided object does not match the namespace sent on the request");
  }
  if (meta.value("name", "").empty() && meta.contains("generateName") &&
      meta["generateName"].is_string() && !meta["generateName"].get<std::string>().empty()) {
    meta["name"] = meta["generateName"].get<std::string>() + random_suffix();
  }
  std::string name = meta.value("name", "");
  for (const char* k : {"uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "managedFields", "selfLink", "generation"}) {
    meta.erase(k);
  }
  object["kind"] = type.kind;
  object["apiVersion"] = type.api_version();
  std::vector<Cause> causes = validate_object(type, object);
  if (!causes.empty()) return invalid(type, name, causes);
  if (enforce_quota) {
    if (auto refused = quota_check(type, ns, name)) return *refused;
  }
  if (find_stored(type, ns, name) != nullptr) {
    return status_reply(409, "AlreadyExists", type.qualified() + " \"" + name + "\" already exists",
                        resource_details(type, name));
  }
  std::string uid = uuid();
  if (type.plural == "nodes") {
    meta.erase("namespace");  // cluster-scoped
  } else {
    meta["namespace"] = ns;
  }
  meta["uid"] = uid;
  meta["creationTimestamp"] = now_rfc3339();
  if (has_generation(type)) meta["generation"] = 1;
  if (type.plural == "jobs") default_job(object, uid);
  if (type.plural == "cronjobs") default_cronjob(object);
  if (type.plural == "deployments") default_deployment(object);
  if (type.plural == "pods") {
    if (!object.contains("spec") || !object["spec"].is_object()) object["spec"] = json::object();
    default_pod_spec(object["spec"]);
    object["status"] = {{"phase", "Pending"}, {"qosClass", qos_class(object["spec"])}};
    mark_scheduling_gated(object);
  } else if (has_status_subresource(type)) {
    object["status"] = json::object();
  }
  const FieldManager writer{manager, ""};
  Reply reply{201, nullptr, {}, put(type, object, &writer)->text()};
  if (type.plural == "jobs") reconcile_job(ns, name);
  if (type.plural == "deployments") reconcile_deployment(ns, name);
  return reply;
}

Reply World::get(const ResourceType& type, const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mutex_);
  StoredPtr object = find_stored(type, ns, name);
  if (object == nullptr) return not_found(type, name);
  return Reply{200, nullptr, {}, object->text()};
}

Reply World::get_scale(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mutex_);
  const ResourceType& type = resource_of("deployments");
  const std::optional<json> d = find(type, ns, name);
  if (!d) return not_found(type, name);
  OrderedJson scale;
  scale["kind"] = "Scale";
  scale["apiVersion"] = "autoscaling/v1";
  OrderedJson meta;
  for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if ((*d)["metadata"].contains(k)) meta[k] = (*d)["metadata"][k];
  }
  scale["metadata"] = meta;
  scale["spec"] = {{"replicas", (*d)["spec"].value("replicas", 1)}};
  std::string selector;
  json match = (*d)["spec"].value("selector", json::object()).value("matchLabels", json::object());
  for (auto it = match.begin(); it != match.end(); ++it) {
    selector += (selector.empty() ? "" : ",") + it.key() + "=" + it.value().get<std::string>();
  }
  OrderedJson status;
  status["replicas"] = (*d)["status"].value("replicas", 0);
  status["selector"] = selector;
  scale["status"] = status;
  return Reply{200, scale, {}, {}};
}

Reply World::update_locked(const ResourceType& type, const std::string& ns, const std::string& name,
                           json object, bool check_conflict, const std::string& manager) {
  std::optional<json> current = find(type, ns, name);
  if (!current) return not_found(type, name);
  if (!object.is_object()) return bad_request("the object provided is unrecognized");
  if (!object.contains("metadata") || !object["metadata"].is_object()) {
    object["metadata"] = json::object();
  }
  json& meta = object["metadata"];
  if (meta.value("name", "") != name) {
    return bad_request("the name of the object (" + meta.value("name", "") +
                       ") does not match the name on the URL (" + name + ")");
  }
  if (meta.contains("namespace") && meta["namespace"] != "" && meta["namespace"] != ns) {
    return bad_request(
        "the namespace of the provided object does not match the namespace sent on the request");
  }
  const json& cur_meta = (*current)["metadata"];
  if (check_conflict && meta.contains("resourceVersion") && meta["resourceVersion"].is_string() &&
      !meta["resourceVersion"].get<std::string>().empty() &&
      meta["resourceVersion"] != cur_meta["resourceVersion"]) {
    return modified_conflict(type, name);
  }
  if (meta.contains("uid") && meta["uid"].is_string() && !meta["uid"].get<std::string>().empty() &&
      meta["uid"] != cur_meta["uid"]) {
    return conflict(type, name,
                    "Precondition failed: UID in precondition: " + meta["uid"].get<std::string>() +
                        ", UID in object meta: " + cur_meta["uid"].get<std::string>());
  }
  for (const char* k : {"uid", "creationTimestamp", "namespace", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "generation"}) {
    if (cur_meta.contains(k)) {
      meta[k] = cur_meta[k];
    } else {
      meta.erase(k);
    }
  }
  // What the client sends is ignored: the server keeps the writers' sets (put() adds this one).
  meta.erase("managedFields");
  if (cur_meta.contains("managedFields")) meta["managedFields"] = cur_meta["managedFields"];
  meta["resourceVersion"] = cur_meta["resourceVersion"];
  object["kind"] = type.kind;
  object["apiVersion"] = type.api_version();
  if (has_status_subresource(type)) object["status"] = (*current)["status"];
  if (type.plural == "jobs") {
    json& spec = object["spec"];
    if (spec.is_object() && !spec.contains("manualSelector")) spec["manualSelector"] = false;
    default_job(object, cur_meta["uid"].get<std::string>());
  }
  if (type.plural == "cronjobs") default_cronjob(object);
  if (type.plural == "deployments") default_deployment(object);
  if (type.plural == "pods" && object["spec"].is_object()) default_pod_spec(object["spec"]);
  std::vector<Cause> causes = validate_object(type, object);
  if (type.plural == "pods") {
    for (auto& cause : validate_scheduling_gates_update(*current, object))
      causes.push_back(std::move(cause));
    // The last gate removed: the scheduler takes the pod from here (tests bind it).
    if (scheduling_gated(*current) && !scheduling_gated(object) && object["status"].is_object()) {
      json& conditions = object["status"]["conditions"];
      if (conditions.is_array()) {
        conditions.erase(std::remove_if(conditions.begin(), conditions.end(),
                                        [](const json& c) {
                                          return c.value("reason", "") == "SchedulingGated";
                                        }),
                         conditions.end());
        if (conditions.empty()) object["status"].erase("conditions");
      }
    }
  }
  if (type.plural == "jobs" && !job_template_update_allowed(*current, object)) {
    causes.push_back(
        {"FieldValueInvalid",
         "Invalid value: " + object["spec"]["template"].dump() + ": field is immutable",
         "spec.template"});
  }
  if (!causes.empty()) return invalid(type, name, causes);
  if (object == *current) return Reply{200, nullptr, {}, find_stored(type, ns, name)->text()};
  if (has_generation(type) && object.value("spec", json()) != (*current).value("spec", json())) {
    meta["generation"] = cur_meta.value("generation", 1) + 1;
  }
  const FieldManager writer{manager, ""};
  Reply reply{200, nullptr, {}, put(type, object, &writer)->text()};
  if (meta.contains("deletionTimestamp") && meta.value("finalizers", json::array()).empty()) {
    // The last finalizer of an object marked for deletion is gone: the deletion completes.
    std::string uid = meta["uid"].get<std::string>();  // copied from the stored object above
    erase(type, ns, name);
    delete_dependents(uid);
    return reply;
  }
  if (type.plural == "jobs") reconcile_job(ns, name);
  if (type.plural == "deployments") reconcile_deployment(ns, name);
  return reply;
}

Reply World::replace(const ResourceType& type, const std::string& ns, const std::string& name,
                     const std::string& body, const std::string& manager) {
  json object;
  try {
    object = json::parse(body);
  } catch (const json::parse_error& e) {
    return json_parse_error(type, body, e);
  }
  std::lock_guard lock(mutex_);
  return update_locked(type, ns, name, std::move(object), true, manager);
}

Reply World::patch(const ResourceType& type, const std::string& ns, const std::string& name,
                   const std::string& content_type, const std::string& body,
                   const std::string& manager) {
  std::string media = media_type(content_type);
  bool merge =
      media == "application/merge-patch+json" || media == "application/strategic-merge-patch+json";
  bool json_patch = media == "application/json-patch+json";
  if (!merge && !json_patch) {
    return status_reply(415, "UnsupportedMediaType", "415: Unsupported Media Type",
                        OrderedJson::object());
  }
  json patch_doc;
  try {
    patch_doc = json::parse(body);
  } catch (const json::parse_error& e) {
    return bad_request(std::string("error decoding patch: ") + e.what());
  }
  std::lock_guard lock(mutex_);
  std::optional<json> current = find(type, ns, name);
  if (!current) return not_found(type, name);
  json patched = *current;
  if (merge) {
    if (!patch_doc.is_object()) return bad_request("error decoding patch: not a JSON object");
    patched.merge_patch(patch_doc);
  } else {
    if (!patch_doc.is_array()) {
      return bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    }
    try {
      patched = current->patch(patch_doc);
    } catch (const json::exception& e) {
      std::string why = e.what();
      if (e.id == 501) why = "test failed: " + why;
      OrderedJson details;
      details["causes"] = OrderedJson::array({OrderedJson{{"message", why}}});
      return status_reply(422, "Invalid",
                          "the server rejected our request due to an error in our request",
                          details);
    }
  }
  return update_locked(type, ns, name, std::move(patched), true, manager);
}

// ----- list and snapshots ------------------------------------------------------------------

World::Store World::snapshot(const ResourceType& type, int64_t rv) const {
  Store result;
  if (const Store* s = find_store(type)) result = *s;
  std::string id = type.qualified();
  auto first = std::upper_bound(history_.begin(), history_.end(), rv,
                                [](int64_t v, const Event& e) { return v < e.rv; });
  for (auto it = history_.end(); it != first;) {
    --it;
    if (it->type_id != id) continue;
    if (it->kind == "ADDED") {
      result.erase(it->key);
    } else {
      result[it->key] = it->prev;
    }
  }
  return result;
}

Reply World::list(const ResourceType& type, const std::string& ns, const ListQuery& query) const {
  std::string error;
  auto labels = LabelSelector::parse(query.label_selector, error);
  if (!labels) return bad_request(error);
  auto fields = FieldSelector::parse(query.field_selector, supported_fields(type), error);
  if (!fields) return bad_request(error);

  std::lock_guard lock(mutex_);
  int64_t rv = rv_;
  std::string start;
  if (!query.continue_token.empty()) {
    auto decoded = base64url_decode(query.continue_token);
    json token;
    if (decoded) token = json::parse(*decoded, nullptr, false);
    if (!token.is_object() || !token.contains("rv") || !token["rv"].is_number_integer() ||
        !token.contains("start") || !token["start"].is_string()) {
      return bad_request(
          "continue key is not valid: incorrect encoded start resourceVersion "
          "(version meta.k8s.io/v1)");
    }
    rv = token["rv"].get<int64_t>();
    start = token["start"].get<std::string>();
    if (rv < compacted_rv_) {
      Reply reply = status_reply(
          410, "Expired",
          "The provided continue parameter is too old to display a consistent list result. You "
          "can start a new list without the continue parameter, or use the continue token in "
          "this response to retrieve the remainder of the results. Continuing with the provided "
          "token results in an inconsistent list - objects that were created, modified, or "
          "deleted between the time the first chunk was returned and now may show up in the "
          "list.");
      reply.body["metadata"]["continue"] = continue_token(-1, start);
      return reply;
    }
  } else if (query.resource_version_match == "Exact" && !query.resource_version.empty()) {
    int64_t wanted = std::strtoll(query.resource_version.c_str(), nullptr, 10);
    if (wanted < compacted_rv_) {
      return status_reply(410, "Expired", "The resourceVersion for the provided list is too old.");
    }
    if (wanted > rv_) {
      OrderedJson details;
      details["causes"] = OrderedJson::array({OrderedJson{
          {"reason", "ResourceVersionTooLarge"}, {"message", "Too large resource version"}}});
      details["retryAfterSeconds"] = 1;
      return status_reply(504, "Timeout",
                          "Too large resource version: " + query.resource_version +
                              ", current: " + std::to_string(rv_),
                          details);
    }
    rv = wanted;
  }
  Store view = rv == rv_ ? Store() : snapshot(type, rv);
  const Store* source = rv == rv_ ? find_store(type) : &view;

  // The items are the stored texts, copied once into the body: no object is parsed or
  // serialised again.
  std::vector<const StoredObject*> page;
  size_t bytes = 0;
  std::string last_relative;
  bool more = false;
  int64_t remaining = 0;
  const bool selective = !labels->empty() || !fields->empty();
  if (source != nullptr) {
    const std::string prefix = ns.empty() ? "" : ns + "/";
    for (auto it = source->lower_bound(prefix + start); it != source->end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      const StoredObject& object = *it->second;
      if (!labels->matches(object.labels())) continue;
      if (!fields->empty()) {
        const json tree = object.tree();
        if (!fields->matches([&](const std::string& f) { return field_value(tree, f); })) continue;
      }
      if (query.limit > 0 && static_cast<int64_t>(page.size()) >= query.limit) {
        more = true;
        if (selective) break;  // remainingItemCount is only given without selectors
        ++remaining;
        continue;
      }
      page.push_back(&object);
      bytes += object.list_item_tail().size() + 2;
      last_relative = it->first.substr(prefix.size());
    }
  }
  OrderedJson meta;
  meta["resourceVersion"] = std::to_string(rv);
  if (more) {
    meta["continue"] = continue_token(rv, last_relative + std::string(1, '\0'));
    if (!selective) meta["remainingItemCount"] = remaining;
  }
  std::string body = "{\"kind\":" + json(type.kind + "List").dump() +
                     ",\"apiVersion\":" + json(type.api_version()).dump() +
                     ",\"metadata\":" + meta.dump() + ",\"items\":[";
  body.reserve(body.size() + bytes + 4);  // room for the "]}" and the newline send() adds
  for (size_t i = 0; i < page.size(); ++i) {
    body += i == 0 ? "{" : ",{";
    body += page[i]->list_item_tail();
  }
  body += "]}";
  return Reply{200, nullptr, {}, std::move(body)};
}

// ----- delete ------------------------------------------------------------------------------

Reply World::remove(const ResourceType& type, const std::string& ns, const std::string& name,
                    const DeleteRequest& request) {
  std::lock_guard lock(mutex_);
  std::optional<json> current = find(type, ns, name);
  if (!current) return not_found(type, name);
  json object = std::move(*current);
  const json& meta = object["metadata"];
  const json& pre = request.preconditions;
  if (pre.is_object()) {
    if (pre.contains("uid") && pre["uid"].is_string() && pre["uid"] != meta["uid"]) {
      return conflict(type, name,
                      "Precondition failed: UID in precondition: " + pre["uid"].get<std::string>() +
                          ", UID in object meta: " + meta["uid"].get<std::string>());
    }
    if (pre.contains("resourceVersion") && pre["resourceVersion"].is_string() &&
        pre["resourceVersion"] != meta["resourceVersion"]) {
      return conflict(
          type, name,
          "Precondition failed: ResourceVersion in precondition: " +
              pre["resourceVersion"].get<std::string>() +
              ", ResourceVersion in object meta: " + meta["resourceVersion"].get<std::string>());
    }
  }
  std::string policy;
  bool defaulted = !request.propagation_policy.has_value();
  if (defaulted) {
    policy = type.orphan_by_default ? "Orphan" : "Background";
  } else {
    policy = *request.propagation_policy;
    if (policy != "Orphan" && policy != "Background" && policy != "Foreground") {
      return invalid(type, name,
                     {{"FieldValueNotSupported",
                       "Unsupported value: \"" + policy +
                           "\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                       "propagationPolicy"}});
    }
  }
  std::string uid = meta["uid"].get<std::string>();
  auto mark_deleting = [&](const std::string& finalizer) {
    json marked = object;
    marked["metadata"]["deletionTimestamp"] = now_rfc3339();
    marked["metadata"]["deletionGracePeriodSeconds"] = 0;
    if (!finalizer.empty()) {
      if (!marked["metadata"].contains("finalizers")) {
        marked["metadata"]["finalizers"] = json::array();
      }
      marked["metadata"]["finalizers"].push_back(finalizer);
    }
    if (has_generation(type)) {
      marked["metadata"]["generation"] = marked["metadata"].value("generation", 1) + 1;
    }
    return marked;
  };
  Reply reply;
  if (type.plural != "pods" && !meta.value("finalizers", json::array()).empty()) {
    // As kube-apiserver does: an object with finalizers is only marked (deletionTimestamp) and
    // stays until whoever put them there removes them; deleting it again changes nothing.
    if (!meta.contains("deletionTimestamp")) {
      put(type, mark_deleting(""), nullptr);
      if (policy == "Orphan") orphan_dependents(uid);
      if (policy == "Foreground") delete_dependents(uid);
    }
    return Reply{200, nullptr, {}, find_stored(type, ns, name)->text()};
  }
  if (type.plural == "pods") {
    // Pods are deleted at once (no kubelet to wait for) and answer with the object.
    json marked = mark_deleting("");
    erase(type, ns, name);
    marked["metadata"]["resourceVersion"] = std::to_string(rv_);
    marked["metadata"].erase("finalizers");
    reply = Reply{200, to_wire(marked), {}, {}};
    std::string phase = object["status"].value("phase", "");
    if (phase != "Succeeded" && phase != "Failed") {
      // The Job controller counts a removed running pod as failed and replaces it.
      for (const auto& ref : object["metadata"].value("ownerReferences", json::array())) {
        if (ref.value("kind", "") != "Job") continue;
        if (auto job = find(resource_of("jobs"), ns, ref.value("name", ""))) {
          json updated = std::move(*job);
          updated["status"]["failed"] = updated["status"].value("failed", 0) + 1;
          put(resource_of("jobs"), updated, &controller_manager_status_writer());
        }
      }
    }
    reconcile_owner_of_pod(object);
    return reply;
  }
  if (policy == "Orphan") {
    json marked = mark_deleting("orphan");
    reply = Reply{200, nullptr, {}, put(type, marked, nullptr)->text()};
    orphan_dependents(uid);
    erase(type, ns, name);
    if (defaulted) {
      reply.headers.push_back(
          {"Warning",
           "299 - \"child pods are preserved by default when jobs are deleted; set "
           "propagationPolicy=Background to remove them or set propagationPolicy=Orphan to "
           "suppress this warning\""});
    }
    return reply;
  }
  if (policy == "Foreground") {
    json marked = mark_deleting("foregroundDeletion");
    reply = Reply{200, nullptr, {}, put(type, marked, nullptr)->text()};
    delete_dependents(uid);
    erase(type, ns, name);
    return reply;
  }
  erase(type, ns, name);
  delete_dependents(uid);
  OrderedJson body;
  body["kind"] = "Status";
  body["apiVersion"] = "v1";
  body["metadata"] = OrderedJson::object();
  body["status"] = "Success";
  OrderedJson details = resource_details(type, name);
  details["uid"] = uid;
  body["details"] = details;
  return Reply{200, body, {}, {}};
}

void World::delete_dependents(const std::string& owner_uid) {
  for (const char* plural : {"jobs", "pods"}) {
    const ResourceType& type = resource_of(plural);
    std::vector<std::pair<std::string, std::string>> victims;
    for (const auto& [key, object] : store(type)) {
      for (const auto& uid : object->owner_uids()) {
        if (uid == owner_uid) victims.emplace_back(split_ns(key), key.substr(key.find('/') + 1));
      }
    }
    for (const auto& [ns, name] : victims) {
      std::optional<json> object = find(type, ns, name);
      if (!object) continue;
      std::string uid = (*object)["metadata"]["uid"].get<std::string>();
      erase(type, ns, name);
      delete_dependents(uid);
    }
  }
}

void World::orphan_dependents(const std::string& owner_uid) {
  for (const char* plural : {"jobs", "pods"}) {
    const ResourceType& type = resource_of(plural);
    std::vector<json> changed;
    for (const auto& [key, stored] : store(type)) {
      const auto& uids = stored->owner_uids();
      if (std::find(uids.begin(), uids.end(), owner_uid) == uids.end()) continue;
      json object = stored->tree();
      json refs = object["metadata"].value("ownerReferences", json::array());
      json kept = json::array();
      for (const auto& ref : refs) {
        if (ref.value("uid", "") != owner_uid) kept.push_back(ref);
      }
      if (kept.size() == refs.size()) continue;
      json updated = object;
      if (kept.empty()) {
        updated["metadata"].erase("ownerReferences");
      } else {
        updated["metadata"]["ownerReferences"] = kept;
      }
      // The Job controller lets go of pods it no longer owns.
      updated["metadata"].erase("finalizers");
      changed.push_back(updated);
    }
    // The garbage collector, a part of kube-controller-manager.
    for (auto& object : changed) put(type, std::move(object), &controller_manager_writer());
  }
}

// ----- watch -------------------------------------------------------------------------------

bool World::matches(const WatchCursor& cursor, const StoredPtr& object) const {
  if (object == nullptr || !cursor.labels.matches(object->labels())) return false;
  if (cursor.fields.empty()) return true;
  const json tree = object->tree();
  return cursor.fields.matches([&](const std::string& f) { return field_value(tree, f); });
}

std::string World::event_line(const Event& event, const WatchCursor& cursor) const {
  if (event.type_id != cursor.type->qualified()) return "";
  if (!cursor.ns.empty() && split_ns(event.key) != cursor.ns) return "";
  bool now = event.kind != "DELETED" && matches(cursor, event.object);
  bool before = event.kind != "ADDED" && matches(cursor, event.prev);
  std::string kind;
  if (event.kind == "DELETED") {
    if (!before) return "";
    kind = "DELETED";
  } else if (now && before) {
    kind = "MODIFIED";
  } else if (now) {
    kind = "ADDED";
  } else if (before) {
    kind = "DELETED";  // no longer matches the selector
  } else {
    return "";
  }
  return "{\"type\":\"" + kind + "\",\"object\":" + event.object->text() + "}\n";
}

Reply World::start_watch(const ResourceType& type, const std::string& ns, const ListQuery& query,
                         bool bookmarks, WatchCursor& cursor, std::vector<std::string>& lines,
                         bool& finished) {
  std::string error;
  auto labels = LabelSelector::parse(query.label_selector, error);
  if (!labels) return bad_request(error);
  auto fields = FieldSelector::parse(query.field_selector, supported_fields(type), error);
  if (!fields) return bad_request(error);
  cursor.type = &type;
  cursor.ns = ns;
  cursor.labels = *labels;
  cursor.fields = *fields;
  cursor.bookmarks = bookmarks;
  finished = false;
  std::lock_guard lock(mutex_);
  if (query.resource_version.empty() || query.resource_version == "0") {
    if (const Store* s = find_store(type)) {
      for (const auto& [key, object] : *s) {
        if (!ns.empty() && split_ns(key) != ns) continue;
        if (!matches(cursor, object)) continue;
        lines.push_back("{\"type\":\"ADDED\",\"object\":" + object->text() + "}\n");
      }
    }
    cursor.last_rv = rv_;
    return Reply{200, nullptr, {}, {}};
  }
  char* end = nullptr;
  int64_t rv = std::strtoll(query.resource_version.c_str(), &end, 10);
  if (*end != '\0' || rv < 0) {
    return bad_request("invalid resource version: " + query.resource_version);
  }
  if (rv < compacted_rv_) {
    OrderedJson line;
    line["type"] = "ERROR";
    line["object"] = status_body(410, "Expired",
                                 "too old resource version: " + query.resource_version + " (" +
                                     std::to_string(compacted_rv_) + ")");
    lines.push_back(line.dump() + "\n");
    finished = true;
    return Reply{200, nullptr, {}, {}};
  }
  cursor.last_rv = rv;
  return Reply{200, nullptr, {}, {}};
}

void World::next_events(WatchCursor& cursor, std::vector<std::string>& lines,
                        std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (rv_ > cursor.last_rv) {
      auto first = std::upper_bound(history_.begin(), history_.end(), cursor.last_rv,
                                    [](int64_t v, const Event& e) { return v < e.rv; });
      for (auto it = first; it != history_.end(); ++it) {
        std::string line = event_line(*it, cursor);
        if (!line.empty()) lines.push_back(std::move(line));
      }
      cursor.last_rv = rv_;
      if (!lines.empty()) return;
    }
    if (stopped_ || std::chrono::steady_clock::now() >= until) return;
    changed_.wait_until(lock, until);
  }
}

std::string World::bookmark_line(const WatchCursor& cursor) const {
  OrderedJson line;
  line["type"] = "BOOKMARK";
  OrderedJson object;
  object["kind"] = cursor.type->kind;
  object["apiVersion"] = cursor.type->api_version();
  object["metadata"] = {{"resourceVersion", std::to_string(cursor.last_rv)},
                        {"creationTimestamp", nullptr}};
  line["object"] = object;
  return line.dump() + "\n";
}

void World::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  changed_.notify_all();
}

bool World::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

void World::interruptible_sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stopped_ && std::chrono::steady_clock::now() < until) changed_.wait_until(lock, until);
}

// ----- the world, for tests ----------------------------------------------------------------

std::optional<json> World::get_object(const ResourceType& type, const std::string& ns,
                                      const std::string& name) const {
  std::lock_guard lock(mutex_);
  return find(type, ns, name);
}

std::vector<json> World::list_objects(const ResourceType& type, const std::string& ns) const {
  std::lock_guard lock(mutex_);
  std::vector<json> result;
  if (const Store* s = find_store(type)) {
    for (const auto& [key, object] : *s) {
      if (ns.empty() || split_ns(key) == ns) result.push_back(object->tree());
    }
  }
  return result;
}

std::vector<std::string> World::pods_owned_by(const std::string& ns, const std::string& owner_kind,
                                              const std::string& owner_name) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  const Store* pods = find_store(resource_of("pods"));
  if (pods == nullptr) return names;
  for (auto it = pods->lower_bound(ns + "/"); it != pods->end() && split_ns(it->first) == ns;
       ++it) {
    const json pod = it->second->tree();
    const json& meta = pod["metadata"];
    bool owned = false;
    for (const auto& ref : meta.value("ownerReferences", json::array())) {
      owned = owned || (ref.value("kind", "") == owner_kind && ref.value("name", "") == owner_name);
    }
    // Orphaned job pods keep their job-name label.
    if (!owned && owner_kind == "Job") {
      owned = meta.value("labels", json::object()).value("job-name", "") == owner_name;
    }
    if (owned) names.push_back(meta["name"].get<std::string>());
  }
  return names;
}

void World::compact() {
  std::lock_guard lock(mutex_);
  compacted_rv_ = rv_;
}

void World::set_quota(const std::string& ns, const std::string& resource, int hard) {
  std::lock_guard lock(mutex_);
  quotas_[ns][resource] = hard;
}

int64_t World::resource_version() const {
  std::lock_guard lock(mutex_);
  return rv_;
}

}  // namespace k8sjobs::testing
