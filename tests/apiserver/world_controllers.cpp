// Simulated controllers, run synchronously inside the write that triggers them: the Job
// controller (pods, status, conditions, retries up to backoffLimit), a Deployment controller
// (pods owned directly by the Deployment: no ReplicaSet objects), and the node side of pods.

#include <algorithm>
#include <set>

#include "apiserver/world.h"
#include "apiserver/world_internal.h"

namespace k8sjobs::testing {

using nlohmann::json;

namespace {

const char* kTrackingFinalizer = "batch.kubernetes.io/job-tracking";
const char* kIndexKey = "batch.kubernetes.io/job-completion-index";
const char* kIndexFailureCountKey = "batch.kubernetes.io/job-index-failure-count";

bool has_finalizer(const json& object, const std::string& finalizer) {
  for (const auto& f : object["metadata"].value("finalizers", json::array())) {
    if (f == finalizer) return true;
  }
  return false;
}

void remove_finalizer(json& object, const std::string& finalizer) {
  json kept = json::array();
  for (const auto& f : object["metadata"].value("finalizers", json::array())) {
    if (f != finalizer) kept.push_back(f);
  }
  if (kept.empty()) {
    object["metadata"].erase("finalizers");
  } else {
    object["metadata"]["finalizers"] = kept;
  }
}

std::string phase_of(const json& pod) {
  return pod["status"].value("phase", "Pending");
}
bool is_active(const json& pod) {
  std::string phase = phase_of(pod);
  return phase != "Succeeded" && phase != "Failed";
}

bool is_ready(const json& pod) {
  for (const auto& c : pod["status"].value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

std::set<int64_t> parse_indexes(const std::string& text) {
  std::set<int64_t> result;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t dash = part.find('-');
    int64_t lo = std::stoll(part.substr(0, dash));
    int64_t hi = dash == std::string::npos ? lo : std::stoll(part.substr(dash + 1));
    for (int64_t i = lo; i <= hi; ++i) result.insert(i);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return result;
}

std::string format_indexes(const std::set<int64_t>& indexes) {
  std::string out;
  auto it = indexes.begin();
  while (it != indexes.end()) {
    int64_t lo = *it, hi = *it;
    auto next = std::next(it);
    while (next != indexes.end() && *next == hi + 1) hi = *next++;
    if (!out.empty()) out += ",";
    out += lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
    it = next;
  }
  return out;
}

json condition(const std::string& type, const std::string& status, const std::string& reason,
               const std::string& message, const std::string& now) {
  return {{"type", type},         {"status", status},
          {"lastProbeTime", now}, {"lastTransitionTime", now},
          {"reason", reason},     {"message", message}};
}

json find_condition(const json& status, const std::string& type) {
  for (const auto& c : status.value("conditions", json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return nullptr;
}

void set_condition(json& status, const json& cond) {
  if (!status.contains("conditions")) status["conditions"] = json::array();
  for (auto& c : status["conditions"]) {
    if (c["type"] == cond["type"]) {
      c = cond;
      return;
    }
  }
  status["conditions"].push_back(cond);
}

void set_or_erase(json& status, const std::string& key, int64_t value) {
  if (value == 0) {
    status.erase(key);
  } else {
    status[key] = value;
  }
}

std::string template_hash(const json& tmpl) {
  uint32_t h = 2166136261u;
  for (char c : tmpl.dump()) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  static const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  uint64_t v = h * 2654435761ULL;
  for (int i = 0; i < 10; ++i) {
    out += alphabet[v % alphabet.size()];
    v = v / alphabet.size() + h;
  }
  return out;
}

json pod_conditions(bool ready, const std::string& now, const std::string& reason = "") {
  auto cond = [&](const std::string& type, bool value, const std::string& why) {
    json c = {{"type", type},
              {"status", value ? "True" : "False"},
              {"lastProbeTime", nullptr},
              {"lastTransitionTime", now}};
    if (!why.empty()) c["reason"] = why;
    return c;
  };
  return json::array({cond("PodReadyToStartContainers", true, ""), cond("Initialized", true, ""),
                      cond("Ready", ready, reason), cond("ContainersReady", ready, reason),
                      cond("PodScheduled", true, "")});
}

std::string container_id(const json& pod, const json& container, int restarts) {
  return "containerd://" + pod["metadata"]["uid"].get<std::string>().substr(0, 8) + "-" +
         container.value("name", "") + "-" + std::to_string(restarts);
}

void ensure_node(json& pod, const std::string& node, const std::string& now) {
  if (!pod["spec"].contains("nodeName")) pod["spec"]["nodeName"] = node;
  json& status = pod["status"];
  status["hostIP"] = "127.0.0.1";
  status["hostIPs"] = json::array({{{"ip", "127.0.0.1"}}});
  if (!status.contains("podIP")) {
    const std::string uid = pod["metadata"]["uid"].get<std::string>();
    std::string ip = "10.244." + std::to_string(std::stoul(uid.substr(0, 2), nullptr, 16)) + "." +
                     std::to_string(std::stoul(uid.substr(2, 2), nullptr, 16));
    status["podIP"] = ip;
    status["podIPs"] = json::array({{{"ip", ip}}});
  }
  if (!status.contains("startTime")) status["startTime"] = now;
}

}  // namespace

std::vector<json> World::pods_with_owner(const std::string& ns, const std::string& uid) const {
  std::vector<json> pods;
  const Store* s = find_store(resource_of("pods"));
  auto owned = pods_by_owner_.find(uid);
  if (s == nullptr || owned == pods_by_owner_.end()) return pods;
  for (const auto& key : owned->second) {  // in key order, as a scan of the store would be
    if (key.compare(0, ns.size() + 1, ns + "/") != 0) continue;
    if (auto it = s->find(key); it != s->end()) pods.push_back(it->second->tree());
  }
  return pods;
}

bool World::create_pod_for(const json& owner, const std::string& owner_kind,
                           const json& template_spec, const std::string& name_prefix,
                           const std::map<std::string, std::string>& extra_labels,
                           const std::map<std::string, std::string>& extra_annotations) {
  const ResourceType& pods = resource_of("pods");
  const std::string ns = owner["metadata"]["namespace"].get<std::string>();
  std::string name = name_prefix + random_suffix();
  if (quota_check(pods, ns, name)) return false;  // the controller retries on later changes
  json tmeta = template_spec.value("metadata", json::object());
  json pod = {{"kind", "Pod"}, {"apiVersion", "v1"}};
  json meta = {{"name", name},
               {"generateName", name_prefix},
               {"namespace", ns},
               {"uid", uuid()},
               {"creationTimestamp", now_rfc3339()}};
  json labels = tmeta.value("labels", json::object());
  for (const auto& [k, v] : extra_labels) labels[k] = v;
  if (!labels.empty()) meta["labels"] = labels;
  json annotations = tmeta.value("annotations", json::object());
  for (const auto& [k, v] : extra_annotations) annotations[k] = v;
  if (!annotations.empty()) meta["annotations"] = annotations;
  meta["ownerReferences"] = json::array({{{"apiVersion", owner["apiVersion"]},
                                          {"kind", owner_kind},
                                          {"name", owner["metadata"]["name"]},
                                          {"uid", owner["metadata"]["uid"]},
                                          {"controller", true},
                                          {"blockOwnerDeletion", true}}});
  if (owner_kind == "Job") meta["finalizers"] = json::array({kTrackingFinalizer});
  pod["metadata"] = meta;
  json spec = template_spec.value("spec", json::object());
  default_pod_spec(spec);
  if (extra_labels.count(kIndexKey) != 0) {
    spec["hostname"] =
        owner["metadata"]["name"].get<std::string>() + "-" + extra_labels.at(kIndexKey);
  }
  pod["spec"] = spec;
  pod["status"] = {{"phase", "Pending"}, {"qosClass", qos_class(spec)}};
  mark_scheduling_gated(pod);
  put(pods, pod, &controller_manager_writer());
  if (owner_kind == "Job") {
    record_event(resource_of("jobs"), owner, {"job-controller", "", false}, "Normal",
                 "SuccessfulCreate", "Created pod: " + name);
  }
  return true;
}

void World::record_event(const ResourceType& about, const json& object, const EventSource& source,
                         const std::string& type, const std::string& reason,
                         const std::string& message) {
  const ResourceType& events = resource_of("events");
  const json& meta = object["metadata"];
  const std::string ns = meta.value("namespace", "");
  const std::string now = now_rfc3339();
  json involved = {{"kind", about.kind},
                   {"namespace", ns},
                   {"name", meta.value("name", "")},
                   {"uid", meta.value("uid", "")},
                   {"apiVersion", about.api_version()},
                   {"resourceVersion", meta.value("resourceVersion", "")}};
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random_()));
  json event = {{"kind", "Event"},
                {"apiVersion", "v1"},
                {"metadata",
                 {{"name", meta.value("name", "") + "." + suffix},
                  {"namespace", ns},
                  {"uid", uuid()},
                  {"creationTimestamp", now}}},
                {"involvedObject", involved},
                {"reason", reason},
                {"message", message}};
  if (source.events_api) {
    // What a core/v1 reader sees of an events.k8s.io/v1 Event.
    char micro[40];
    std::snprintf(micro, sizeof micro, "%s.%06dZ", now.substr(0, now.size() - 1).c_str(),
                  static_cast<int>(random_() % 1000000));
    event["source"] = json::object();
    event["firstTimestamp"] = nullptr;
    event["lastTimestamp"] = nullptr;
    event["type"] = type;
    event["eventTime"] = micro;
    event["action"] = reason == "Scheduled" ? "Binding" : "Scheduling";
    event["reportingComponent"] = source.component;
    event["reportingInstance"] = source.component + "-control-plane";
  } else {
    json from = {{"component", source.component}};
    if (!source.host.empty()) from["host"] = source.host;
    event["source"] = from;
    event["firstTimestamp"] = now;
    event["lastTimestamp"] = now;
    event["count"] = 1;
    event["type"] = type;
    event["eventTime"] = nullptr;
    event["reportingComponent"] = source.component;
    event["reportingInstance"] = source.host;
  }
  const json containers = object.value("spec", json::object()).value("containers", json::array());
  if (about.plural == "pods" && source.component == "kubelet" && !containers.empty())
    involved["fieldPath"] = "spec.containers{" + containers[0].value("name", "") + "}";
  event["involvedObject"] = involved;
  static const FieldManager kubelet{"kubelet", ""};
  static const FieldManager scheduler{"kube-scheduler", ""};
  put(events, event,
      source.component == "kubelet"             ? &kubelet
      : source.component == "default-scheduler" ? &scheduler
                                                : &controller_manager_writer());
}

void World::record_event_locking(const ResourceType& type, const std::string& ns,
                                 const std::string& name, const EventSource& source,
                                 const std::string& event_type, const std::string& reason,
                                 const std::string& message) {
  std::lock_guard lock(mutex_);
  std::optional<json> found = find(type, ns, name);
  if (found) record_event(type, *found, source, event_type, reason, message);
}

void World::reconcile_owner_of_pod(const json& pod) {
  const std::string ns = pod["metadata"]["namespace"].get<std::string>();
  for (const auto& ref : pod["metadata"].value("ownerReferences", json::array())) {
    if (!ref.value("controller", false)) continue;
    if (ref.value("kind", "") == "Job") reconcile_job(ns, ref.value("name", ""));
    if (ref.value("kind", "") == "Deployment") reconcile_deployment(ns, ref.value("name", ""));
  }
}

void World::reconcile_job(const std::string& ns, const std::string& name) {
  const ResourceType& jobs = resource_of("jobs");
  const ResourceType& pods_type = resource_of("pods");
  const std::optional<json> found = find(jobs, ns, name);
  if (!found) return;
  json job = *found;
  if (job["metadata"].contains("deletionTimestamp")) return;
  json status = job.value("status", json::object());
  json old_status = status;
  for (const char* done : {"Complete", "Failed"}) {
    json c = find_condition(status, done);
    if (!c.is_null() && c["status"] == "True") return;
  }
  const json& spec = job["spec"];
  const std::string uid = job["metadata"]["uid"].get<std::string>();
  const bool indexed = spec.value("completionMode", "NonIndexed") == "Indexed";
  const bool has_completions = spec.contains("completions") && spec["completions"].is_number();
  const int64_t completions = has_completions ? spec["completions"].get<int64_t>() : 0;
  const int64_t parallelism = spec.value("parallelism", 1);
  const int64_t backoff_limit = spec.value("backoffLimit", 6);
  const std::string restart_policy = spec["template"]["spec"].value("restartPolicy", "Never");
  int64_t succeeded = status.value("succeeded", 0);
  int64_t failed = status.value("failed", 0);
  std::set<int64_t> done_indexes = parse_indexes(status.value("completedIndexes", ""));
  // backoffLimitPerIndex: an index fails on its own once its pods failed more often than that;
  // its other attempts are new pods carrying their count (kube-controller-manager's rule).
  const bool per_index = indexed && spec.contains("backoffLimitPerIndex") &&
                         spec["backoffLimitPerIndex"].is_number_integer();
  const int64_t per_index_limit = per_index ? spec["backoffLimitPerIndex"].get<int64_t>() : 0;
  std::set<int64_t> failed_indexes = parse_indexes(status.value("failedIndexes", ""));
  std::map<int64_t, int64_t> index_failures;  // index -> failures so far, for its next pod
  const std::string now = now_rfc3339();

  // Count finished pods once: the tracking finalizer marks pods not yet counted.
  std::vector<json> active;
  for (json pod : pods_with_owner(ns, uid)) {
    if (is_active(pod)) {
      active.push_back(pod);
      continue;
    }
    if (!has_finalizer(pod, kTrackingFinalizer)) continue;
    if (phase_of(pod) == "Succeeded") {
      ++succeeded;
      json annotations = pod["metadata"].value("annotations", json::object());
      if (indexed && annotations.contains(kIndexKey)) {
        done_indexes.insert(std::stoll(annotations[kIndexKey].get<std::string>()));
      }
    } else {
      ++failed;
      json annotations = pod["metadata"].value("annotations", json::object());
      if (per_index && annotations.contains(kIndexKey)) {
        const int64_t index = std::stoll(annotations[kIndexKey].get<std::string>());
        const int64_t failures =
            std::stoll(annotations.value(kIndexFailureCountKey, std::string("0"))) + 1;
        if (failures > per_index_limit) {
          failed_indexes.insert(index);
        } else {
          index_failures[index] = failures;
        }
      }
    }
    remove_finalizer(pod, kTrackingFinalizer);
    put(pods_type, pod, &controller_manager_writer());
  }
  auto delete_active = [&]() {
    for (const auto& pod : active) erase(pods_type, ns, pod["metadata"]["name"].get<std::string>());
    active.clear();
  };
  json suspended = find_condition(status, "Suspended");
  if (spec.value("suspend", false)) {
    delete_active();
    if (suspended.is_null() || suspended["status"] != "True") {
      set_condition(status, condition("Suspended", "True", "JobSuspended", "Job suspended", now));
    }
  } else {
    if (!suspended.is_null() && suspended["status"] == "True") {
      set_condition(status, condition("Suspended", "False", "JobResumed", "Job resumed", now));
      status["startTime"] = now;
    }
    if (!status.contains("startTime")) status["startTime"] = now;
    int64_t restarts = 0;
    for (const auto& pod : active) {
      for (const auto& cs : pod["status"].value("containerStatuses", json::array())) {
        restarts += cs.value("restartCount", 0);
      }
    }
    bool past_backoff = !per_index && failed > backoff_limit;
    if (restart_policy == "OnFailure") {
      past_backoff =
          past_backoff || (backoff_limit == 0 ? restarts > 0 : restarts >= backoff_limit);
    }
    bool complete;
    if (per_index &&
        static_cast<int64_t>(done_indexes.size() + failed_indexes.size()) >= completions &&
        !failed_indexes.empty()) {
      past_backoff = true;  // every index has ended, some failed: the Job has failed
    }
    if (indexed) {
      complete = static_cast<int64_t>(done_indexes.size()) >= completions;
    } else if (has_completions) {
      complete = succeeded >= completions;
    } else {
      complete = succeeded > 0 && active.empty();
    }
    if (past_backoff) {
      failed += static_cast<int64_t>(active.size());
      delete_active();
      const char* reason = per_index ? "FailedIndexes" : "BackoffLimitExceeded";
      const char* message =
          per_index ? "Job has failed indexes" : "Job has reached the specified backoff limit";
      set_condition(status, condition("FailureTarget", "True", reason, message, now));
      set_condition(status, condition("Failed", "True", reason, message, now));
      record_event(jobs, job, {"job-controller", "", false}, "Warning", reason, message);
    } else if (complete) {
      delete_active();
      const char* message = "Reached expected number of succeeded pods";
      set_condition(status,
                    condition("SuccessCriteriaMet", "True", "CompletionsReached", message, now));
      set_condition(status, condition("Complete", "True", "CompletionsReached", message, now));
      status["completionTime"] = now;
      record_event(jobs, job, {"job-controller", "", false}, "Normal", "Completed",
                   "Job completed");
    } else if (indexed) {
      std::set<int64_t> running;
      for (const auto& pod : active) {
        json annotations = pod["metadata"].value("annotations", json::object());
        if (annotations.contains(kIndexKey)) {
          running.insert(std::stoll(annotations[kIndexKey].get<std::string>()));
        }
      }
      for (int64_t i = 0; i < completions && static_cast<int64_t>(active.size()) < parallelism;
           ++i) {
        if (done_indexes.count(i) != 0 || running.count(i) != 0 || failed_indexes.count(i) != 0)
          continue;
        std::string index = std::to_string(i);
        std::map<std::string, std::string> annotations{{kIndexKey, index}};
        if (per_index) {
          auto failures = index_failures.find(i);
          annotations[kIndexFailureCountKey] =
              std::to_string(failures == index_failures.end() ? 0 : failures->second);
        }
        if (!create_pod_for(job, "Job", spec["template"], name + "-" + index + "-",
                            {{kIndexKey, index}}, annotations)) {
          break;
        }
        active.push_back(json{{"status", {{"phase", "Pending"}}}});
      }
    } else {
      int64_t want = has_completions ? std::min(parallelism, completions - succeeded)
                                     : (succeeded > 0 ? 0 : parallelism);
      while (static_cast<int64_t>(active.size()) < want) {
        if (!create_pod_for(job, "Job", spec["template"], name + "-", {}, {})) break;
        active.push_back(json{{"status", {{"phase", "Pending"}}}});
      }
    }
  }
  int64_t ready = 0;
  for (const auto& pod : active) ready += is_ready(pod) ? 1 : 0;
  set_or_erase(status, "active", static_cast<int64_t>(active.size()));
  set_or_erase(status, "succeeded", succeeded);
  set_or_erase(status, "failed", failed);
  if (indexed && !done_indexes.empty()) status["completedIndexes"] = format_indexes(done_indexes);
  if (per_index) status["failedIndexes"] = format_indexes(failed_indexes);
  status["ready"] = ready;
  status["terminating"] = 0;
  status["uncountedTerminatedPods"] = json::object();
  if (status != old_status) {
    job["status"] = status;
    put(jobs, job, &controller_manager_status_writer(), &*found);
  }
}

void World::reconcile_deployment(const std::string& ns, const std::string& name) {
  const ResourceType& deployments = resource_of("deployments");
  const ResourceType& pods_type = resource_of("pods");
  std::optional<json> found = find(deployments, ns, name);
  if (!found) return;
  json deployment = std::move(*found);
  if (deployment["metadata"].contains("deletionTimestamp")) return;
  const json& spec = deployment["spec"];
  const int64_t replicas = spec.value("replicas", 1);
  const std::string hash = template_hash(spec["template"]);
  std::vector<json> current;
  for (const auto& pod : pods_with_owner(ns, deployment["metadata"]["uid"].get<std::string>())) {
    std::string pod_hash =
        pod["metadata"].value("labels", json::object()).value("pod-template-hash", "");
    if (pod_hash == hash) {
      current.push_back(pod);
    } else {
      erase(pods_type, ns, pod["metadata"]["name"].get<std::string>());  // old template
    }
  }
  while (static_cast<int64_t>(current.size()) > replicas) {
    erase(pods_type, ns, current.back()["metadata"]["name"].get<std::string>());
    current.pop_back();
  }
  while (static_cast<int64_t>(current.size()) < replicas) {
    if (!create_pod_for(deployment, "Deployment", spec["template"], name + "-" + hash + "-",
                        {{"pod-template-hash", hash}}, {})) {
      break;
    }
    current.push_back(json{{"status", {{"phase", "Pending"}}}});
  }
  int64_t ready = 0;
  for (const auto& pod : current) ready += is_ready(pod) ? 1 : 0;
  const int64_t count = static_cast<int64_t>(current.size());
  const std::string now = now_rfc3339();
  json status = deployment.value("status", json::object());
  json old_status = status;
  status["observedGeneration"] = deployment["metadata"].value("generation", 1);
  set_or_erase(status, "replicas", count);
  set_or_erase(status, "updatedReplicas", count);
  set_or_erase(status, "readyReplicas", ready);
  set_or_erase(status, "availableReplicas", ready);
  set_or_erase(status, "unavailableReplicas", std::max<int64_t>(0, replicas - ready));
  auto update_condition = [&](const std::string& type, const std::string& value,
                              const std::string& reason, const std::string& message) {
    json existing = find_condition(status, type);
    json c = {{"type", type},          {"status", value},
              {"lastUpdateTime", now}, {"lastTransitionTime", now},
              {"reason", reason},      {"message", message}};
    if (!existing.is_null() && existing["status"] == value) {
      c["lastTransitionTime"] = existing["lastTransitionTime"];
      if (existing["reason"] == reason) c["lastUpdateTime"] = existing["lastUpdateTime"];
    }
    set_condition(status, c);
  };
  bool available = ready >= replicas;
  update_condition("Available", available ? "True" : "False",
                   available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                   available ? "Deployment has minimum availability."
                             : "Deployment does not have minimum availability.");
  std::string rs = "ReplicaSet \"" + name + "-" + hash + "\"";
  update_condition("Progressing", "True",
                   available ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                   available ? rs + " has successfully progressed." : rs + " is progressing.");
  json annotations = deployment["metadata"].value("annotations", json::object());
  bool changed = status != old_status;
  if (!annotations.contains("deployment.kubernetes.io/revision")) {
    annotations["deployment.kubernetes.io/revision"] = "1";
    deployment["metadata"]["annotations"] = annotations;
    changed = true;
  }
  if (changed) {
    deployment["status"] = status;
    put(deployments, deployment, &controller_manager_status_writer());
  }
}

// ----- the node side of pods ---------------------------------------------------------------

void World::modify_pod(const std::string& ns, const std::string& name,
                       const std::function<void(json&)>& change, const FieldManager& writer) {
  std::lock_guard lock(mutex_);
  const ResourceType& pods = resource_of("pods");
  std::optional<json> found = find(pods, ns, name);
  if (!found) throw std::runtime_error("no pod " + ns + "/" + name);
  if (scheduling_gated(*found) && writer.manager != controller_manager_writer().manager) {
    // A test that runs a pod the real scheduler would leave alone is itself wrong.
    throw std::logic_error("pod " + ns + "/" + name +
                           " has scheduling gates: the scheduler does not bind it");
  }
  json pod = *found;
  change(pod);
  // The kubelet only runs a pod the scheduler bound. Binding (pods/binding: spec.nodeName and
  // the PodScheduled condition) is recorded by no field manager, so the kubelet's write is
  // compared with the pod as bound: it does not own those.
  json base = std::move(*found);
  if (writer.manager == kubelet_status_writer().manager && !base["spec"].contains("nodeName") &&
      pod["spec"].contains("nodeName")) {
    base["spec"]["nodeName"] = pod["spec"]["nodeName"];
    for (const auto& c : pod["status"].value("conditions", json::array())) {
      if (c.value("type", "") != "PodScheduled") continue;
      json& conditions = base["status"]["conditions"];
      if (!conditions.is_array()) conditions = json::array();
      conditions.erase(
          std::remove_if(conditions.begin(), conditions.end(),
                         [](const json& old) { return old.value("type", "") == "PodScheduled"; }),
          conditions.end());
      conditions.push_back(c);
    }
  }
  put(pods, pod, &writer, &base);
  reconcile_owner_of_pod(pod);
}

void World::set_pod_running(const std::string& ns, const std::string& name,
                            const std::string& node) {
  bool was_bound = false;
  std::vector<std::pair<std::string, std::string>> containers;  // (name, image)
  modify_pod(
      ns, name,
      [&](json& pod) {
        const std::string now = now_rfc3339();
        was_bound = pod["spec"].contains("nodeName");
        for (const auto& c : pod["spec"].value("containers", json::array()))
          containers.emplace_back(c.value("name", ""), c.value("image", ""));
        pod["spec"]["nodeName"] = node;
        ensure_node(pod, node, now);
        json& status = pod["status"];
        status["phase"] = "Running";
        status["conditions"] = pod_conditions(true, now);
        json previous = status.value("containerStatuses", json::array());
        json statuses = json::array();
        size_t i = 0;
        for (const auto& c : pod["spec"].value("containers", json::array())) {
          int restarts = i < previous.size() ? previous[i].value("restartCount", 0) : 0;
          statuses.push_back(
              {{"name", c.value("name", "")},
               {"state", {{"running", {{"startedAt", now}}}}},
               {"lastState", i < previous.size() ? previous[i].value("lastState", json::object())
                                                 : json::object()},
               {"ready", true},
               {"restartCount", restarts},
               {"image", c.value("image", "")},
               {"imageID", "docker.io/library/" + c.value("image", "") + "@sha256:0"},
               {"containerID", container_id(pod, c, restarts)},
               {"started", true}});
          ++i;
        }
        status["containerStatuses"] = statuses;
      },
      kubelet_status_writer());
  const ResourceType& pods = resource_of("pods");
  if (!was_bound) {
    record_event_locking(pods, ns, name, {"default-scheduler", "", true}, "Normal", "Scheduled",
                         "Successfully assigned " + ns + "/" + name + " to " + node);
  }
  for (const auto& [container, image] : containers) {
    record_event_locking(pods, ns, name, {"kubelet", node, false}, "Normal", "Pulled",
                         "Container image \"" + image + "\" already present on machine");
    record_event_locking(pods, ns, name, {"kubelet", node, false}, "Normal", "Created",
                         "Created container: " + container);
    record_event_locking(pods, ns, name, {"kubelet", node, false}, "Normal", "Started",
                         "Started container " + container);
  }
}

void World::finish_pod(const std::string& ns, const std::string& name, int exit_code,
                       const std::string& reason) {
  modify_pod(
      ns, name,
      [&](json& pod) {
        const std::string now = now_rfc3339();
        ensure_node(pod, "node-1", now);
        const std::string policy = pod["spec"].value("restartPolicy", "Always");
        const bool restart = policy == "Always" || (policy == "OnFailure" && exit_code != 0);
        json& status = pod["status"];
        json previous = status.value("containerStatuses", json::array());
        json statuses = json::array();
        size_t i = 0;
        for (const auto& c : pod["spec"].value("containers", json::array())) {
          json prev = i < previous.size() ? previous[i] : json::object();
          int restarts = prev.value("restartCount", 0);
          std::string started = prev.value("state", json::object())
                                    .value("running", json::object())
                                    .value("startedAt", status.value("startTime", now));
          json terminated = {{"exitCode", exit_code},
                             {"reason", exit_code == 0 ? "Completed" : reason},
                             {"startedAt", started},
                             {"finishedAt", now},
                             {"containerID", container_id(pod, c, restarts)}};
          json cs = {{"name", c.value("name", "")},
                     {"image", c.value("image", "")},
                     {"imageID", "docker.io/library/" + c.value("image", "") + "@sha256:0"}};
          if (restart) {
            // The kubelet restarts the container in the same pod.
            cs["state"] = {{"running", {{"startedAt", now}}}};
            cs["lastState"] = {{"terminated", terminated}};
            cs["ready"] = true;
            cs["restartCount"] = restarts + 1;
            cs["containerID"] = container_id(pod, c, restarts + 1);
            cs["started"] = true;
          } else {
            cs["state"] = {{"terminated", terminated}};
            cs["lastState"] = prev.value("lastState", json::object());
            cs["ready"] = false;
            cs["restartCount"] = restarts;
            cs["containerID"] = container_id(pod, c, restarts);
            cs["started"] = false;
          }
          statuses.push_back(cs);
          ++i;
        }
        status["containerStatuses"] = statuses;
        if (restart) {
          status["phase"] = "Running";
          status["conditions"] = pod_conditions(true, now);
        } else {
          status["phase"] = exit_code == 0 ? "Succeeded" : "Failed";
          json conditions = pod_conditions(false, now, "PodCompleted");
          conditions[0]["status"] = "False";
          status["conditions"] = conditions;
        }
      },
      kubelet_status_writer());
}

void World::set_pod_image_pull_backoff(const std::string& ns, const std::string& name) {
  std::vector<std::string> images;
  modify_pod(
      ns, name,
      [&](json& pod) {
        const std::string now = now_rfc3339();
        ensure_node(pod, "node-1", now);
        json& status = pod["status"];
        status["phase"] = "Pending";
        std::string names;
        json statuses = json::array();
        for (const auto& c : pod["spec"].value("containers", json::array())) {
          names += (names.empty() ? "" : " ") + c.value("name", "");
          images.push_back(c.value("image", ""));
          statuses.push_back(
              {{"name", c.value("name", "")},
               {"state",
                {{"waiting",
                  {{"reason", "ImagePullBackOff"},
                   {"message", "Back-off pulling image \"" + c.value("image", "") + "\""}}}}},
               {"lastState", json::object()},
               {"ready", false},
               {"restartCount", 0},
               {"image", c.value("image", "")},
               {"imageID", ""},
               {"started", false}});
        }
        json conditions = pod_conditions(false, now, "ContainersNotReady");
        for (auto& c : conditions) {
          if (c["status"] == "False")
            c["message"] = "containers with unready status: [" + names + "]";
        }
        status["conditions"] = conditions;
        status["containerStatuses"] = statuses;
      },
      kubelet_status_writer());
  const ResourceType& pods = resource_of("pods");
  for (const auto& image : images) {
    record_event_locking(pods, ns, name, {"kubelet", "node-1", false}, "Warning", "Failed",
                         "Failed to pull image \"" + image + "\": rpc error: code = NotFound " +
                             "desc = failed to pull and unpack image \"" + image + "\": not found");
    record_event_locking(pods, ns, name, {"kubelet", "node-1", false}, "Warning", "BackOff",
                         "Back-off pulling image \"" + image + "\"");
  }
}

void World::set_pod_unschedulable(const std::string& ns, const std::string& name,
                                  const std::string& message) {
  modify_pod(
      ns, name,
      [&](json& pod) {
        json& status = pod["status"];
        status = {{"phase", "Pending"},
                  {"conditions", json::array({{{"type", "PodScheduled"},
                                               {"status", "False"},
                                               {"lastProbeTime", nullptr},
                                               {"lastTransitionTime", now_rfc3339()},
                                               {"reason", "Unschedulable"},
                                               {"message", message}}})},
                  {"qosClass", status.value("qosClass", qos_class(pod["spec"]))}};
      },
      scheduler_status_writer());
  record_event_locking(resource_of("pods"), ns, name, {"default-scheduler", "", true}, "Warning",
                       "FailedScheduling", message);
}

}  // namespace k8sjobs::testing
