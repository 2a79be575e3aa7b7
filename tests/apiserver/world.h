#pragma once
// The state behind the test API server: stored objects, the cluster-wide resourceVersion, the
// change history that watches and Exact lists read, simulated controllers (Job, Deployment,
// garbage collection) and quotas. No HTTP here: operations take parsed requests and return
// the status code and body the real kube-apiserver would send.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "apiserver/managed_fields.h"
#include "apiserver/selectors.h"

namespace k8sjobs::testing {

using OrderedJson = nlohmann::ordered_json;

struct ResourceType {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  std::string kind;
  bool return_deleted_object = false;  // pods answer DELETE with the object, not a Status
  bool orphan_by_default = false;      // batch/v1 Job: DELETE without a policy orphans pods

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string qualified() const { return group.empty() ? plural : plural + "." + group; }
  std::string qualified_kind() const { return group.empty() ? kind : kind + "." + group; }
};

const std::vector<ResourceType>& all_resources();
const ResourceType* find_resource(const std::string& group, const std::string& version,
                                  const std::string& plural);

// "/api/v1/namespaces/NS/pods/NAME/SUB" or "/apis/G/V/namespaces/NS/PLURAL[/NAME[/SUB]]", or a
// cluster-wide collection "/apis/G/V/PLURAL".
struct ResourcePath {
  const ResourceType* type = nullptr;
  std::string ns;  // "" for a cluster-wide collection
  std::string name;
  std::string subresource;
};
std::optional<ResourcePath> parse_resource_path(const std::string& path);

struct Reply {
  int status = 200;
  OrderedJson body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string raw;  // when not empty, the body as compact JSON text instead of `body`
};

OrderedJson status_body(int code, const std::string& reason, const std::string& message,
                        const OrderedJson& details = nullptr);
Reply status_reply(int code, const std::string& reason, const std::string& message,
                   const OrderedJson& details = nullptr);
// An object in the real server's key order (kind, apiVersion, metadata, spec, status).
OrderedJson to_wire(const nlohmann::json& object);
// to_wire(object).dump(), written directly (a stored object's text).
std::string wire_text(const nlohmann::json& object);
std::string now_rfc3339();

// One version of a stored object, kept as its wire text (compact JSON, kind and apiVersion first,
// managedFields included) as etcd keeps objects serialised: a real-sized Job is about 8 KB of
// text but 60 KB as a JSON tree, and the benchmarks store 100,000 Jobs with their pods. LIST
// answers copy the texts; the tree is parsed again when a controller or a field selector needs
// it. The labels and owner uids that every LIST and garbage collection read are kept aside.
// Versions are shared, never changed: the store and the watch history hold the same ones.
class StoredObject {
 public:
  explicit StoredObject(const nlohmann::json& object);
  nlohmann::json tree() const { return nlohmann::json::parse(text_); }
  const std::string& text() const { return text_; }
  // The text without kind and apiVersion, as a LIST's items carry it: "{" + this.
  std::string_view list_item_tail() const { return std::string_view(text_).substr(item_offset_); }
  const std::map<std::string, std::string>& labels() const { return labels_; }
  const std::vector<std::string>& owner_uids() const { return owner_uids_; }

 private:
  std::string text_;
  size_t item_offset_ = 1;
  std::map<std::string, std::string> labels_;
  std::vector<std::string> owner_uids_;
};
using StoredPtr = std::shared_ptr<const StoredObject>;

struct ListQuery {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;
  std::string resource_version_match;
};

struct DeleteRequest {
  std::optional<std::string> propagation_policy;
  nlohmann::json preconditions;  // {"uid":..., "resourceVersion":...} or null
};

struct WatchCursor {
  const ResourceType* type = nullptr;
  std::string ns;
  LabelSelector labels;
  FieldSelector fields;
  int64_t last_rv = 0;
  bool bookmarks = false;
};

class World {
 public:
  World();

  // --- API operations (already authorized); `manager` is the writer's field manager ---
  Reply create(const ResourceType& type, const std::string& ns, const std::string& body,
               bool enforce_quota, const std::string& manager);
  Reply create_object(const ResourceType& type, const std::string& ns, nlohmann::json object,
                      bool enforce_quota, const std::string& manager);
  Reply get(const ResourceType& type, const std::string& ns, const std::string& name) const;
  Reply list(const ResourceType& type, const std::string& ns, const ListQuery& query) const;
  Reply replace(const ResourceType& type, const std::string& ns, const std::string& name,
                const std::string& body, const std::string& manager);
  Reply patch(const ResourceType& type, const std::string& ns, const std::string& name,
              const std::string& content_type, const std::string& body, const std::string& manager);
  Reply remove(const ResourceType& type, const std::string& ns, const std::string& name,
               const DeleteRequest& request);
  Reply get_scale(const std::string& ns, const std::string& name) const;

  // --- watches ---
  // Positions a watch. On success (status 200) `lines` holds the first events: synthetic ADDED
  // events (no resourceVersion) or one ERROR event (resourceVersion too old, then `finished`).
  Reply start_watch(const ResourceType& type, const std::string& ns, const ListQuery& query,
                    bool bookmarks, WatchCursor& cursor, std::vector<std::string>& lines,
                    bool& finished);
  // Waits until events after cursor.last_rv exist, `until` passes, or stop(); appends them.
  void next_events(WatchCursor& cursor, std::vector<std::string>& lines,
                   std::chrono::steady_clock::time_point until);
  std::string bookmark_line(const WatchCursor& cursor) const;
  void stop();
  bool stopped() const;
  // Sleeps up to `duration`, waking early on stop().
  void interruptible_sleep(std::chrono::milliseconds duration);

  // --- the world, for tests ---
  std::optional<nlohmann::json> get_object(const ResourceType& type, const std::string& ns,
                                           const std::string& name) const;
  std::vector<nlohmann::json> list_objects(const ResourceType& type, const std::string& ns) const;
  std::vector<std::string> pods_owned_by(const std::string& ns, const std::string& owner_kind,
                                         const std::string& owner_name) const;
  void set_pod_running(const std::string& ns, const std::string& pod, const std::string& node);
  void finish_pod(const std::string& ns, const std::string& pod, int exit_code,
                  const std::string& reason);
  void set_pod_image_pull_backoff(const std::string& ns, const std::string& pod);
  void set_pod_unschedulable(const std::string& ns, const std::string& pod,
                             const std::string& message);
  void compact();
  void set_quota(const std::string& ns, const std::string& resource, int hard);
  int64_t resource_version() const;

 private:
  struct Event {
    int64_t rv;
    std::string type_id;
    std::string key;   // "ns/name"
    std::string kind;  // ADDED | MODIFIED | DELETED
    StoredPtr object;
    StoredPtr prev;  // state before (null for ADDED)
  };
  using Store = std::map<std::string, StoredPtr>;  // "ns/name" -> object

  // All private helpers expect mutex_ held.
  Store& store(const ResourceType& type);
  const Store* find_store(const ResourceType& type) const;
  StoredPtr find_stored(const ResourceType& type, const std::string& ns,
                        const std::string& name) const;
  // The object's tree (a copy: change it and put() it), or nullopt.
  std::optional<nlohmann::json> find(const ResourceType& type, const std::string& ns,
                                     const std::string& name) const;
  // Stores a new version, recording `writer` in its managedFields (nullptr: metadata the server
  // changes on its own, such as a deletion mark, is owned by nobody), as a change from
  // `diff_base` when given, else from the stored version. Returns the version.
  StoredPtr put(const ResourceType& type, nlohmann::json object, const FieldManager* writer,
                const nlohmann::json* diff_base = nullptr);
  void erase(const ResourceType& type, const std::string& ns, const std::string& name);
  Reply create_locked(const ResourceType& type, const std::string& ns, nlohmann::json object,
                      bool enforce_quota, const std::string& manager);
  Reply update_locked(const ResourceType& type, const std::string& ns, const std::string& name,
                      nlohmann::json object, bool check_conflict, const std::string& manager);
  Store snapshot(const ResourceType& type, int64_t rv) const;
  std::string uuid();
  std::string random_suffix();
  std::optional<Reply> quota_check(const ResourceType& type, const std::string& ns,
                                   const std::string& name);
  int count_in_namespace(const ResourceType& type, const std::string& ns) const;
  std::string event_line(const Event& event, const WatchCursor& cursor) const;
  bool matches(const WatchCursor& cursor, const StoredPtr& object) const;

  // Controllers.
  void reconcile_owner_of_pod(const nlohmann::json& pod);
  void reconcile_job(const std::string& ns, const std::string& name);
  void reconcile_deployment(const std::string& ns, const std::string& name);
  bool create_pod_for(const nlohmann::json& owner, const std::string& owner_kind,
                      const nlohmann::json& template_spec, const std::string& name_prefix,
                      const std::map<std::string, std::string>& extra_labels,
                      const std::map<std::string, std::string>& extra_annotations);
  // Stores a core/v1 Event about `object` as its component writes it (kube-apiserver v1.32):
  // the kubelet and the controllers through core/v1 (source, first/lastTimestamp, count), the
  // scheduler through events.k8s.io/v1 (eventTime, reportingController, no timestamps).
  struct EventSource {
    std::string component;  // "kubelet", "job-controller", "default-scheduler"
    std::string host;       // the node, for the kubelet
    bool events_api = false;
  };
  void record_event(const ResourceType& about, const nlohmann::json& object,
                    const EventSource& source, const std::string& type, const std::string& reason,
                    const std::string& message);
  void record_event_locking(const ResourceType& type, const std::string& ns,
                            const std::string& name, const EventSource& source,
                            const std::string& event_type, const std::string& reason,
                            const std::string& message);
  void delete_dependents(const std::string& owner_uid);
  void orphan_dependents(const std::string& owner_uid);
  std::vector<nlohmann::json> pods_with_owner(const std::string& ns, const std::string& uid) const;
  void modify_pod(const std::string& ns, const std::string& pod,
                  const std::function<void(nlohmann::json&)>& change, const FieldManager& writer);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopped_ = false;
  int64_t rv_ = 100;
  int64_t compacted_rv_ = 0;
  std::map<std::string, Store> stores_;  // by ResourceType::qualified()
  // Owner uid → keys ("ns/name") of the pods whose ownerReferences name it, kept by put() and
  // erase(): the controllers look pods up by owner on every reconcile.
  std::map<std::string, std::set<std::string>> pods_by_owner_;
  void index_pod_owners(const std::string& key, const StoredObject& pod, bool add);
  std::vector<Event> history_;
  std::map<std::string, std::map<std::string, int>> quotas_;  // ns -> resource -> hard
  std::mt19937_64 random_;
};

}  // namespace k8sjobs::testing
