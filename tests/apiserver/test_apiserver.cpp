#include "apiserver/test_apiserver.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <thread>

#include "apiserver/openssl_handles.h"
#include "apiserver/rbac.h"
#include "apiserver/test_pki.h"
#include "apiserver/world.h"

namespace k8sjobs::testing {

using nlohmann::json;

namespace {

struct User {
  std::string name;
  std::vector<std::string> groups;
  std::vector<std::string> namespaces;
  std::string credential_id;  // client certificates only
};

// The recorded discovery document for batch/v1 (kube-apiserver v1.32).
const char* kBatchV1Discovery =
    R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"batch/v1","resources":[{"name":"cronjobs","singularName":"cronjob","namespaced":true,"kind":"CronJob","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["cj"],"categories":["all"],"storageVersionHash":"sd5LIXh4Fjs="},{"name":"cronjobs/status","singularName":"","namespaced":true,"kind":"CronJob","verbs":["get","patch","update"]},{"name":"jobs","singularName":"job","namespaced":true,"kind":"Job","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"categories":["all"],"storageVersionHash":"mudhfqk/qZY="},{"name":"jobs/status","singularName":"","namespaced":true,"kind":"Job","verbs":["get","patch","update"]}]})";

const char* kVersion =
    R"({"major":"1","minor":"32","gitVersion":"v1.32.13","gitCommit":"63adf010aa20e104c0b7043b47f42f50c9f72b17","gitTreeState":"clean","buildDate":"2026-11-23T14:29:49Z","goVersion":"go1.23.5","compiler":"gc","platform":"linux/amd64"})";

std::vector<std::string> name_entries(X509_NAME* name, int nid) {
  std::vector<std::string> values;
  int pos = -1;
  while ((pos = X509_NAME_get_index_by_NID(name, nid, pos)) >= 0) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0) {
      values.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
      OPENSSL_free(utf8);
    }
  }
  return values;
}

bool is_write(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string uuid_like(std::mt19937_64& random) {
  uint64_t a = random(), b = random();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

OrderedJson resource_list(const std::string& group_version) {
  OrderedJson body;
  body["kind"] = "APIResourceList";
  body["apiVersion"] = "v1";
  body["groupVersion"] = group_version;
  body["resources"] = OrderedJson::array();
  for (const auto& r : all_resources()) {
    if (r.api_version() != group_version) continue;
    OrderedJson item;
    item["name"] = r.plural;
    item["singularName"] = r.plural.substr(0, r.plural.size() - 1);
    item["namespaced"] = r.plural != "nodes";
    item["kind"] = r.kind;
    item["verbs"] = {"create", "delete", "deletecollection", "get",
                     "list",   "patch",  "update",           "watch"};
    body["resources"].push_back(item);
  }
  return body;
}

}  // namespace

namespace {

// A lock taken in arrival order: raft appends proposals to its log in the order they come, so
// a write never waits behind writes that came after it. (A std::mutex lets a newcomer overtake
// a waiting thread: in a burst of 200 concurrent creates, one write waited over a second while
// later ones went first.)
class FifoLog {
 public:
  class Turn {
   public:
    explicit Turn(FifoLog& log) : log_(log) {
      std::unique_lock lock(log_.mutex_);
      const unsigned long long ticket = log_.next_ticket_++;
      log_.turn_changed_.wait(lock, [&] { return log_.serving_ == ticket; });
    }
    ~Turn() {
      {
        std::lock_guard lock(log_.mutex_);
        ++log_.serving_;
      }
      log_.turn_changed_.notify_all();
    }
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;

   private:
    FifoLog& log_;
  };

 private:
  std::mutex mutex_;
  std::condition_variable turn_changed_;
  unsigned long long next_ticket_ = 0;
  unsigned long long serving_ = 0;
};

}  // namespace

std::string LatencyModel::describe() const {
  if (!enabled()) return "none, every request answered at once";
  char text[128];
  std::snprintf(text, sizeof text, "write fsync %g ms, serialised; read %g ms + %g ms per MiB",
                static_cast<double>(write_fsync.count()) / 1000.0,
                static_cast<double>(read.count()) / 1000.0,
                static_cast<double>(read_per_mib.count()) / 1000.0);
  return text;
}

struct TestApiServer::Impl {
  explicit Impl(LatencyModel model) : latency(model) {}
  const LatencyModel latency;
  // etcd's one raft log: a write holds it for its fsync (LatencyModel::write_fsync), in the
  // order the writes arrived.
  FifoLog write_log;
  CertificateAuthority ca{"k8sjobs-test-ca"};
  KeyAndCertificate serving =
      ca.issue_server("kube-apiserver", {"localhost", "kubernetes"}, {"127.0.0.1"});
  std::unique_ptr<CertificateAuthority> untrusted_ca;
  World world;
  std::unique_ptr<httplib::SSLServer> server;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  int port = 0;
  int listening_fd = -1;  // the listening socket (owned by the httplib server)

  mutable std::mutex mutex;  // guards everything below
  std::map<std::string, User> token_users;
  std::map<std::string, User> cert_users;                // by CN
  std::map<std::string, std::vector<PolicyRule>> roles;  // by user name: bind_role()
  std::vector<Fault> faults;
  std::vector<RecordedRequest> recorded;
  std::chrono::seconds default_watch_timeout{30};
  std::map<std::string, int> watches_started;  // by collection path
  std::set<int> connection_fds;
  std::mt19937_64 random{std::random_device{}()};
  bool pod_metrics = false;                     // serve_pod_metrics()
  std::map<std::string, long long> pod_memory;  // "ns/pod" → bytes

  bool setup_ssl(SSL_CTX& ctx);
  Reply pod_metrics_reply(const httplib::Request& req, const ResourcePath& path);
  void handle(const httplib::Request& req, httplib::Response& res);
  std::optional<User> authenticate(const httplib::Request& req, bool& rejected);
  bool take_fault(const httplib::Request& req, Fault& taken);
  std::optional<Reply> authorize(const httplib::Request& req, const User& user,
                                 const std::optional<ResourcePath>& path);
  Reply dispatch(const httplib::Request& req, const User& user,
                 const std::optional<ResourcePath>& path, httplib::Response& res, bool& streaming);
  Reply fault_reply(const Fault& fault);
  void send(const httplib::Request& req, httplib::Response& res, Reply reply);
  void record(const httplib::Request& req, const std::string& user, int status);
  void drop_connection(const httplib::Request& req);
  Reply dispatch_charged(const httplib::Request& req, const User& user,
                         const std::optional<ResourcePath>& path, httplib::Response& res,
                         bool& streaming);
};

bool TestApiServer::Impl::setup_ssl(SSL_CTX& ctx) {
  auto cert = parse_cert(serving.cert_pem);
  auto key = parse_key(serving.key_pem);
  auto ca_cert = parse_cert(ca.cert_pem());
  if (!cert || !key || !ca_cert) return false;
  if (SSL_CTX_use_certificate(&ctx, cert.get()) != 1) return false;
  if (SSL_CTX_use_PrivateKey(&ctx, key.get()) != 1) return false;
  X509_STORE_add_cert(SSL_CTX_get_cert_store(&ctx), ca_cert.get());
  SSL_CTX_add_client_CA(&ctx, ca_cert.get());
  // Like kube-apiserver: ask for a client certificate but decide in the authenticator, so a
  // token user needs none and an untrusted certificate is a 401, not a failed handshake.
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  static const unsigned char sid[] = "k8sjobs-test-apiserver";
  SSL_CTX_set_session_id_context(&ctx, sid, sizeof sid - 1);
  return true;
}

std::optional<User> TestApiServer::Impl::authenticate(const httplib::Request& req, bool& rejected) {
  rejected = false;
  SSL* ssl = const_cast<SSL*>(req.ssl);
  if (ssl != nullptr) {
    X509* peer = SSL_get1_peer_certificate(ssl);
    if (peer != nullptr) {
      X509Ptr owned(peer);
      if (SSL_get_verify_result(ssl) == X509_V_OK) {
        auto cns = name_entries(X509_get_subject_name(peer), NID_commonName);
        if (!cns.empty()) {
          User user;
          user.name = cns.front();
          user.groups = name_entries(X509_get_subject_name(peer), NID_organizationName);
          user.groups.push_back("system:authenticated");
          user.credential_id = "X509SHA256=" + certificate_sha256_hex(cert_to_pem(peer));
          std::lock_guard lock(mutex);
          auto it = cert_users.find(user.name);
          if (it != cert_users.end()) user.namespaces = it->second.namespaces;
          return user;
        }
      } else if (!req.has_header("Authorization")) {
        rejected = true;
        return std::nullopt;
      }
    }
  }
  if (req.has_header("Authorization")) {
    std::string value = req.get_header_value("Authorization");
    rejected = true;
    if (value.rfind("Bearer ", 0) != 0) return std::nullopt;
    std::string token = value.substr(7);
    std::lock_guard lock(mutex);
    auto it = token_users.find(token);
    if (it == token_users.end()) return std::nullopt;
    rejected = false;
    return it->second;
  }
  return std::nullopt;
}

bool TestApiServer::Impl::take_fault(const httplib::Request& req, Fault& taken) {
  std::lock_guard lock(mutex);
  for (auto it = faults.begin(); it != faults.end(); ++it) {
    if (!it->method.empty() && it->method != req.method) continue;
    if (!it->path_prefix.empty() && req.path.rfind(it->path_prefix, 0) != 0) continue;
    taken = *it;
    if (--it->count <= 0) faults.erase(it);
    return true;
  }
  return false;
}

void TestApiServer::Impl::record(const httplib::Request& req, const std::string& user, int status) {
  RecordedRequest r;
  r.method = req.method;
  r.path = req.path;
  size_t q = req.target.find('?');
  r.query = q == std::string::npos ? "" : req.target.substr(q + 1);
  r.user = user;
  r.content_type = req.get_header_value("Content-Type");
  r.body = req.body;
  r.authorization = req.get_header_value("Authorization");
  r.user_agent = req.get_header_value("User-Agent");
  r.status = status;
  r.tls_session_resumed = req.ssl != nullptr && SSL_session_reused(const_cast<SSL*>(req.ssl)) == 1;
  std::lock_guard lock(mutex);
  recorded.push_back(std::move(r));
}

void TestApiServer::Impl::send(const httplib::Request& req, httplib::Response& res, Reply reply) {
  std::string ua = req.get_header_value("User-Agent");
  bool pretty = ua.rfind("curl", 0) == 0 || ua.rfind("Wget", 0) == 0 ||
                ua.rfind("Mozilla/5.0", 0) == 0 || req.get_param_value("pretty") == "true";
  res.status = reply.status;
  std::string audit_id;
  {
    std::lock_guard lock(mutex);
    audit_id = uuid_like(random);
  }
  res.set_header("Audit-Id", audit_id);
  res.set_header("Cache-Control", "no-cache, private");
  for (const auto& [k, v] : reply.headers) res.set_header(k, v);
  std::string body;
  if (!reply.raw.empty()) {
    // A LIST page can be megabytes: moved, never copied.
    body = pretty ? OrderedJson::parse(reply.raw).dump(2) : std::move(reply.raw);
  } else {
    body = pretty ? reply.body.dump(2) : reply.body.dump();
  }
  body += "\n";
  res.body = std::move(body);  // set_content() would copy it
  res.set_header("Content-Type", "application/json");
}

void TestApiServer::Impl::drop_connection(const httplib::Request& req) {
  // Closing the socket under httplib: it then fails to write the response, so the client sees
  // the connection end without any HTTP response.
  if (req.ssl != nullptr) ::shutdown(SSL_get_fd(req.ssl), SHUT_RDWR);
}

namespace {

std::string verb_of(const httplib::Request& req, const ResourcePath& path) {
  if (req.method == "GET") {
    if (!path.name.empty()) return "get";
    std::string watch = req.get_param_value("watch");
    return watch == "1" || watch == "true" ? "watch" : "list";
  }
  if (req.method == "POST") return "create";
  if (req.method == "PUT") return "update";
  if (req.method == "PATCH") return "patch";
  if (req.method == "DELETE") return path.name.empty() ? "deletecollection" : "delete";
  return req.method;
}

}  // namespace

std::optional<Reply> TestApiServer::Impl::authorize(const httplib::Request& req, const User& user,
                                                    const std::optional<ResourcePath>& path) {
  if (!path) return std::nullopt;  // discovery, reviews and unknown paths: any authenticated user
  // "*" among a user's namespaces: every namespace and the cluster scope (a ClusterRole).
  const bool everywhere =
      std::find(user.namespaces.begin(), user.namespaces.end(), "*") != user.namespaces.end();
  if (everywhere || (!path->ns.empty() && std::find(user.namespaces.begin(), user.namespaces.end(),
                                                    path->ns) != user.namespaces.end())) {
    std::lock_guard lock(mutex);
    auto bound = roles.find(user.name);
    if (bound == roles.end() ||
        rules_allow(bound->second,
                    AccessRequest{verb_of(req, *path), path->type->group, path->type->plural,
                                  path->subresource, path->name})) {
      return std::nullopt;
    }
  }
  const ResourceType& type = *path->type;
  std::string resource = type.plural + (path->subresource.empty() ? "" : "/" + path->subresource);
  std::string where =
      path->ns.empty() ? "at the cluster scope" : "in the namespace \"" + path->ns + "\"";
  std::string subject = type.qualified() + (path->name.empty() ? "" : " \"" + path->name + "\"");
  OrderedJson details;
  if (!path->name.empty()) details["name"] = path->name;
  details["group"] = type.group;
  details["kind"] = type.plural;
  if (type.group.empty()) details.erase("group");
  return status_reply(403, "Forbidden",
                      subject + " is forbidden: User \"" + user.name + "\" cannot " +
                          verb_of(req, *path) + " resource \"" + resource + "\" in API group \"" +
                          type.group + "\" " + where,
                      details);
}

Reply TestApiServer::Impl::fault_reply(const Fault& fault) {
  OrderedJson retry = nullptr;
  if (fault.retry_after_seconds > 0) {
    retry = OrderedJson::object();
    retry["retryAfterSeconds"] = fault.retry_after_seconds;
  }
  Reply reply;
  switch (fault.kind) {
    case FaultKind::TooManyRequests:
      reply =
          status_reply(429, "TooManyRequests", "Too many requests, please try again later.", retry);
      break;
    case FaultKind::ServiceUnavailable:
      reply = status_reply(503, "ServiceUnavailable",
                           "the server is currently unable to handle the request", retry);
      break;
    default: {
      OrderedJson details;
      details["causes"] = OrderedJson::array({OrderedJson{{"message", "injected fault"}}});
      reply =
          status_reply(500, "InternalError", "Internal error occurred: injected fault", details);
      break;
    }
  }
  if (fault.retry_after_seconds > 0 && fault.kind != FaultKind::InternalError) {
    reply.headers.push_back({"Retry-After", std::to_string(fault.retry_after_seconds)});
  }
  return reply;
}

void TestApiServer::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  if (req.ssl != nullptr) {
    std::lock_guard lock(mutex);
    connection_fds.insert(SSL_get_fd(req.ssl));
  }
  bool rejected = false;
  std::optional<User> user = authenticate(req, rejected);
  if (!user && (rejected || req.path != "/version")) {
    Reply reply = status_reply(401, "Unauthorized", "Unauthorized");
    send(req, res, reply);
    record(req, "", reply.status);
    return;
  }
  const User who = user.value_or(User{"system:anonymous", {"system:unauthenticated"}, {}, ""});
  const std::optional<ResourcePath> path = parse_resource_path(req.path);
  if (auto refused = authorize(req, who, path)) {
    send(req, res, *refused);
    record(req, who.name, refused->status);
    return;
  }
  Fault fault{};
  bool faulty = take_fault(req, fault);
  if (faulty && fault.kind == FaultKind::Slow) {
    world.interruptible_sleep(fault.delay);
    faulty = false;
  }
  const bool after_write =
      faulty && fault.apply_then_fail && is_write(req.method) &&
      (fault.kind == FaultKind::InternalError || fault.kind == FaultKind::DropConnection);
  if (faulty && !after_write) {
    if (fault.kind == FaultKind::DropConnection) {
      drop_connection(req);
      record(req, who.name, 0);
      return;
    }
    Reply reply = fault_reply(fault);
    send(req, res, reply);
    record(req, who.name, reply.status);
    return;
  }
  bool streaming = false;
  Reply reply = dispatch_charged(req, who, path, res, streaming);
  if (after_write) {
    if (fault.kind == FaultKind::DropConnection) {
      drop_connection(req);
      record(req, who.name, 0);
      return;
    }
    reply = fault_reply(fault);
  }
  if (streaming) {
    record(req, who.name, 200);
    return;
  }
  const int status = reply.status;
  send(req, res, std::move(reply));
  record(req, who.name, status);
}

namespace {

struct WatchState {
  WatchCursor cursor;
  std::vector<std::string> pending;
  bool finished = false;
  std::chrono::steady_clock::time_point deadline;
  std::chrono::steady_clock::time_point last_bookmark;
};

constexpr std::chrono::milliseconds kBookmarkInterval{1000};

}  // namespace

Reply TestApiServer::Impl::dispatch_charged(const httplib::Request& req, const User& user,
                                            const std::optional<ResourcePath>& path,
                                            httplib::Response& res, bool& streaming) {
  // Only requests on stored resources reach etcd or the watch cache; discovery and reviews do
  // not, and a watch is charged nothing per event.
  if (!path || !latency.enabled()) return dispatch(req, user, path, res, streaming);
  if (is_write(req.method)) {
    if (latency.write_fsync.count() == 0) return dispatch(req, user, path, res, streaming);
    FifoLog::Turn turn(write_log);
    std::this_thread::sleep_for(latency.write_fsync);
    return dispatch(req, user, path, res, streaming);
  }
  std::string watch = req.get_param_value("watch");
  if (req.method != "GET" || watch == "1" || watch == "true") {
    return dispatch(req, user, path, res, streaming);
  }
  std::this_thread::sleep_for(latency.read);
  Reply reply = dispatch(req, user, path, res, streaming);
  if (latency.read_per_mib.count() > 0 && !streaming) {
    // Encoding the body comes before its first byte (LatencyModel::read_per_mib).
    const double bytes =
        static_cast<double>(reply.raw.empty() ? reply.body.dump().size() : reply.raw.size());
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<long long>(
        static_cast<double>(latency.read_per_mib.count()) * bytes / (1024.0 * 1024.0))));
  }
  return reply;
}

// metrics-server's PodMetrics (metrics.k8s.io/v1beta1), made from the pods when asked: what
// metrics-server v0.7 answers, read-only, no watch.
Reply TestApiServer::Impl::pod_metrics_reply(const httplib::Request& req,
                                             const ResourcePath& path) {
  std::map<std::string, long long> memory;
  {
    std::lock_guard lock(mutex);
    if (!pod_metrics) {
      return status_reply(404, "NotFound", "the server could not find the requested resource",
                          OrderedJson::object());
    }
    memory = pod_memory;
  }
  const std::string watch = req.get_param_value("watch");
  if (req.method != "GET" || watch == "1" || watch == "true" || !path.subresource.empty()) {
    return status_reply(405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource",
                        OrderedJson::object());
  }
  std::string error;
  auto selector = LabelSelector::parse(req.get_param_value("labelSelector"), error);
  if (!selector) return status_reply(400, "BadRequest", error, OrderedJson::object());
  auto text = [](const nlohmann::json& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>()
                                                           : std::string();
  };
  OrderedJson items = OrderedJson::array();
  for (const auto& pod : world.list_objects(*find_resource("", "v1", "pods"), path.ns)) {
    const nlohmann::json meta = pod.value("metadata", nlohmann::json::object());
    const std::string name = text(meta, "name");
    auto used = memory.find(text(meta, "namespace") + "/" + name);
    if (used == memory.end()) continue;
    if (text(pod.value("status", nlohmann::json::object()), "phase") != "Running") continue;
    if (!path.name.empty() && name != path.name) continue;
    std::map<std::string, std::string> labels;
    const nlohmann::json pod_labels = meta.value("labels", nlohmann::json::object());
    for (const auto& [k, v] : pod_labels.items())
      if (v.is_string()) labels[k] = v.get<std::string>();
    if (!selector->matches(labels)) continue;
    OrderedJson item;
    item["kind"] = "PodMetrics";
    item["apiVersion"] = "metrics.k8s.io/v1beta1";
    item["metadata"] = {{"name", name},
                        {"namespace", text(meta, "namespace")},
                        {"creationTimestamp", now_rfc3339()},
                        {"labels", labels}};
    item["timestamp"] = now_rfc3339();
    item["window"] = "15.012s";
    item["containers"] = OrderedJson::array();
    bool first = true;
    const nlohmann::json containers =
        pod.value("spec", nlohmann::json::object()).value("containers", nlohmann::json::array());
    for (const auto& container : containers) {
      OrderedJson usage = {{"cpu", "1234567n"},
                           {"memory", std::to_string((first ? used->second : 0) / 1024) + "Ki"}};
      item["containers"].push_back({{"name", text(container, "name")}, {"usage", usage}});
      first = false;
    }
    items.push_back(item);
  }
  if (!path.name.empty()) {
    if (items.empty()) {
      return status_reply(
          404, "NotFound", "podmetrics.metrics.k8s.io \"" + path.name + "\" not found",
          OrderedJson{{"name", path.name}, {"group", "metrics.k8s.io"}, {"kind", "pods"}});
    }
    return Reply{200, items[0], {}, {}};
  }
  OrderedJson body;
  body["kind"] = "PodMetricsList";
  body["apiVersion"] = "metrics.k8s.io/v1beta1";
  body["metadata"] = OrderedJson::object();
  body["items"] = items;
  return Reply{200, body, {}, {}};
}

Reply TestApiServer::Impl::dispatch(const httplib::Request& req, const User& user,
                                    const std::optional<ResourcePath>& path, httplib::Response& res,
                                    bool& streaming) {
  const std::string& m = req.method;
  if (!path) {
    if (m == "GET" && req.path == "/version")
      return Reply{200, OrderedJson::parse(kVersion), {}, {}};
    if (m == "GET" && req.path == "/api") {
      OrderedJson body;
      body["kind"] = "APIVersions";
      body["versions"] = {"v1"};
      body["serverAddressByClientCIDRs"] = OrderedJson::array({OrderedJson{
          {"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1:" + std::to_string(port)}}});
      return Reply{200, body, {}, {}};
    }
    if (m == "GET" && req.path == "/apis") {
      OrderedJson body;
      body["kind"] = "APIGroupList";
      body["apiVersion"] = "v1";
      body["groups"] = OrderedJson::array();
      for (const char* group : {"apps", "batch", "coordination.k8s.io", "authentication.k8s.io"}) {
        OrderedJson version;
        version["groupVersion"] = std::string(group) + "/v1";
        version["version"] = "v1";
        OrderedJson g;
        g["name"] = group;
        g["versions"] = OrderedJson::array({version});
        g["preferredVersion"] = version;
        body["groups"].push_back(g);
      }
      return Reply{200, body, {}, {}};
    }
    if (m == "GET" && req.path == "/apis/batch/v1") {
      return Reply{200, OrderedJson::parse(kBatchV1Discovery), {}, {}};
    }
    if (m == "GET" && (req.path == "/api/v1" || req.path == "/apis/apps/v1" ||
                       req.path == "/apis/coordination.k8s.io/v1")) {
      std::string gv = req.path == "/api/v1" ? "v1" : req.path.substr(6);
      return Reply{200, resource_list(gv), {}, {}};
    }
    if (m == "POST" && req.path == "/apis/authentication.k8s.io/v1/selfsubjectreviews") {
      OrderedJson body;
      body["kind"] = "SelfSubjectReview";
      body["apiVersion"] = "authentication.k8s.io/v1";
      body["metadata"] = {{"creationTimestamp", now_rfc3339()}};
      OrderedJson info;
      info["username"] = user.name;
      info["groups"] = user.groups;
      if (!user.credential_id.empty()) {
        info["extra"] = {{"authentication.kubernetes.io/credential-id",
                          OrderedJson::array({user.credential_id})}};
      }
      body["status"] = {{"userInfo", info}};
      return Reply{201, body, {}, {}};
    }
    return status_reply(404, "NotFound", "the server could not find the requested resource",
                        OrderedJson::object());
  }
  const ResourceType& type = *path->type;
  const std::string& ns = path->ns;
  const std::string& name = path->name;
  if (type.group == "metrics.k8s.io") return pod_metrics_reply(req, *path);
  if (!path->subresource.empty()) {
    if (m == "GET" && type.plural == "deployments" && path->subresource == "scale") {
      return world.get_scale(ns, name);
    }
    return status_reply(404, "NotFound", "the server could not find the requested resource",
                        OrderedJson::object());
  }
  auto method_not_allowed = [&]() {
    return status_reply(405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource",
                        OrderedJson::object());
  };
  if (m == "GET" && name.empty()) {
    ListQuery query;
    query.label_selector = req.get_param_value("labelSelector");
    query.field_selector = req.get_param_value("fieldSelector");
    query.limit = std::atoll(req.get_param_value("limit").c_str());
    query.continue_token = req.get_param_value("continue");
    query.resource_version = req.get_param_value("resourceVersion");
    query.resource_version_match = req.get_param_value("resourceVersionMatch");
    std::string watch = req.get_param_value("watch");
    if (watch != "1" && watch != "true") return world.list(type, ns, query);
    auto state = std::make_shared<WatchState>();
    std::string bookmarks = req.get_param_value("allowWatchBookmarks");
    Reply started = world.start_watch(type, ns, query, bookmarks == "true" || bookmarks == "1",
                                      state->cursor, state->pending, state->finished);
    if (started.status != 200) return started;
    std::chrono::seconds timeout;
    {
      std::lock_guard lock(mutex);
      timeout = default_watch_timeout;
      if (!state->finished) ++watches_started[req.path];
    }
    if (req.has_param("timeoutSeconds")) {
      timeout = std::chrono::seconds(std::atoll(req.get_param_value("timeoutSeconds").c_str()));
    }
    state->deadline = std::chrono::steady_clock::now() + timeout;
    state->last_bookmark = std::chrono::steady_clock::now();
    World* w = &world;
    res.status = 200;
    res.set_header("Cache-Control", "no-cache, private");
    res.set_chunked_content_provider(
        "application/json", [state, w](size_t, httplib::DataSink& sink) {
          auto write_all = [&](std::vector<std::string>& lines) {
            for (const auto& line : lines) {
              if (!sink.write(line.data(), line.size())) return false;
            }
            lines.clear();
            return true;
          };
          if (!state->pending.empty()) return write_all(state->pending);
          auto now = std::chrono::steady_clock::now();
          if (state->finished || w->stopped() || now >= state->deadline) {
            sink.done();
            return true;
          }
          auto until = std::min(state->deadline, now + kBookmarkInterval);
          w->next_events(state->cursor, state->pending, until);
          if (state->pending.empty() && state->cursor.bookmarks &&
              std::chrono::steady_clock::now() - state->last_bookmark >= kBookmarkInterval) {
            state->pending.push_back(w->bookmark_line(state->cursor));
            state->last_bookmark = std::chrono::steady_clock::now();
          }
          return write_all(state->pending);
        });
    streaming = true;
    return Reply{200, nullptr, {}, {}};
  }
  if (m == "GET") return world.get(type, ns, name);
  // The writer recorded in managedFields, as kube-apiserver names it.
  const std::string manager =
      manager_for_request(req.get_param_value("fieldManager"), req.get_header_value("User-Agent"));
  if (m == "POST") {
    if (!name.empty()) return method_not_allowed();
    return world.create(type, ns, req.body, true, manager);
  }
  if (m == "PUT") {
    if (name.empty()) return method_not_allowed();
    return world.replace(type, ns, name, req.body, manager);
  }
  if (m == "PATCH") {
    if (name.empty()) return method_not_allowed();
    return world.patch(type, ns, name, req.get_header_value("Content-Type"), req.body, manager);
  }
  if (m == "DELETE") {
    if (name.empty()) return method_not_allowed();
    DeleteRequest request;
    if (!req.body.empty()) {
      json options = json::parse(req.body, nullptr, false);
      if (options.is_discarded() || !options.is_object()) {
        return status_reply(400, "BadRequest",
                            "the body of the request was in an unknown format - accepted media "
                            "types include: application/json, application/yaml, "
                            "application/vnd.kubernetes.protobuf");
      }
      if (options.contains("propagationPolicy") && options["propagationPolicy"].is_string()) {
        request.propagation_policy = options["propagationPolicy"].get<std::string>();
      }
      if (options.contains("orphanDependents") && options["orphanDependents"].is_boolean()) {
        request.propagation_policy =
            options["orphanDependents"].get<bool>() ? "Orphan" : "Background";
      }
      if (options.contains("preconditions")) request.preconditions = options["preconditions"];
    }
    if (req.has_param("propagationPolicy")) {
      request.propagation_policy = req.get_param_value("propagationPolicy");
    }
    return world.remove(type, ns, name, request);
  }
  return method_not_allowed();
}

// ----- TestApiServer -----------------------------------------------------------------------

TestApiServer::TestApiServer(LatencyModel latency) : impl_(std::make_unique<Impl>(latency)) {
  Impl* impl = impl_.get();
  impl->server =
      std::make_unique<httplib::SSLServer>([impl](SSL_CTX& ctx) { return impl->setup_ssl(ctx); });
  if (!impl->server->is_valid()) throw std::runtime_error("test API server: TLS setup failed");
  // Every open connection holds a worker thread in httplib: allow plenty.
  impl->server->new_task_queue = [] { return new httplib::ThreadPool(64); };
  impl->server->set_keep_alive_max_count(100000);
  impl->server->set_keep_alive_timeout(5);
  // Headers and body go out in separate writes: without TCP_NODELAY, Nagle holds the body
  // until the client's delayed ACK (40 ms per request), as a real API server never does.
  impl->server->set_tcp_nodelay(true);
  auto handler = [impl](const httplib::Request& req, httplib::Response& res) {
    impl->handle(req, res);
  };
  impl->server->Get(".*", handler);
  impl->server->Post(".*", handler);
  impl->server->Put(".*", handler);
  impl->server->Patch(".*", handler);
  impl->server->Delete(".*", handler);
  // The listening socket, to give it kube-apiserver's accept queue below.
  int listening = -1;
  impl->server->set_socket_options([&listening](socket_t sock) {
    httplib::default_socket_options(sock);
    listening = sock;
  });
  impl->port = impl->server->bind_to_any_port("127.0.0.1");
  if (impl->port <= 0) throw std::runtime_error("test API server: cannot bind 127.0.0.1");
  // Debian's libcpp-httplib listens with a backlog of 5: in a burst of connections (200
  // concurrent jsub) the kernel dropped the SYNs beyond it and each client waited for TCP's 1 s
  // retransmission. kube-apiserver (Go's net.Listen) takes the system's somaxconn, 4096; so
  // does this server (listen() again on a listening socket only changes its backlog).
  if (listening < 0 || ::listen(listening, 4096) != 0) {
    throw std::runtime_error("test API server: cannot set the accept queue");
  }
  impl->listening_fd = listening;
  impl->thread = std::thread([impl] {
    impl->server->listen_after_bind();
    impl->listen_returned = true;
  });
  // Listening starts at once or not at all: a server that does not start is an error, not a
  // test that hangs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!impl->server->is_running() && !impl->listen_returned &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!impl->server->is_running()) {
    impl->server->stop();
    impl->thread.join();
    throw std::runtime_error("test API server: did not start listening on 127.0.0.1");
  }
}

TestApiServer::~TestApiServer() {
  impl_->world.stop();
  impl_->server->stop();
  // Idle kept-alive connections would hold their worker threads until the keep-alive timeout:
  // shut down the ones this server accepted (local port == ours) so stopping is immediate.
  std::set<int> fds;
  {
    std::lock_guard lock(impl_->mutex);
    fds = impl_->connection_fds;
  }
  for (int fd : fds) {
    sockaddr_in local{};
    socklen_t len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) continue;
    if (local.sin_family != AF_INET || ntohs(local.sin_port) != impl_->port) continue;
    ::shutdown(fd, SHUT_RDWR);
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string TestApiServer::url() const {
  return "https://127.0.0.1:" + std::to_string(port());
}
int TestApiServer::port() const {
  return impl_->port;
}
int TestApiServer::accept_queue_limit() const {
  // For a listening socket Linux reports the accept queue's limit in tcpi_sacked.
  tcp_info info{};
  socklen_t size = sizeof info;
  if (::getsockopt(impl_->listening_fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return -1;
  return static_cast<int>(info.tcpi_sacked);
}
const std::string& TestApiServer::ca_pem() const {
  return impl_->ca.cert_pem();
}
const LatencyModel& TestApiServer::latency() const {
  return impl_->latency;
}

void TestApiServer::add_token_user(const std::string& token, const std::string& user,
                                   std::vector<std::string> namespaces) {
  std::lock_guard lock(impl_->mutex);
  impl_->token_users[token] = User{user, {"system:authenticated"}, std::move(namespaces), ""};
}

ClientCertificate TestApiServer::add_certificate_user(const std::string& common_name,
                                                      const std::string& organization,
                                                      std::vector<std::string> namespaces) {
  KeyAndCertificate issued = impl_->ca.issue_client(common_name, organization);
  std::lock_guard lock(impl_->mutex);
  impl_->cert_users[common_name] = User{common_name, {organization}, std::move(namespaces), ""};
  return {issued.cert_pem, issued.key_pem};
}

void TestApiServer::bind_role(const std::string& user, const nlohmann::json& role) {
  std::vector<PolicyRule> rules = policy_rules_of(role);
  std::lock_guard lock(impl_->mutex);
  impl_->roles[user] = std::move(rules);
}

ClientCertificate TestApiServer::untrusted_certificate(const std::string& common_name) {
  if (!impl_->untrusted_ca) {
    impl_->untrusted_ca = std::make_unique<CertificateAuthority>("untrusted-ca");
  }
  KeyAndCertificate issued = impl_->untrusted_ca->issue_client(common_name, "untrusted");
  return {issued.cert_pem, issued.key_pem};
}

namespace {

ResourcePath parse_or_throw(const std::string& path, bool want_name) {
  auto parsed = parse_resource_path(path);
  if (!parsed || parsed->name.empty() != !want_name || !parsed->subresource.empty()) {
    throw std::invalid_argument("test API server: not a " +
                                std::string(want_name ? "object" : "collection") +
                                " path: " + path);
  }
  return *parsed;
}

}  // namespace

std::optional<json> TestApiServer::get(const std::string& object_path) const {
  ResourcePath p = parse_or_throw(object_path, true);
  return impl_->world.get_object(*p.type, p.ns, p.name);
}

std::vector<json> TestApiServer::list(const std::string& collection_path) const {
  ResourcePath p = parse_or_throw(collection_path, false);
  return impl_->world.list_objects(*p.type, p.ns);
}

json TestApiServer::create(const std::string& collection_path, json object,
                           const std::string& field_manager) {
  ResourcePath p = parse_or_throw(collection_path, false);
  Reply reply = impl_->world.create_object(*p.type, p.ns, std::move(object), false, field_manager);
  if (reply.status != 201) {
    throw std::runtime_error("test API server: create refused: " +
                             reply.body.value("message", std::string()));
  }
  return json::parse(reply.raw);
}

json TestApiServer::merge_patch(const std::string& object_path, const json& patch,
                                const std::string& field_manager) {
  ResourcePath p = parse_or_throw(object_path, true);
  Reply reply = impl_->world.patch(*p.type, p.ns, p.name, "application/merge-patch+json",
                                   patch.dump(), field_manager);
  if (reply.status != 200) {
    throw std::runtime_error("test API server: patch refused: " +
                             reply.body.value("message", std::string()));
  }
  return reply.raw.empty() ? json::parse(reply.body.dump()) : json::parse(reply.raw);
}

std::vector<std::string> TestApiServer::pods_of_job(const std::string& ns,
                                                    const std::string& job) const {
  return impl_->world.pods_owned_by(ns, "Job", job);
}

std::vector<std::string> TestApiServer::pods_of_deployment(const std::string& ns,
                                                           const std::string& deployment) const {
  return impl_->world.pods_owned_by(ns, "Deployment", deployment);
}

void TestApiServer::set_pod_running(const std::string& ns, const std::string& pod,
                                    const std::string& node) {
  impl_->world.set_pod_running(ns, pod, node);
}

void TestApiServer::finish_pod(const std::string& ns, const std::string& pod, int exit_code) {
  impl_->world.finish_pod(ns, pod, exit_code, "Error");
}

void TestApiServer::kill_pod_by_signal(const std::string& ns, const std::string& pod, int signal) {
  impl_->world.finish_pod(ns, pod, 128 + signal, "Error");
}

void TestApiServer::set_pod_image_pull_backoff(const std::string& ns, const std::string& pod) {
  impl_->world.set_pod_image_pull_backoff(ns, pod);
}

void TestApiServer::set_pod_unschedulable(const std::string& ns, const std::string& pod,
                                          const std::string& message) {
  impl_->world.set_pod_unschedulable(ns, pod, message);
}

void TestApiServer::compact() {
  impl_->world.compact();
}

void TestApiServer::inject(Fault fault) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(std::move(fault));
}

void TestApiServer::serve_pod_metrics() {
  std::lock_guard lock(impl_->mutex);
  impl_->pod_metrics = true;
}

void TestApiServer::set_pod_memory_usage(const std::string& ns, const std::string& pod,
                                         long long bytes) {
  std::lock_guard lock(impl_->mutex);
  impl_->pod_metrics = true;
  impl_->pod_memory[ns + "/" + pod] = bytes;
}

void TestApiServer::set_quota(const std::string& ns, const std::string& resource, int hard) {
  impl_->world.set_quota(ns, resource, hard);
}

std::vector<RecordedRequest> TestApiServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->recorded;
}

void TestApiServer::clear_requests() {
  std::lock_guard lock(impl_->mutex);
  impl_->recorded.clear();
}

std::string TestApiServer::resource_version() const {
  return std::to_string(impl_->world.resource_version());
}

void TestApiServer::set_default_watch_timeout(std::chrono::seconds timeout) {
  std::lock_guard lock(impl_->mutex);
  impl_->default_watch_timeout = timeout;
}

int TestApiServer::watches_started(const std::string& collection_path) const {
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->watches_started.find(collection_path);
  return found == impl_->watches_started.end() ? 0 : found->second;
}

}  // namespace k8sjobs::testing
