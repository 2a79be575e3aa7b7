#pragma once
// An in-process Kubernetes API server for tests and benchmarks: real HTTPS on 127.0.0.1, token
// and client-certificate users confined to namespaces, the batch/apps/core resources k8sjobs uses,
// simulated Job/Deployment controllers, watches, pagination, compaction (410 Expired), quotas and
// injectable faults. Responses copy the shapes recorded from kube-apiserver v1.32.

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

class TestApiServer {
 public:
  // Generates its own CA and serving certificate (SAN IP 127.0.0.1, DNS localhost) and listens on
  // 127.0.0.1:<free port>; returns when ready.
  TestApiServer();
  ~TestApiServer();  // stops, ending open watches
  TestApiServer(const TestApiServer&) = delete;
  TestApiServer& operator=(const TestApiServer&) = delete;

  std::string url() const;  // "https://127.0.0.1:PORT"
  int port() const;
  const std::string& ca_pem() const;

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
  // std::runtime_error with the Status message when the server would refuse it.
  nlohmann::json create(const std::string& collection_path, nlohmann::json object);
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
