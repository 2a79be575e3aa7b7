// The Kubernetes client against the test API server over real HTTPS: every auth path, error
// mapping, retries under injected faults, pagination, watch, propagation and redaction.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <sstream>
#include <thread>

#include "apiserver/apiserver_test_helpers.h"
#include "apiserver/test_apiserver.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/kube/connection_resolver.h"
#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/curl_transport.h"
#include "k8sjobs/log.h"
#include "support/temp_dir.h"
#include "support/test_client.h"
#include "support/tool_alice.h"
#include "support/wait.h"

namespace k8sjobs::kube {
namespace {

using testing::Fault;
using testing::FaultKind;
using testing::TempDir;
using testing::TestApiServer;

json config_map(const std::string& name) {
  return json{{"metadata", {{"name", name}, {"labels", {{"app", "k"}}}}}, {"data", {{"k", "v"}}}};
}

struct ClientOverTls : ::testing::Test {
  ClientOverTls() {
    server.add_token_user(testing::kAliceToken, "tools.alice", {testing::kAliceNamespace});
    bob = server.add_certificate_user("tools.bob", "toolforge", {"tool-bob"});
  }

  ConnectionConfig alice_connection() const {
    return testing::token_connection(server, testing::kAliceToken, testing::kAliceNamespace);
  }

  std::unique_ptr<KubeClient> client_for(const ConnectionConfig& config,
                                         RetryPolicy policy = testing::fast_retry_policy()) {
    return testing::client_over(config, clock, environment, policy);
  }

  size_t count_requests(const std::string& method, const std::string& path) const {
    size_t count = 0;
    for (const auto& request : server.requests())
      count += request.method == method && request.path == path;
    return count;
  }

  TestApiServer server;
  testing::ClientCertificate bob;
  sys::SystemClock clock;
  sys::Environment environment;
};

TEST_F(ClientOverTls, BearerTokenCreatesAndReadsBack) {
  auto client = client_for(alice_connection());
  auto created =
      client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("one"));
  ASSERT_TRUE(created) << created.error().describe();
  EXPECT_FALSE((*created)["metadata"].value("uid", "").empty());
  auto fetched = client->get(resources::kConfigMaps, testing::kAliceNamespace, "one");
  ASSERT_TRUE(fetched);
  EXPECT_EQ((*fetched)["data"]["k"], "v");
  EXPECT_EQ(server.requests().back().user, "tools.alice");
}

TEST_F(ClientOverTls, ServerCertificateIsVerified) {
  auto config = alice_connection();
  config.certificate_authority_pem.reset();  // the system CAs do not know the test CA
  auto result = client_for(config)->get(resources::kConfigMaps, testing::kAliceNamespace, "x");
  ASSERT_FALSE(result);
  ASSERT_NE(result.error().transport(), nullptr);
  EXPECT_EQ(result.error().transport()->failure, TransportFailure::Tls);

  config.insecure_skip_tls_verify = true;  // honoured only when set explicitly
  auto insecure = client_for(config)->get(resources::kConfigMaps, testing::kAliceNamespace, "x");
  ASSERT_FALSE(insecure);
  EXPECT_TRUE(insecure.error().is(StatusReason::NotFound));
}

TEST_F(ClientOverTls, TlsServerNameIsCheckedAgainstTheCertificate) {
  auto config = alice_connection();
  config.tls_server_name = "localhost";  // in the server certificate's SANs
  EXPECT_TRUE(client_for(config)->list(resources::kConfigMaps, testing::kAliceNamespace, {}));
  config.tls_server_name = "not-the-server.example";
  auto wrong = client_for(config)->list(resources::kConfigMaps, testing::kAliceNamespace, {});
  ASSERT_FALSE(wrong);
  ASSERT_NE(wrong.error().transport(), nullptr);
  EXPECT_EQ(wrong.error().transport()->failure, TransportFailure::Tls);
}

TEST_F(ClientOverTls, ClientCertificateFromKubeconfigFilesRelativeToTheFile) {
  TempDir dir;
  dir.write("certs/bob.crt", bob.cert_pem);
  dir.write("certs/bob.key", bob.key_pem);
  dir.write("certs/ca.crt", server.ca_pem());
  auto kubeconfig =
      dir.write("kube/config",
                "apiVersion: v1\nkind: Config\ncurrent-context: bob\n"
                "clusters:\n- name: test\n  cluster:\n    server: " +
                    server.url() +
                    "\n    certificate-authority: ../certs/ca.crt\n"
                    "users:\n- name: bob\n  user:\n    client-certificate: ../certs/bob.crt\n"
                    "    client-key: ../certs/bob.key\n"
                    "contexts:\n- name: bob\n  context:\n    cluster: test\n    user: bob\n"
                    "    namespace: tool-bob\n");
  ConnectionRequest request;
  request.kubeconfig = kubeconfig;
  auto connection = resolve_connection(request, environment);
  ASSERT_TRUE(connection) << connection.error().describe();
  EXPECT_EQ(connection->namespace_name, "tool-bob");
  auto client = client_for(*connection);
  ASSERT_TRUE(client->create(resources::kConfigMaps, "tool-bob", config_map("bobs")));
  EXPECT_EQ(server.requests().back().user, "tools.bob");
  auto forbidden = client->list(resources::kConfigMaps, testing::kAliceNamespace, {});
  ASSERT_FALSE(forbidden);
  EXPECT_TRUE(forbidden.error().is(StatusReason::Forbidden));
  EXPECT_EQ(forbidden.error().describe(),
            "configmaps is forbidden: User \"tools.bob\" cannot list resource \"configmaps\" in "
            "API group \"\" in "
            "the namespace \"tool-alice\"");
}

TEST_F(ClientOverTls, UntrustedClientCertificateIsUnauthorized) {
  auto stranger = server.untrusted_certificate("tools.mallory");
  ConnectionConfig config = alice_connection();
  config.auth.token.reset();
  config.auth.client_certificate_pem = stranger.cert_pem;
  config.auth.client_key_pem = stranger.key_pem;
  auto result = client_for(config)->list(resources::kConfigMaps, testing::kAliceNamespace, {});
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().is(StatusReason::Unauthorized));
}

TEST_F(ClientOverTls, TokenFileIsReadAgainAfterItChanges) {
  TempDir dir;
  auto token_file = dir.write("token", "stale-token\n");
  server.add_token_user("rotated-token", "tools.alice", {testing::kAliceNamespace});
  auto config = alice_connection();
  config.auth.token.reset();
  config.auth.token_file = token_file.string();
  auto client = client_for(config);
  auto before = client->list(resources::kConfigMaps, testing::kAliceNamespace, {});
  ASSERT_FALSE(before);
  EXPECT_TRUE(before.error().is(StatusReason::Unauthorized));
  dir.write("token", "rotated-token\n");
  auto after = client->list(resources::kConfigMaps, testing::kAliceNamespace, {});
  EXPECT_TRUE(after) << after.error().describe();
}

TEST_F(ClientOverTls, ExecPluginTokenIsUsedAndCached) {
  TempDir dir;
  auto counter = dir.path() / "runs";
  auto plugin = dir.write(
      "plugin.sh",
      "#!/bin/sh\necho run >> '" + counter.string() +
          "'\necho "
          "'{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
          "\"status\":{\"token\":\"" +
          std::string(testing::kAliceToken) + "\"}}'\n",
      std::filesystem::perms::owner_all);
  auto config = alice_connection();
  config.auth.token.reset();
  ExecPluginConfig exec;
  exec.command = plugin.string();
  exec.api_version = "client.authentication.k8s.io/v1";
  exec.interactive_mode = "Never";
  config.auth.exec = exec;
  auto client = client_for(config);
  ASSERT_TRUE(client->list(resources::kConfigMaps, testing::kAliceNamespace, {}));
  ASSERT_TRUE(client->list(resources::kConfigMaps, testing::kAliceNamespace, {}));
  EXPECT_EQ(testing::read_file(counter), "run\n");
}

TEST_F(ClientOverTls, StatusErrorsAreTyped) {
  auto client = client_for(alice_connection());
  auto missing = client->get(resources::kJobs, testing::kAliceNamespace, "nope");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().is(StatusReason::NotFound));
  EXPECT_EQ(missing.error().describe(), "jobs.batch \"nope\" not found");

  ASSERT_TRUE(client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("dup")));
  auto duplicate =
      client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("dup"));
  ASSERT_FALSE(duplicate);
  EXPECT_TRUE(duplicate.error().is(StatusReason::AlreadyExists));

  auto invalid =
      client->create(resources::kJobs, testing::kAliceNamespace,
                     json{{"metadata", {{"name", "Bad_Name"}}}, {"spec", json::object()}});
  ASSERT_FALSE(invalid);
  ASSERT_TRUE(invalid.error().is(StatusReason::Invalid));
  EXPECT_FALSE(invalid.error().status()->causes.empty());
  EXPECT_EQ(invalid.error().status()->causes[0].field, "metadata.name");

  auto stale =
      client->patch(resources::kConfigMaps, testing::kAliceNamespace, "dup", PatchType::Merge,
                    json{{"metadata", {{"resourceVersion", "1"}}}, {"data", {{"k", "w"}}}});
  ASSERT_FALSE(stale);
  EXPECT_TRUE(stale.error().is(StatusReason::Conflict));
}

TEST_F(ClientOverTls, ConnectionRefusedIsATransportError) {
  auto config = alice_connection();
  config.server = "https://127.0.0.1:1";
  RetryPolicy once;
  once.max_attempts = 1;
  auto result = client_for(config, once)->get(resources::kJobs, testing::kAliceNamespace, "x");
  ASSERT_FALSE(result);
  ASSERT_NE(result.error().transport(), nullptr);
  EXPECT_EQ(result.error().transport()->failure, TransportFailure::ConnectionRefused);
  EXPECT_FALSE(result.error().transport()->request_may_have_been_processed);
}

TEST_F(ClientOverTls, RetriesThrottlingHonouringRetryAfterWithoutDuplicates) {
  auto client = client_for(alice_connection());
  Fault throttle;
  throttle.kind = FaultKind::TooManyRequests;
  throttle.count = 2;
  throttle.retry_after_seconds = 1;
  throttle.method = "POST";
  server.inject(throttle);
  auto started = std::chrono::steady_clock::now();
  auto created =
      client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("throttled"));
  ASSERT_TRUE(created) << created.error().describe();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_EQ(count_requests("POST", "/api/v1/namespaces/tool-alice/configmaps"), 3u);
  EXPECT_EQ(server.list("/api/v1/namespaces/tool-alice/configmaps").size(), 1u);
  EXPECT_EQ(client->stats().retries, 2);
}

TEST_F(ClientOverTls, ACreateAppliedBeforeItsAnswerWasLostIsNotDuplicated) {
  auto client = client_for(alice_connection());
  for (auto kind : {FaultKind::InternalError, FaultKind::DropConnection}) {
    Fault lost;
    lost.kind = kind;
    lost.method = "POST";
    lost.apply_then_fail = true;
    server.inject(lost);
    std::string name = kind == FaultKind::InternalError ? "after-500" : "after-drop";
    auto created =
        client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map(name));
    ASSERT_TRUE(created) << name << ": " << created.error().describe();
    EXPECT_EQ((*created)["metadata"]["name"], name);
  }
  EXPECT_EQ(server.list("/api/v1/namespaces/tool-alice/configmaps").size(), 2u);
}

TEST_F(ClientOverTls, GenerateNameCreateIsNotRepeatedAfterALostAnswer) {
  auto client = client_for(alice_connection());
  Fault lost;
  lost.kind = FaultKind::InternalError;
  lost.method = "POST";
  lost.apply_then_fail = true;
  server.inject(lost);
  auto created =
      client->create(resources::kConfigMaps, testing::kAliceNamespace,
                     json{{"metadata", {{"generateName", "gen-"}}}, {"data", {{"k", "v"}}}});
  ASSERT_FALSE(created);
  EXPECT_TRUE(created.error().is(StatusReason::InternalError));
  EXPECT_EQ(server.list("/api/v1/namespaces/tool-alice/configmaps").size(),
            1u);  // exactly the one applied
}

TEST_F(ClientOverTls, ReadsRetryServerErrorsAndGiveUpAtTheAttemptLimit) {
  auto client = client_for(alice_connection());
  Fault unavailable;
  unavailable.kind = FaultKind::ServiceUnavailable;
  unavailable.count = 2;
  unavailable.method = "GET";
  server.inject(unavailable);
  EXPECT_TRUE(client->list(resources::kConfigMaps, testing::kAliceNamespace, {}));
  unavailable.count = 10;
  server.inject(unavailable);
  auto failed = client->list(resources::kConfigMaps, testing::kAliceNamespace, {});
  ASSERT_FALSE(failed);
  EXPECT_TRUE(failed.error().is(StatusReason::ServiceUnavailable));
}

TEST_F(ClientOverTls, PaginationFollowsContinueAndSurvivesAnExpiredToken) {
  auto client = client_for(alice_connection());
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(client->create(resources::kConfigMaps, testing::kAliceNamespace,
                               config_map("cm-" + std::to_string(i))));
  ListOptions page;
  page.limit = 3;
  auto first = client->list(resources::kConfigMaps, testing::kAliceNamespace, page);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->items.size(), 3u);
  ASSERT_FALSE(first->continue_token.empty());
  EXPECT_EQ(first->remaining_item_count, 4);

  ASSERT_TRUE(
      client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("later")));
  server.compact();  // the snapshot behind the token is gone
  page.continue_token = first->continue_token;
  auto expired = client->list(resources::kConfigMaps, testing::kAliceNamespace, page);
  ASSERT_FALSE(expired);
  EXPECT_TRUE(expired.error().is(StatusReason::Gone));

  ListOptions all;
  all.limit = 2;
  all.label_selector = "app=k";
  auto everything = client->list_all(resources::kConfigMaps, testing::kAliceNamespace, all);
  ASSERT_TRUE(everything) << everything.error().describe();
  EXPECT_EQ(everything->items.size(), 8u);
  EXPECT_GE(count_requests("GET", "/api/v1/namespaces/tool-alice/configmaps"), 4u);
}

TEST_F(ClientOverTls, WatchDeliversEventsAndReconnectsAfterTheServerClosesTheStream) {
  server.set_default_watch_timeout(std::chrono::seconds(1));
  auto client = client_for(alice_connection());
  ASSERT_TRUE(
      client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("before")));
  // One change per watch stream: each is made once the server has started the (i+1)-th stream
  // (the first, then each one the client opens after the server ended the one before), so
  // the later ones reach the client only if it reconnects from where it was.
  const std::string configmaps = "/api/v1/namespaces/" + testing::kAliceNamespace + "/configmaps";
  std::thread writer([&] {
    auto other = client_for(alice_connection());
    for (int i = 0; i < 3; ++i) {
      auto streaming = testing::wait_until(
          [&] { return server.watches_started(configmaps) > i; }, testing::kEventDeadline,
          "watch stream " + std::to_string(i + 1) + " on configmaps");
      if (!streaming) {
        ADD_FAILURE() << streaming.message();
        return;
      }
      auto created = other->create(resources::kConfigMaps, testing::kAliceNamespace,
                                   config_map("during-" + std::to_string(i)));
      EXPECT_TRUE(created) << created.error().describe();
    }
  });
  std::vector<std::string> seen;
  WatchOptions options;
  options.server_timeout = std::chrono::seconds(1);
  options.deadline = std::chrono::seconds(15);
  auto done = client->watch(
      resources::kConfigMaps, testing::kAliceNamespace, options, [&](const WatchEvent& event) {
        seen.push_back(event.type + ":" + event.object["metadata"].value("name", ""));
        return seen.size() == 4 ? WatchControl::Stop : WatchControl::Continue;
      });
  writer.join();
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(seen, (std::vector<std::string>{"SYNC:before", "ADDED:during-0", "ADDED:during-1",
                                            "ADDED:during-2"}));
  EXPECT_GE(client->stats().watch_reconnects, 1);
}

TEST_F(ClientOverTls, WatchFromACompactedVersionRelists) {
  auto client = client_for(alice_connection());
  ASSERT_TRUE(client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("old")));
  std::string old_version = server.resource_version();
  ASSERT_TRUE(client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("new")));
  server.compact();
  std::vector<std::string> seen;
  WatchOptions options;
  options.resource_version = old_version;
  options.deadline = std::chrono::seconds(10);
  auto done = client->watch(
      resources::kConfigMaps, testing::kAliceNamespace, options, [&](const WatchEvent& event) {
        seen.push_back(event.type + ":" + event.object["metadata"].value("name", ""));
        return seen.size() == 2 ? WatchControl::Stop : WatchControl::Continue;
      });
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(seen, (std::vector<std::string>{"SYNC:new", "SYNC:old"}));
  EXPECT_EQ(client->stats().relists, 1);
}

// The list a watch starts with reaches the handler page by page (limit=kRelistPageLimit) and
// without managedFields: the first objects arrive before the later pages are fetched, so a
// watcher of many large objects never holds them all at once, nor the half of each it never
// reads.
TEST_F(ClientOverTls, AWatchsListIsHandedOverPageByPage) {
  const std::string configmaps = "/api/v1/namespaces/" + testing::kAliceNamespace + "/configmaps";
  for (int i = 0; i < 1203; ++i) server.create(configmaps, config_map("cm-" + std::to_string(i)));
  auto client = client_for(alice_connection());
  server.clear_requests();
  auto list_requests = [&] {
    std::size_t count = 0;
    for (const auto& request : server.requests())
      if (request.method == "GET" && request.path == configmaps &&
          request.query.find("watch=") == std::string::npos)
        ++count;
    return count;
  };
  std::size_t synced = 0;
  std::size_t lists_at_first_object = 0;
  WatchOptions options;
  options.deadline = std::chrono::seconds(15);
  auto done = client->watch(resources::kConfigMaps, testing::kAliceNamespace, options,
                            [&](const WatchEvent& event) {
                              EXPECT_EQ(event.type, "SYNC");
                              const auto& metadata = event.object.at("metadata");
                              EXPECT_TRUE(metadata.contains("name"));
                              EXPECT_TRUE(metadata.contains("uid"));
                              EXPECT_FALSE(metadata.contains("managedFields"));
                              if (synced++ == 0) lists_at_first_object = list_requests();
                              return synced == 1203 ? WatchControl::Stop : WatchControl::Continue;
                            });
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(lists_at_first_object, 1u);
  static_assert(kRelistPageLimit == 100);
  EXPECT_EQ(list_requests(), 13u);  // 1,203 objects, 100 a page
  // The server did send managedFields: the watcher's list left them out.
  auto stored = server.list(configmaps);
  ASSERT_FALSE(stored.empty());
  EXPECT_TRUE(stored.front().at("metadata").contains("managedFields"));
}

TEST_F(ClientOverTls, DeleteTakesTheJobsPodsWithIt) {
  auto client = client_for(alice_connection());
  auto job = testing::job_manifest("with-pods");
  ASSERT_TRUE(client->create(resources::kJobs, testing::kAliceNamespace, job));
  ASSERT_EQ(server.pods_of_job(testing::kAliceNamespace, "with-pods").size(), 1u);
  auto removed = client->remove(resources::kJobs, testing::kAliceNamespace, "with-pods");
  ASSERT_TRUE(removed) << removed.error().describe();
  EXPECT_EQ((*removed)["kind"], "Status");
  EXPECT_TRUE(server.pods_of_job(testing::kAliceNamespace, "with-pods").empty());
  EXPECT_EQ(server.requests().back().query, "propagationPolicy=Background");
}

TEST_F(ClientOverTls, DeletePreconditionsProtectAReplacedObject) {
  auto client = client_for(alice_connection());
  ASSERT_TRUE(
      client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("guarded")));
  DeleteOptions guarded;
  guarded.precondition_uid = "00000000-0000-0000-0000-000000000000";
  auto refused =
      client->remove(resources::kConfigMaps, testing::kAliceNamespace, "guarded", guarded);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(StatusReason::Conflict));
  EXPECT_TRUE(server.get("/api/v1/namespaces/tool-alice/configmaps/guarded"));
}

TEST_F(ClientOverTls, SecretsNeverReachTheLogOrMessages) {
  std::ostringstream log;
  auto logging = std::make_unique<LoggingScope>("test", LogLevel::Debug, &log);
  auto config = alice_connection();
  auto client = client_for(config);
  ASSERT_TRUE(
      client->create(resources::kConfigMaps, testing::kAliceNamespace, config_map("logged")));
  auto missing = client->get(resources::kConfigMaps, testing::kAliceNamespace, "missing");
  Fault throttle;
  throttle.kind = FaultKind::TooManyRequests;
  server.inject(throttle);
  ASSERT_TRUE(client->list(resources::kConfigMaps, testing::kAliceNamespace, {}));
  log_debug("a careless line with Authorization: Bearer {}", testing::kAliceToken);
  logging.reset();
  std::string text = log.str();
  EXPECT_NE(text.find("GET /api/v1/namespaces/tool-alice/configmaps"), std::string::npos) << text;
  EXPECT_EQ(text.find(testing::kAliceToken), std::string::npos) << text;
  EXPECT_EQ(missing.error().describe().find(testing::kAliceToken), std::string::npos);
  // The token went over the wire only inside TLS, as a bearer header.
  EXPECT_EQ(server.requests().front().authorization, std::string("Bearer ") + testing::kAliceToken);
}

}  // namespace
}  // namespace k8sjobs::kube
