#pragma once
// An in-process Kubernetes API server for tests and benchmarks: real HTTPS on 127.0.0.1, token
// and client-certificate users confined to namespaces, the batch/apps/core resources k8sjobs uses,
// simulated Job/Deployment controllers, watches, pagination, compaction (410 Expired), quotas and
// injectable faults. Responses copy the shapes recorded from kube-apiserver v1.32, including the
// metadata the real server adds to every object: uid, resourceVersion, creationTimestamp,
// generation (workloads) and managedFields (managed_fields.h), one entry per writer: the
// request's `fieldManager`, else its User-Agent up to the first '/' ("curl/8.5.0" -> "curl");
// the simulated components write as kube-controller-manager (Job and Deployment controllers,
// garbage collector), kube-scheduler and kubelet. Objects are stored as their JSON text
// (world.h, StoredObject), so a benchmark can hold 100,000 real-sized Jobs with their pods.
//
// Latency model (LatencyModel below). Off by default, so tests stay fast; the benchmarks turn it
// on (k8sjobs-test-apiserver --latency real), because a server that answers in microseconds
// flatters every client. The real server's costs, on loopback with etcd 3.4 on local disk:
// - A write (POST, PUT, PATCH, DELETE, deletecollection) is an etcd transaction: one entry in
//   etcd's single raft log, fsynced before the write is answered. kube-apiserver v1.32.13 with
//   etcd 3.4 took 1,000 sequential Job creates in 3.9 s over one kept-alive connection, 4-6 ms
//   each (measured on the cluster tests/data/k8s/responses were recorded from, loopback, TLS and
//   JSON included); the fsync dominates.
//   Model: each write holds ONE mutex-protected log for `write_fsync` (default 4.5 ms) and is
//   applied while holding it, so N concurrent writes take at least N x write_fsync, as writes
//   queue behind etcd's one log. (etcd can batch concurrent proposals into one fsync; the model
//   does not, so a burst of concurrent writes is charged at the pessimistic end.) The writes the
//   simulated controllers make inside a request (a Job's pod, its status) are not charged: in a
//   real cluster they run asynchronously, and the 3.9 s above was measured with them running.
// - A read (GET of an object, LIST) goes through authentication, authorization and
//   serialisation: about 1 ms for a small object or a label-selected LIST ("a few ms" for a
//   small LIST from the cache in the recording). A LIST page of real-sized objects costs far
//   more, because kube-apiserver v1.32 sends a LIST with `limit` and `continue` to etcd and
//   decodes, converts and encodes every object of the page before the first byte leaves: on a
//   real v1.32 + etcd 3.4 (loopback, 2 cores, the figures in issue 16's report), 10,000 held
//   Jobs of 9.2 KB each (4.4 KB managedFields) in 20 pages of 500 took qstat 2.07 s, about
//   103 ms for each 4.4 MiB page, against a few ms per page on this server, which keeps
//   objects as text and only copies them. Subtracting the 1 ms base, the download and the
//   client's own work leaves about 22 ms per MiB of page.
//   Model: each GET or LIST sleeps `read` (default 1 ms), is answered, and then sleeps
//   `read_per_mib` (default 20 ms, slightly under the measured 22) for each MiB of its compact
//   JSON body before the body is sent, as the real server's encoding precedes its first byte.
//   A single 9 KB object costs 0.18 ms more; a 500-Job page about 90 ms. Reads run in
//   parallel (a real server serves concurrent LISTs on separate goroutines), which is how
//   a client using two connections gains as it would on a real server.
// - Watches are not delayed per event; discovery (/api, /apis, /version) is not delayed.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace k8sjobs::testing {

struct ClientCertificate {
  std::string cert_pem;
  std::string key_pem;
};

enum class FaultKind { TooManyRequests, InternalError, ServiceUnavailable, DropConnection, Slow };

struct Fault {
  FaultKind kind;
  int count = 1;                       // how many matching requests get this fault
  int retry_after_seconds = 0;         // 429/503: Retry-After header (0 = none)
  std::chrono::milliseconds delay{0};  // Slow: sleep this long, then answer normally
  std::string method;                  // "" = any method, else e.g. "POST"
  std::string path_prefix;             // "" = any path
  bool apply_then_fail = false;        // 500/DropConnection on writes: perform the write, then
                                       // fail (the client cannot know whether it happened)
};

struct RecordedRequest {
  std::string method, path, query, user, content_type, body, authorization;
  std::string user_agent;
  int status = 0;
  bool tls_session_resumed = false;  // the connection's handshake resumed an earlier session
};

// What requests cost (see the header comment). Zero durations: answer at once (the default).
struct LatencyModel {
  std::chrono::microseconds write_fsync{0};   // each write holds the one log this long
  std::chrono::microseconds read{0};          // each GET/LIST sleeps this long
  std::chrono::microseconds read_per_mib{0};  // and this long per MiB of its response body

  static LatencyModel none() { return {}; }
  // kube-apiserver v1.32 with etcd 3.4 on loopback: 4.5 ms per write, 1 ms per read and 20 ms
  // per MiB read.
  static LatencyModel real_v1_32() {
    return {std::chrono::microseconds(4500), std::chrono::microseconds(1000),
            std::chrono::microseconds(20000)};
  }
  bool enabled() const {
    return write_fsync.count() > 0 || read.count() > 0 || read_per_mib.count() > 0;
  }
  // "write fsync 4.5 ms, serialised; read 1 ms + 20 ms per MiB", or "none, ..." when off.
  std::string describe() const;
};

class TestApiServer {
 public:
  // Generates its own CA and serving certificate (SAN IP 127.0.0.1, DNS localhost) and listens on
  // 127.0.0.1:<free port>; returns when ready.
  explicit TestApiServer(LatencyModel latency = LatencyModel::none());
  ~TestApiServer();  // stops, ending open watches
  TestApiServer(const TestApiServer&) = delete;
  TestApiServer& operator=(const TestApiServer&) = delete;

  std::string url() const;  // "https://127.0.0.1:PORT"
  int port() const;
  // How many connections the kernel queues for accept() (TCP_INFO of the listening socket): as
  // kube-apiserver's, the system's somaxconn (up to 4096), not libcpp-httplib's 5.
  int accept_queue_limit() const;
  const std::string& ca_pem() const;
  const LatencyModel& latency() const;

  // `namespaces` may hold "*": every namespace and the cluster scope (as a ClusterRole).
  void add_token_user(const std::string& token, const std::string& user,
                      std::vector<std::string> namespaces);
  // A client certificate CN=common_name,O=organization signed by this server's CA.
  ClientCertificate add_certificate_user(const std::string& common_name,
                                         const std::string& organization,
                                         std::vector<std::string> namespaces);
  ClientCertificate untrusted_certificate(const std::string& common_name);  // another CA
  // RBAC: from now on `user` (a token or certificate user's name) may do in its namespaces only
  // what this Role's rules allow (JSON of a rbac.authorization.k8s.io/v1 Role); other requests
  // are 403 Forbidden, as kube-apiserver words them. Without a bound Role a user may do anything
  // in its namespaces.
  void bind_role(const std::string& user, const nlohmann::json& role);

  // The world, for tests (paths like "/apis/batch/v1/namespaces/ns/jobs/x"). Objects come back
  // with kind and apiVersion set.
  std::optional<nlohmann::json> get(const std::string& object_path) const;
  std::vector<nlohmann::json> list(const std::string& collection_path) const;
  // Creates as an administrator (no authorization, no quota), running the controllers; throws
  // std::runtime_error with the Status message when the server would refuse it. The object's
  // managedFields name `field_manager` (what `kubectl create` sends by default).
  nlohmann::json create(const std::string& collection_path, nlohmann::json object,
                        const std::string& field_manager = "kubectl-create");
  // Merge-patches an object as an administrator (what `kubectl patch --type=merge` does as
  // cluster-admin), running the controllers; throws std::runtime_error when refused.
  nlohmann::json merge_patch(const std::string& object_path, const nlohmann::json& patch,
                             const std::string& field_manager = "kubectl-patch");
  std::vector<std::string> pods_of_job(const std::string& ns, const std::string& job) const;
  std::vector<std::string> pods_of_deployment(const std::string& ns,
                                              const std::string& deployment) const;
  void set_pod_running(const std::string& ns, const std::string& pod,
                       const std::string& node = "node-1");
  void finish_pod(const std::string& ns, const std::string& pod, int exit_code);
  void kill_pod_by_signal(const std::string& ns, const std::string& pod, int signal);
  void set_pod_image_pull_backoff(const std::string& ns, const std::string& pod);
  void set_pod_unschedulable(const std::string& ns, const std::string& pod,
                             const std::string& message);
  // metrics.k8s.io (metrics-server): unless called, its paths are 404, as in a cluster without
  // metrics-server. Then GET and LIST of PodMetrics (namespaced or across namespaces, label
  // selectors) answer, in metrics-server's shape, for the Running pods given a memory figure
  // here (the pod's labels copied, one container entry per container, the memory on the first).
  void serve_pod_metrics();
  void set_pod_memory_usage(const std::string& ns, const std::string& pod, long long bytes);
  // Forgets history older than now: older watch resourceVersions, Exact lists and continue
  // tokens answer 410 Expired.
  void compact();
  void inject(Fault fault);
  // resource: "count/jobs.batch", "count/deployments.apps", "count/configmaps" or "pods".
  void set_quota(const std::string& ns, const std::string& resource, int hard);
  std::vector<RecordedRequest> requests() const;
  void clear_requests();
  std::string resource_version() const;  // current cluster-wide resourceVersion

  // Default watch duration when a request gives no timeoutSeconds (30 s unless changed).
  void set_default_watch_timeout(std::chrono::seconds timeout);

  // How many watch streams on `collection_path` (e.g. "/apis/batch/v1/namespaces/ns/jobs") this
  // server has started, counted once each stream is positioned: every change made after the
  // count went up reaches that watcher. Streams that only carry a 410 ERROR do not count;
  // clear_requests() does not reset it. Tests wait on it instead of sleeping until a client
  // "must be watching by now".
  int watches_started(const std::string& collection_path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace k8sjobs::testing
