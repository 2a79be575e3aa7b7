// Resource table, Status bodies, wire ordering, defaulting and validation: the parts of the API
// server that do not depend on the stored state.

#include <algorithm>
#include <cctype>
#include <ctime>
#include <regex>

#include "apiserver/world.h"
#include "apiserver/world_internal.h"

namespace k8sjobs::testing {

using nlohmann::json;

const std::vector<ResourceType>& all_resources() {
  static const std::vector<ResourceType> resources = {
      {"batch", "v1", "jobs", "Job", false, true},
      {"batch", "v1", "cronjobs", "CronJob", false, false},
      {"apps", "v1", "deployments", "Deployment", false, false},
      {"", "v1", "pods", "Pod", true, false},
      {"", "v1", "configmaps", "ConfigMap", false, false},
      {"", "v1", "events", "Event", false, false},
      {"", "v1", "nodes", "Node", false, false},  // cluster-scoped: no namespace
      // metrics-server's API: served (from the pods) only after serve_pod_metrics(), else 404.
      {"metrics.k8s.io", "v1beta1", "pods", "PodMetrics", false, false},
      {"coordination.k8s.io", "v1", "leases", "Lease", false, false},
  };
  return resources;
}

const ResourceType* find_resource(const std::string& group, const std::string& version,
                                  const std::string& plural) {
  for (const auto& r : all_resources()) {
    if (r.group == group && r.version == version && r.plural == plural) return &r;
  }
  return nullptr;
}

const ResourceType& resource_of(const std::string& plural) {
  for (const auto& r : all_resources()) {
    if (r.plural == plural) return r;
  }
  throw std::logic_error("unknown resource " + plural);
}

std::optional<ResourcePath> parse_resource_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  std::string group, version;
  size_t i = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    version = parts[1];
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    group = parts[1];
    version = parts[2];
    i = 3;
  } else {
    return std::nullopt;
  }
  ResourcePath result;
  if (i + 1 < parts.size() && parts[i] == "namespaces") {
    result.ns = parts[i + 1];
    i += 2;
    if (i >= parts.size()) return std::nullopt;
  }
  if (i >= parts.size()) return std::nullopt;
  result.type = find_resource(group, version, parts[i]);
  if (result.type == nullptr) return std::nullopt;
  if (i + 1 < parts.size()) result.name = parts[i + 1];
  if (i + 2 < parts.size()) result.subresource = parts[i + 2];
  if (i + 3 < parts.size()) return std::nullopt;
  if (result.ns.empty() && !result.name.empty()) return std::nullopt;
  return result;
}

OrderedJson status_body(int code, const std::string& reason, const std::string& message,
                        const OrderedJson& details) {
  OrderedJson body;
  body["kind"] = "Status";
  body["apiVersion"] = "v1";
  body["metadata"] = OrderedJson::object();
  body["status"] = "Failure";
  body["message"] = message;
  body["reason"] = reason;
  if (!details.is_null()) body["details"] = details;
  body["code"] = code;
  return body;
}

Reply status_reply(int code, const std::string& reason, const std::string& message,
                   const OrderedJson& details) {
  return Reply{code, status_body(code, reason, message, details), {}, {}};
}

OrderedJson resource_details(const ResourceType& type, const std::string& name) {
  OrderedJson details;
  if (!name.empty()) details["name"] = name;
  if (!type.group.empty()) details["group"] = type.group;
  details["kind"] = type.plural;
  return details;
}

Reply not_found(const ResourceType& type, const std::string& name) {
  return status_reply(404, "NotFound", type.qualified() + " \"" + name + "\" not found",
                      resource_details(type, name));
}

Reply conflict(const ResourceType& type, const std::string& name, const std::string& why) {
  return status_reply(
      409, "Conflict",
      "Operation cannot be fulfilled on " + type.qualified() + " \"" + name + "\": " + why,
      resource_details(type, name));
}

Reply modified_conflict(const ResourceType& type, const std::string& name) {
  return conflict(type, name,
                  "the object has been modified; please apply your changes to the latest "
                  "version and try again");
}

Reply bad_request(const std::string& message) {
  return status_reply(400, "BadRequest", message);
}

Reply invalid(const ResourceType& type, const std::string& name, const std::vector<Cause>& causes) {
  std::string joined;
  OrderedJson cause_list = OrderedJson::array();
  for (const auto& c : causes) {
    if (!joined.empty()) joined += ", ";
    joined += c.field + ": " + c.message;
    OrderedJson item;
    item["reason"] = c.reason;
    item["message"] = c.message;
    item["field"] = c.field;
    cause_list.push_back(item);
  }
  if (causes.size() > 1) joined = "[" + joined + "]";
  OrderedJson details;
  details["name"] = name;
  if (!type.group.empty()) details["group"] = type.group;
  details["kind"] = type.kind;
  details["causes"] = cause_list;
  return status_reply(422, "Invalid",
                      type.qualified_kind() + " \"" + name + "\" is invalid: " + joined, details);
}

namespace {

OrderedJson ordered(const json& value) {
  if (value.is_object()) {
    OrderedJson out = OrderedJson::object();
    out.get_ptr<OrderedJson::object_t*>()->reserve(value.size());
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = ordered(it.value());
    return out;
  }
  if (value.is_array()) {
    OrderedJson out = OrderedJson::array();
    for (const auto& v : value) out.push_back(ordered(v));
    return out;
  }
  return OrderedJson(value);
}

OrderedJson ordered_with(const json& value, const std::vector<std::string>& first) {
  OrderedJson out = OrderedJson::object();
  out.get_ptr<OrderedJson::object_t*>()->reserve(value.size());
  for (const auto& key : first) {
    if (value.contains(key)) out[key] = ordered(value[key]);
  }
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!out.contains(it.key())) out[it.key()] = ordered(it.value());
  }
  return out;
}

const std::vector<std::string> kTopOrder = {"kind", "apiVersion", "metadata", "spec", "status"};
const std::vector<std::string> kMetadataOrder = {"name",
                                                 "generateName",
                                                 "namespace",
                                                 "uid",
                                                 "resourceVersion",
                                                 "generation",
                                                 "creationTimestamp",
                                                 "deletionTimestamp",
                                                 "deletionGracePeriodSeconds",
                                                 "labels",
                                                 "annotations",
                                                 "ownerReferences",
                                                 "finalizers",
                                                 "managedFields"};
const std::vector<std::string> kManagedFieldsOrder = {
    "manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource"};

void write_string(const std::string& text, std::string& out) {
  for (char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      out += json(text).dump();  // escapes exactly as nlohmann's dump() does
      return;
    }
  }
  out += '"';
  out += text;
  out += '"';
}

// Compact JSON, keys in json's (sorted) order: what OrderedJson(value).dump() writes.
void write_plain(const json& value, std::string& out) {
  switch (value.type()) {
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out += ',';
        first = false;
        write_string(it.key(), out);
        out += ':';
        write_plain(it.value(), out);
      }
      out += '}';
      return;
    }
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ',';
        first = false;
        write_plain(item, out);
      }
      out += ']';
      return;
    }
    case json::value_t::string:
      write_string(value.get_ref<const std::string&>(), out);
      return;
    default:
      out += value.dump();
  }
}

// An object with the keys of `first` first (in that order), then the others in sorted order;
// `child` writes each value.
template <typename Child>
void write_ordered(const json& object, const std::vector<std::string>& first, std::string& out,
                   Child child) {
  out += '{';
  bool any = false;
  auto member = [&](const std::string& key, const json& value) {
    if (any) out += ',';
    any = true;
    write_string(key, out);
    out += ':';
    child(key, value);
  };
  for (const auto& key : first) {
    auto found = object.find(key);
    if (found != object.end()) member(key, *found);
  }
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(first.begin(), first.end(), it.key()) == first.end())
      member(it.key(), it.value());
  }
  out += '}';
}

}  // namespace

std::string wire_text(const json& object) {
  std::string out;
  if (!object.is_object()) {
    write_plain(object, out);
    return out;
  }
  out.reserve(8192);
  write_ordered(object, kTopOrder, out, [&](const std::string& key, const json& value) {
    if (key != "metadata" || !value.is_object()) return write_plain(value, out);
    write_ordered(value, kMetadataOrder, out, [&](const std::string& meta_key, const json& v) {
      if (meta_key != "managedFields" || !v.is_array()) return write_plain(v, out);
      out += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out += ',';
        if (!v[i].is_object()) {
          write_plain(v[i], out);
          continue;
        }
        write_ordered(v[i], kManagedFieldsOrder, out,
                      [&](const std::string&, const json& field) { write_plain(field, out); });
      }
      out += ']';
    });
  });
  return out;
}

OrderedJson to_wire(const json& object) {
  if (!object.is_object()) return ordered(object);
  OrderedJson out = ordered_with(object, {"kind", "apiVersion", "metadata", "spec", "status"});
  if (object.contains("metadata") && object["metadata"].is_object()) {
    const json& meta = object["metadata"];
    out["metadata"] = ordered_with(
        meta, {"name", "generateName", "namespace", "uid", "resourceVersion", "generation",
               "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
               "annotations", "ownerReferences", "finalizers", "managedFields"});
    if (meta.contains("managedFields") && meta["managedFields"].is_array()) {
      OrderedJson entries = OrderedJson::array();
      for (const auto& entry : meta["managedFields"]) {
        entries.push_back(entry.is_object()
                              ? ordered_with(entry, {"manager", "operation", "apiVersion", "time",
                                                     "fieldsType", "fieldsV1", "subresource"})
                              : ordered(entry));
      }
      out["metadata"]["managedFields"] = std::move(entries);
    }
  }
  return out;
}

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Defaults the real server fills.

namespace {

bool image_has_explicit_non_latest_tag(const std::string& image) {
  if (image.find('@') != std::string::npos) return true;
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return false;
  return image.substr(colon + 1) != "latest";
}

void default_containers(json& containers) {
  if (!containers.is_array()) return;
  for (auto& c : containers) {
    if (!c.is_object()) continue;
    if (!c.contains("resources")) c["resources"] = json::object();
    if (!c.contains("terminationMessagePath")) c["terminationMessagePath"] = "/dev/termination-log";
    if (!c.contains("terminationMessagePolicy")) c["terminationMessagePolicy"] = "File";
    if (!c.contains("imagePullPolicy") && c.contains("image") && c["image"].is_string()) {
      c["imagePullPolicy"] = image_has_explicit_non_latest_tag(c["image"].get<std::string>())
                                 ? "IfNotPresent"
                                 : "Always";
    }
  }
}

}  // namespace

void default_pod_template_spec(json& spec) {
  if (!spec.is_object()) return;
  if (spec.contains("containers")) default_containers(spec["containers"]);
  if (spec.contains("initContainers")) default_containers(spec["initContainers"]);
  if (!spec.contains("terminationGracePeriodSeconds")) spec["terminationGracePeriodSeconds"] = 30;
  if (!spec.contains("dnsPolicy")) spec["dnsPolicy"] = "ClusterFirst";
  if (!spec.contains("securityContext")) spec["securityContext"] = json::object();
  if (!spec.contains("schedulerName")) spec["schedulerName"] = "default-scheduler";
}

void default_pod_spec(json& spec) {
  default_pod_template_spec(spec);
  if (!spec.contains("restartPolicy")) spec["restartPolicy"] = "Always";
  if (!spec.contains("serviceAccountName")) spec["serviceAccountName"] = "default";
  if (!spec.contains("serviceAccount")) spec["serviceAccount"] = spec["serviceAccountName"];
  if (!spec.contains("tolerations")) {
    spec["tolerations"] = json::array();
    for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
      spec["tolerations"].push_back({{"key", key},
                                     {"operator", "Exists"},
                                     {"effect", "NoExecute"},
                                     {"tolerationSeconds", 300}});
    }
  }
  if (!spec.contains("priority")) spec["priority"] = 0;
  if (!spec.contains("enableServiceLinks")) spec["enableServiceLinks"] = true;
  if (!spec.contains("preemptionPolicy")) spec["preemptionPolicy"] = "PreemptLowerPriority";
}

bool scheduling_gated(const json& pod) {
  const json& spec = pod.value("spec", json::object());
  return spec.is_object() && spec.contains("schedulingGates") &&
         spec["schedulingGates"].is_array() && !spec["schedulingGates"].empty();
}

void mark_scheduling_gated(json& pod) {
  if (!scheduling_gated(pod)) return;
  pod["status"]["conditions"] =
      json::array({{{"type", "PodScheduled"},
                    {"status", "False"},
                    {"lastProbeTime", nullptr},
                    {"lastTransitionTime", now_rfc3339()},
                    {"reason", "SchedulingGated"},
                    {"message", "Scheduling is blocked due to non-empty scheduling gates"}}});
}

std::vector<Cause> validate_scheduling_gates_update(const json& before, const json& after) {
  std::vector<Cause> causes;
  auto names = [](const json& pod) {
    std::vector<std::string> out;
    const json& spec = pod.value("spec", json::object());
    if (!spec.is_object()) return out;
    for (const auto& gate : spec.value("schedulingGates", json::array())) {
      if (gate.is_object()) out.push_back(gate.value("name", ""));
    }
    return out;
  };
  const auto old_names = names(before);
  for (const auto& name : names(after)) {
    if (std::find(old_names.begin(), old_names.end(), name) == old_names.end()) {
      causes.push_back(
          {"FieldValueForbidden",
           "Forbidden: only deletion is allowed, but found new scheduling gate '" + name + "'",
           "spec.schedulingGates"});
    }
  }
  return causes;
}

std::string qos_class(const json& spec) {
  bool any = false;
  if (spec.contains("containers") && spec["containers"].is_array()) {
    for (const auto& c : spec["containers"]) {
      if (c.contains("resources") && c["resources"].is_object()) {
        for (const char* k : {"requests", "limits"}) {
          if (c["resources"].contains(k) && !c["resources"][k].empty()) any = true;
        }
      }
    }
  }
  return any ? "Burstable" : "BestEffort";
}

// Labels the Job controller puts on the template and pods; the selector uses the uid one.
void default_job(json& job, const std::string& uid) {
  json& spec = job["spec"];
  if (!spec.is_object()) spec = json::object();
  if (!spec.contains("parallelism") && !spec.contains("completions")) {
    spec["completions"] = 1;
    spec["parallelism"] = 1;
  }
  if (!spec.contains("parallelism")) spec["parallelism"] = 1;
  // With backoffLimitPerIndex the Job-wide limit defaults to MaxInt32 (kube-apiserver's default).
  if (!spec.contains("backoffLimit"))
    spec["backoffLimit"] = spec.contains("backoffLimitPerIndex") ? 2147483647 : 6;
  if (!spec.contains("completionMode")) spec["completionMode"] = "NonIndexed";
  if (!spec.contains("suspend")) spec["suspend"] = false;
  if (!spec.contains("podReplacementPolicy") && !spec.contains("podFailurePolicy")) {
    spec["podReplacementPolicy"] = "TerminatingOrFailed";
  }
  if (!spec.contains("manualSelector")) spec["manualSelector"] = false;
  json& tmpl = spec["template"];
  if (!tmpl.is_object()) tmpl = json::object();
  if (!tmpl.contains("metadata") || !tmpl["metadata"].is_object())
    tmpl["metadata"] = json::object();
  json& tmeta = tmpl["metadata"];
  json& meta = job["metadata"];
  if ((!meta.contains("labels") || meta["labels"].empty()) && tmeta.contains("labels") &&
      tmeta["labels"].is_object() && !tmeta["labels"].empty()) {
    meta["labels"] = tmeta["labels"];
  }
  tmeta["creationTimestamp"] = nullptr;
  if (!spec["manualSelector"].get<bool>()) {
    spec["selector"] = {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}};
    if (!tmeta.contains("labels") || !tmeta["labels"].is_object()) tmeta["labels"] = json::object();
    tmeta["labels"]["batch.kubernetes.io/controller-uid"] = uid;
    tmeta["labels"]["batch.kubernetes.io/job-name"] = meta["name"];
    tmeta["labels"]["controller-uid"] = uid;
    tmeta["labels"]["job-name"] = meta["name"];
  }
  if (!tmpl.contains("spec") || !tmpl["spec"].is_object()) tmpl["spec"] = json::object();
  default_pod_template_spec(tmpl["spec"]);
}

void default_cronjob(json& cronjob) {
  json& spec = cronjob["spec"];
  if (!spec.is_object()) spec = json::object();
  if (!spec.contains("concurrencyPolicy")) spec["concurrencyPolicy"] = "Allow";
  if (!spec.contains("suspend")) spec["suspend"] = false;
  if (!spec.contains("successfulJobsHistoryLimit")) spec["successfulJobsHistoryLimit"] = 3;
  if (!spec.contains("failedJobsHistoryLimit")) spec["failedJobsHistoryLimit"] = 1;
  json& jt = spec["jobTemplate"];
  if (!jt.is_object()) jt = json::object();
  if (!jt.contains("metadata")) jt["metadata"] = json::object();
  jt["metadata"]["creationTimestamp"] = nullptr;
  if (!jt.contains("spec") || !jt["spec"].is_object()) jt["spec"] = json::object();
  json& tmpl = jt["spec"]["template"];
  if (!tmpl.is_object()) tmpl = json::object();
  if (!tmpl.contains("metadata")) tmpl["metadata"] = json::object();
  tmpl["metadata"]["creationTimestamp"] = nullptr;
  if (!tmpl.contains("spec") || !tmpl["spec"].is_object()) tmpl["spec"] = json::object();
  default_pod_template_spec(tmpl["spec"]);
}

void default_deployment(json& deployment) {
  json& spec = deployment["spec"];
  if (!spec.is_object()) spec = json::object();
  if (!spec.contains("replicas")) spec["replicas"] = 1;
  if (!spec.contains("strategy")) {
    spec["strategy"] = {{"type", "RollingUpdate"},
                        {"rollingUpdate", {{"maxUnavailable", "25%"}, {"maxSurge", "25%"}}}};
  }
  if (!spec.contains("revisionHistoryLimit")) spec["revisionHistoryLimit"] = 10;
  if (!spec.contains("progressDeadlineSeconds")) spec["progressDeadlineSeconds"] = 600;
  json& tmpl = spec["template"];
  if (!tmpl.is_object()) tmpl = json::object();
  if (!tmpl.contains("metadata") || !tmpl["metadata"].is_object())
    tmpl["metadata"] = json::object();
  tmpl["metadata"]["creationTimestamp"] = nullptr;
  if (!tmpl.contains("spec") || !tmpl["spec"].is_object()) tmpl["spec"] = json::object();
  default_pod_template_spec(tmpl["spec"]);
  if (!tmpl["spec"].contains("restartPolicy")) tmpl["spec"]["restartPolicy"] = "Always";
  json& meta = deployment["metadata"];
  if ((!meta.contains("labels") || meta["labels"].empty()) && tmpl["metadata"].contains("labels")) {
    meta["labels"] = tmpl["metadata"]["labels"];
  }
}

// ---------------------------------------------------------------------------------------------
// Validation, with the real server's messages.

namespace {

const char* kSubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kLabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* kLabelValueMessage =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

std::string go_quote(const std::string& s) {
  return json(s).dump();
}

Cause invalid_value(const std::string& field, const json& value, const std::string& detail) {
  std::string repr = value.is_string() ? go_quote(value.get<std::string>()) : value.dump();
  return {"FieldValueInvalid", "Invalid value: " + repr + ": " + detail, field};
}

Cause required(const std::string& field, const std::string& detail = "") {
  return {"FieldValueRequired", detail.empty() ? "Required value" : "Required value: " + detail,
          field};
}

void check_non_negative(const json& spec, const std::string& key, const std::string& prefix,
                        std::vector<Cause>& causes) {
  if (spec.contains(key) && spec[key].is_number_integer() && spec[key].get<int64_t>() < 0) {
    causes.push_back(
        invalid_value(prefix + "." + key, spec[key], "must be greater than or equal to 0"));
  }
}

void validate_labels(const json& labels, const std::string& field, std::vector<Cause>& causes) {
  if (!labels.is_object()) return;
  static const std::regex value_re("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (!it.value().is_string()) continue;
    std::string v = it.value().get<std::string>();
    if (v.size() > 63) {
      causes.push_back(invalid_value(field, v, "must be no more than 63 characters"));
    } else if (!std::regex_match(v, value_re)) {
      causes.push_back(invalid_value(field, v, kLabelValueMessage));
    }
  }
}

void validate_containers(const json& spec, const std::string& prefix, std::vector<Cause>& causes) {
  if (!spec.contains("containers") || !spec["containers"].is_array() ||
      spec["containers"].empty()) {
    causes.push_back(required(prefix + ".containers"));
    return;
  }
  static const std::regex label_re("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  for (size_t i = 0; i < spec["containers"].size(); ++i) {
    const json& c = spec["containers"][i];
    std::string field = prefix + ".containers[" + std::to_string(i) + "]";
    std::string name = c.value("name", "");
    if (name.empty()) {
      causes.push_back(required(field + ".name"));
    } else if (name.size() > 63 || !std::regex_match(name, label_re)) {
      causes.push_back(invalid_value(field + ".name", name, kLabelMessage));
    }
    if (!c.contains("image") || !c["image"].is_string() || c["image"].get<std::string>().empty()) {
      causes.push_back(required(field + ".image"));
    }
  }
}

void validate_restart_policy(const json& spec, const std::string& field,
                             const std::vector<std::string>& allowed, bool required_value,
                             std::vector<Cause>& causes) {
  std::string supported;
  for (const auto& a : allowed) supported += (supported.empty() ? "" : ", ") + go_quote(a);
  if (!spec.contains("restartPolicy") || spec["restartPolicy"] == "") {
    if (required_value) causes.push_back(required(field, "valid values: " + supported));
    return;
  }
  std::string value = spec["restartPolicy"].is_string() ? spec["restartPolicy"].get<std::string>()
                                                        : spec["restartPolicy"].dump();
  for (const auto& a : allowed) {
    if (a == value) return;
  }
  causes.push_back({"FieldValueNotSupported",
                    "Unsupported value: " + go_quote(value) + ": supported values: " + supported,
                    field});
}

void validate_job_spec(const json& spec, const std::string& prefix, std::vector<Cause>& causes) {
  check_non_negative(spec, "parallelism", prefix, causes);
  check_non_negative(spec, "completions", prefix, causes);
  check_non_negative(spec, "backoffLimit", prefix, causes);
  if (spec.contains("activeDeadlineSeconds") && spec["activeDeadlineSeconds"].is_number_integer() &&
      spec["activeDeadlineSeconds"].get<int64_t>() <= 0) {
    causes.push_back(invalid_value(prefix + ".activeDeadlineSeconds", spec["activeDeadlineSeconds"],
                                   "must be greater than 0"));
  }
  std::string mode = spec.value("completionMode", "NonIndexed");
  if (mode != "NonIndexed" && mode != "Indexed") {
    causes.push_back(
        {"FieldValueNotSupported",
         "Unsupported value: " + go_quote(mode) + ": supported values: \"NonIndexed\", \"Indexed\"",
         prefix + ".completionMode"});
  }
  if (mode == "Indexed" && (!spec.contains("completions") || spec["completions"].is_null())) {
    causes.push_back(required(prefix + ".completions", "when completion mode is Indexed"));
  }
  const json tmpl = spec.value("template", json::object());
  const json pod_spec = tmpl.value("spec", json::object());
  if (tmpl.contains("metadata") && tmpl["metadata"].contains("labels")) {
    validate_labels(tmpl["metadata"]["labels"], prefix + ".template.metadata.labels", causes);
  }
  validate_containers(pod_spec, prefix + ".template.spec", causes);
  validate_restart_policy(pod_spec, prefix + ".template.spec.restartPolicy", {"OnFailure", "Never"},
                          true, causes);
}

}  // namespace

std::vector<Cause> validate_name(const ResourceType& type, const json& meta) {
  std::vector<Cause> causes;
  std::string name = meta.value("name", "");
  static const std::regex subdomain_re(
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static const std::regex label_re("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  if (name.empty()) {
    causes.push_back(required("metadata.name", "name or generateName is required"));
    return causes;
  }
  bool dns_label = type.plural == "cronjobs" || type.plural == "deployments";
  if (name.size() > 253) {
    causes.push_back(invalid_value("metadata.name", name, "must be no more than 253 characters"));
  } else if (!std::regex_match(name, dns_label ? label_re : subdomain_re)) {
    causes.push_back(
        invalid_value("metadata.name", name, dns_label ? kLabelMessage : kSubdomainMessage));
  }
  if (type.plural == "cronjobs" && name.size() > 52) {
    causes.push_back(invalid_value("metadata.name", name, "must be no more than 52 characters"));
  } else if (dns_label && name.size() > 63) {
    causes.push_back(invalid_value("metadata.name", name, "must be no more than 63 characters"));
  }
  if (type.plural == "jobs" && name.size() > 63 && name.size() <= 253) {
    // The job-name label on the template must be a valid label value.
    causes.push_back(
        invalid_value("spec.template.labels", name, "must be no more than 63 characters"));
  }
  return causes;
}

std::vector<Cause> validate_object(const ResourceType& type, const json& object) {
  const json meta = object.value("metadata", json::object());
  std::vector<Cause> causes = validate_name(type, meta);
  if (meta.contains("labels")) validate_labels(meta["labels"], "metadata.labels", causes);
  const json spec = object.value("spec", json::object());
  if (type.plural == "jobs") {
    validate_job_spec(spec, "spec", causes);
  } else if (type.plural == "cronjobs") {
    if (!spec.contains("schedule") || spec["schedule"] == "") {
      causes.push_back(required("spec.schedule"));
    }
    std::string policy = spec.value("concurrencyPolicy", "Allow");
    if (policy != "Allow" && policy != "Forbid" && policy != "Replace") {
      causes.push_back({"FieldValueNotSupported",
                        "Unsupported value: " + go_quote(policy) +
                            ": supported values: \"Allow\", \"Forbid\", \"Replace\"",
                        "spec.concurrencyPolicy"});
    }
    validate_job_spec(spec.value("jobTemplate", json::object()).value("spec", json::object()),
                      "spec.jobTemplate.spec", causes);
  } else if (type.plural == "deployments") {
    check_non_negative(spec, "replicas", "spec", causes);
    const json tmpl = spec.value("template", json::object());
    json selector_labels = spec.value("selector", json::object()).value("matchLabels", json());
    if (!spec.contains("selector")) {
      causes.push_back(required("spec.selector"));
    } else {
      json labels = tmpl.value("metadata", json::object()).value("labels", json::object());
      bool ok = selector_labels.is_object() && !selector_labels.empty();
      if (ok) {
        for (auto it = selector_labels.begin(); it != selector_labels.end(); ++it) {
          if (!labels.contains(it.key()) || labels[it.key()] != it.value()) ok = false;
        }
      }
      if (!ok) {
        std::string repr = "map[string]string{";
        bool first = true;
        for (auto it = labels.begin(); it != labels.end(); ++it) {
          repr += (first ? "" : ", ") + go_quote(it.key()) + ":" + it.value().dump();
          first = false;
        }
        repr += "}";
        causes.push_back(
            {"FieldValueInvalid",
             "Invalid value: " + repr + ": `selector` does not match template `labels`",
             "spec.template.metadata.labels"});
      }
    }
    const json pod_spec = tmpl.value("spec", json::object());
    validate_containers(pod_spec, "spec.template.spec", causes);
    validate_restart_policy(pod_spec, "spec.template.spec.restartPolicy", {"Always"}, false,
                            causes);
  } else if (type.plural == "pods") {
    validate_containers(spec, "spec", causes);
    validate_restart_policy(spec, "spec.restartPolicy", {"Always", "OnFailure", "Never"}, false,
                            causes);
  }
  return causes;
}

}  // namespace k8sjobs::testing
