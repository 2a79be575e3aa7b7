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
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
};

OrderedJson status_body(int code, const std::string& reason, const std::string& message,
                        const OrderedJson& details = nullptr);
Reply status_reply(int code, const std::string& reason, const std::string& message,
                   const OrderedJson& details = nullptr);
// An object in the real server's key order (kind, apiVersion, metadata, spec, status).
OrderedJson to_wire(const nlohmann::json& object);
std::string now_rfc3339();

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

  // --- API operations (already authorized) ---
  Reply create(const ResourceType& type, const std::string& ns, const std::string& body,
               bool enforce_quota);
  Reply create_object(const ResourceType& type, const std::string& ns, nlohmann::json object,
                      bool enforce_quota);
  Reply get(const ResourceType& type, const std::string& ns, const std::string& name) const;
  Reply list(const ResourceType& type, const std::string& ns, const ListQuery& query) const;
  Reply replace(const ResourceType& type, const std::string& ns, const std::string& name,
                const std::string& body);
  Reply patch(const ResourceType& type, const std::string& ns, const std::string& name,
              const std::string& content_type, const std::string& body);
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
    nlohmann::json object;
    nlohmann::json prev;  // state before (null for ADDED)
  };
  using Store = std::map<std::string, nlohmann::json>;  // "ns/name" -> object

  // All private helpers expect mutex_ held.
  Store& store(const ResourceType& type);
  const Store* find_store(const ResourceType& type) const;
  nlohmann::json* find(const ResourceType& type, const std::string& ns, const std::string& name);
  const nlohmann::json* find(const ResourceType& type, const std::string& ns,
                             const std::string& name) const;
  void put(const ResourceType& type, nlohmann::json object);
  void erase(const ResourceType& type, const std::string& ns, const std::string& name);
  Reply create_locked(const ResourceType& type, const std::string& ns, nlohmann::json object,
                      bool enforce_quota);
  Reply update_locked(const ResourceType& type, const std::string& ns, const std::string& name,
                      nlohmann::json object, bool check_conflict);
  Store snapshot(const ResourceType& type, int64_t rv) const;
  std::string uuid();
  std::string random_suffix();
  std::optional<Reply> quota_check(const ResourceType& type, const std::string& ns,
                                   const std::string& name);
  int count_in_namespace(const ResourceType& type, const std::string& ns) const;
  std::string event_line(const Event& event, const WatchCursor& cursor) const;
  bool matches(const WatchCursor& cursor, const nlohmann::json& object) const;

  // Controllers.
  void reconcile_owner_of_pod(const nlohmann::json& pod);
  void reconcile_job(const std::string& ns, const std::string& name);
  void reconcile_deployment(const std::string& ns, const std::string& name);
  bool create_pod_for(const nlohmann::json& owner, const std::string& owner_kind,
                      const nlohmann::json& template_spec, const std::string& name_prefix,
                      const std::map<std::string, std::string>& extra_labels,
                      const std::map<std::string, std::string>& extra_annotations);
  void delete_dependents(const std::string& owner_uid);
  void orphan_dependents(const std::string& owner_uid);
  std::vector<nlohmann::json> pods_with_owner(const std::string& ns, const std::string& uid) const;
  void modify_pod(const std::string& ns, const std::string& pod,
                  const std::function<void(nlohmann::json&)>& change);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopped_ = false;
  int64_t rv_ = 100;
  int64_t compacted_rv_ = 0;
  std::map<std::string, Store> stores_;  // by ResourceType::qualified()
  // Owner uid → keys ("ns/name") of the pods whose ownerReferences name it, kept by put() and
  // erase(): the controllers look pods up by owner on every reconcile.
  std::map<std::string, std::set<std::string>> pods_by_owner_;
  void index_pod_owners(const std::string& key, const nlohmann::json& pod, bool add);
  std::vector<Event> history_;
  std::map<std::string, std::map<std::string, int>> quotas_;  // ns -> resource -> hard
  std::mt19937_64 random_;
};

}  // namespace k8sjobs::testing
