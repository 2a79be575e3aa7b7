#pragma once
// The Kubernetes REST client every command uses: typed operations on namespaced resources,
// Status errors as values, retries with backoff, pagination and watch with reconnects.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/kube/error.h"
#include "k8sjobs/kube/http.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/kube/retry_policy.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::kube {

using nlohmann::json;

namespace detail {
class ListPageWorker;
}

// The annotation a fixed-name create carries so that, after an ambiguous failure, a retry that
// meets AlreadyExists can tell its own object from somebody else's.
inline constexpr const char* kCreateTokenAnnotation = "k8sjobs.io/create-token";

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 0;  // 0: no limit
  std::string continue_token;
  std::string resource_version;
  std::string resource_version_match;  // "", "Exact" or "NotOlderThan"
};

struct ListPage {
  std::vector<json> items;
  std::string resource_version;
  std::string continue_token;
  std::optional<long long> remaining_item_count;
};

// The parts of each listed object a caller reads, so that parsing a page builds only those
// (the parser still reads every byte, but skipped values are never allocated). For each
// top-level field named in `only` ("spec"), just the listed sub-fields are kept; fields not
// named are kept whole. metadata.managedFields is always skipped.
struct ItemFields {
  std::vector<std::pair<std::string, std::vector<std::string>>> only;
};

struct DeleteOptions {
  std::string propagation_policy =
      "Background";  // Jobs default to Orphan on the server: never rely on it
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::optional<int> grace_period_seconds;
};

enum class PatchType { Merge, JsonPatch, StrategicMerge };

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK; SYNC for objects delivered by a (re)list
  json object;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  // Start point; empty: list first (SYNC events), then watch from the list's resourceVersion.
  std::string resource_version;
  std::chrono::seconds server_timeout{300};  // timeoutSeconds of each watch request
  std::chrono::milliseconds deadline{0};     // 0: until the handler stops it
  bool allow_bookmarks = true;
};

// Objects per page of the LIST a watch starts with (and lists again after 410 Gone).
inline constexpr int kRelistPageLimit = 100;

// What a watch handler wants next.
enum class WatchControl { Continue, Stop };

struct ClientStats {
  int requests = 0;
  int retries = 0;
  int watch_reconnects = 0;
  int relists = 0;
};

class KubeClient {
 public:
  KubeClient(std::unique_ptr<HttpTransport> transport, RetryPolicy policy, sys::Clock& clock);

  Result<json> create(const ResourceKind& kind, const std::string& ns, json object);
  Result<json> get(const ResourceKind& kind, const std::string& ns, const std::string& name);
  Result<ListPage> list(const ResourceKind& kind, const std::string& ns,
                        const ListOptions& options);
  // Follows `continue` until done (page size `options.limit`, default 500). When a continue
  // token expires (410) mid-way, starts again from the first page, as kubectl does.
  Result<ListPage> list_all(const ResourceKind& kind, const std::string& ns, ListOptions options);
  // The same walk, but each page goes to `on_page` as it arrives and is freed afterwards, so a
  // caller that reduces the objects holds one page of JSON at a time, not the whole list.
  // `restarted` is true on a first page that follows an expired token: drop what the earlier
  // pages gave. Returns the list's resourceVersion.
  // With `fields`, the items of each page hold only those fields, and each page is parsed (and
  // handed to `on_page`) on a second thread while the next one downloads: `on_page` is then
  // called on that thread, still one page at a time and in order.
  Result<std::string> list_pages(const ResourceKind& kind, const std::string& ns,
                                 ListOptions options,
                                 const std::function<void(ListPage& page, bool restarted)>& on_page,
                                 const ItemFields* fields = nullptr);
  // One walk of list_pages with fields, for list_pages_side_by_side.
  struct ListWalk {
    const ResourceKind* kind = nullptr;
    ListOptions options;
    ItemFields fields;
    std::function<void(ListPage& page, bool restarted)> on_page;
  };
  // Lanes of walks at the same time, each lane on a connection (and a thread) of its own when
  // the transport takes concurrent requests (libcurl's does), one lane after the other when it
  // does not; the walks of a lane go one after the other, in order, and a lane stops at its
  // first failure. On a real API server each page costs server time (etcd, encoding) that one
  // walk alone spends waiting. Each walk calls its on_page as list_pages does (one page at a
  // time, in order), but the on_page of different lanes may run at the same time. Returns each
  // walk's answer, in the order given (a walk a failure left out gets that failure); what an
  // on_page threw is thrown here once every lane has ended.
  std::vector<Result<std::string>> list_pages_side_by_side(
      const std::string& ns, const std::vector<std::vector<ListWalk>>& lanes);
  Result<json> replace(const ResourceKind& kind, const std::string& ns, const std::string& name,
                       const json& object);
  Result<json> patch(const ResourceKind& kind, const std::string& ns, const std::string& name,
                     PatchType type, const json& patch);
  // Returns what the server answers: a Status (Background) or the object (Foreground, pods).
  Result<json> remove(const ResourceKind& kind, const std::string& ns, const std::string& name,
                      const DeleteOptions& options = {});
  // Streams events to `handler` until it says Stop, the deadline passes, or an error that
  // retries cannot fix. Reconnects from the last seen resourceVersion when a stream ends;
  // on 410 Expired relists and delivers the current objects as SYNC events.
  Result<Done> watch(const ResourceKind& kind, const std::string& ns, const WatchOptions& options,
                     const std::function<WatchControl(const WatchEvent&)>& handler);

  const ClientStats& stats() const { return stats_; }

 private:
  // Another client on the same transport (list_pages_side_by_side).
  struct SharedTransport {
    std::shared_ptr<HttpTransport> transport;
  };
  KubeClient(SharedTransport shared, RetryPolicy policy, sys::Clock& clock);

  Result<HttpResponse> execute(const HttpRequest& request, RequestSafety safety);
  Result<json> execute_json(const HttpRequest& request, RequestSafety safety,
                            const ItemFields* fields = nullptr);
  Result<ListPage> list_page(const ResourceKind& kind, const std::string& ns,
                             const ListOptions& options);
  Result<std::string> list_pages_pipelined(
      const ResourceKind& kind, const std::string& ns, const ListOptions& options,
      const std::function<void(ListPage& page, bool restarted)>& on_page, const ItemFields& fields);
  // One page of list_pages_pipelined: its items go to `worker` (whole: read and parsed in one
  // piece); returns the page without its items, or nothing of use when the worker stopped.
  Result<ListPage> stream_page(const ResourceKind& kind, const std::string& ns,
                               const ListOptions& options, const ItemFields& fields,
                               detail::ListPageWorker& worker, bool restarted, bool whole);

  std::shared_ptr<HttpTransport> transport_;
  RetryPolicy policy_;
  sys::Clock& clock_;
  std::mt19937_64 random_;
  ClientStats stats_;
};

}  // namespace k8sjobs::kube
