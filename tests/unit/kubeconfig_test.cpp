#include "k8sjobs/kube/kubeconfig.h"

#include <gtest/gtest.h>

#include <string>

#include "k8sjobs/kube/connection_resolver.h"
#include "support/temp_dir.h"

namespace k8sjobs::kube {
namespace {

using k8sjobs::testing::TempDir;

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string error_of(const Result<ConnectionConfig>& result) {
  EXPECT_FALSE(result.has_value());
  if (result.has_value() || result.error().config() == nullptr) return "";
  return result.error().config()->message;
}

std::string error_of(const Result<Kubeconfig>& result) {
  EXPECT_FALSE(result.has_value());
  if (result.has_value() || result.error().config() == nullptr) return "";
  return result.error().config()->message;
}

// One cluster, one user, one context: the smallest useful kubeconfig.
std::string simple_config(const std::string& server, const std::string& extra_user = "",
                          const std::string& context_namespace = "") {
  std::string ns = context_namespace.empty() ? "" : "    namespace: " + context_namespace + "\n";
  return "apiVersion: v1\nkind: Config\n"
         "clusters:\n- name: c\n  cluster:\n    server: " +
         server +
         "\n"
         "users:\n- name: u\n  user:\n    token: static-token\n" +
         extra_user + "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n" + ns +
         "current-context: ctx\n";
}

TEST(KubeconfigTest, ReadsClusterUserAndContext) {
  TempDir dir;
  auto file = dir.write("config", R"(apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: Y2EtZnJvbS1kYXRh
    tls-server-name: api.internal
users:
- name: alice
  user:
    token: abc
    username: alice
contexts:
- name: work
  context:
    cluster: prod
    user: alice
    namespace: batch
current-context: work
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  auto connection = config->connection(std::nullopt);
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->server, "https://prod.example:6443");
  EXPECT_EQ(connection->certificate_authority_pem, "ca-from-data");
  EXPECT_EQ(connection->tls_server_name, "api.internal");
  EXPECT_FALSE(connection->insecure_skip_tls_verify);
  EXPECT_EQ(connection->auth.token, "abc");
  EXPECT_EQ(connection->auth.username, "alice");
  EXPECT_FALSE(connection->auth.token_file.has_value());
  EXPECT_FALSE(connection->auth.exec.has_value());
  EXPECT_EQ(connection->namespace_name, "batch");
  EXPECT_EQ(connection->context_name, "work");
  EXPECT_EQ(connection->source, file.string());
}

TEST(KubeconfigTest, MergesFilesFirstDefinitionWins) {
  TempDir dir;
  auto first = dir.write("one", R"(clusters:
- name: shared
  cluster:
    server: https://from-first
contexts:
- name: a
  context: {cluster: shared, user: only-in-second}
)");
  auto second = dir.write("two", R"(clusters:
- name: shared
  cluster:
    server: https://from-second
- name: second-only
  cluster:
    server: https://second-only
users:
- name: only-in-second
  user:
    token: t2
- name: shared-user
  user:
    token: from-second
contexts:
- name: a
  context: {cluster: second-only, user: shared-user}
- name: b
  context: {cluster: second-only, user: shared-user, namespace: ns-b}
current-context: b
)");
  auto third = dir.write("three", R"(users:
- name: shared-user
  user:
    token: from-third
current-context: a
)");
  auto config = load_kubeconfig({first, second, third});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->clusters.at("shared").server, "https://from-first");
  EXPECT_EQ(config->clusters.at("shared").origin, first);
  EXPECT_EQ(config->users.at("shared-user").token, "from-second");
  EXPECT_EQ(config->contexts.at("a").cluster, "shared");
  // current-context comes from the first file that sets it (the second), not the last.
  EXPECT_EQ(config->current_context, "b");
  EXPECT_EQ(config->files.size(), 3u);

  auto b = config->connection(std::nullopt);
  ASSERT_TRUE(b.has_value()) << b.error().describe();
  EXPECT_EQ(b->server, "https://second-only");
  EXPECT_EQ(b->auth.token, "from-second");
  EXPECT_EQ(b->namespace_name, "ns-b");
  EXPECT_EQ(b->source, second.string());

  // The context from the first file, pointing at a user only the second file has.
  auto a = config->connection("a");
  ASSERT_TRUE(a.has_value()) << a.error().describe();
  EXPECT_EQ(a->server, "https://from-first");
  EXPECT_EQ(a->auth.token, "t2");
  EXPECT_EQ(a->namespace_name, "default");
  EXPECT_EQ(a->context_name, "a");
}

TEST(KubeconfigTest, SkipsMissingFiles) {
  TempDir dir;
  auto file = dir.write("config", simple_config("https://x"));
  auto config = load_kubeconfig({dir.path() / "missing", file, dir.path() / "also-missing"});
  ASSERT_TRUE(config.has_value());
  ASSERT_EQ(config->files.size(), 1u);
  EXPECT_EQ(config->files[0], file);
  EXPECT_EQ(config->current_context, "ctx");
}

TEST(KubeconfigTest, ResolvesRelativePathsAgainstEachFilesDirectory) {
  TempDir dir;
  dir.write("clusters/ca.crt", "CA PEM");
  dir.write("users/certs/client.crt", "CLIENT CERT");
  dir.write("users/certs/client.key", "CLIENT KEY");
  auto cluster_file = dir.write("clusters/config", R"(clusters:
- name: c
  cluster:
    server: https://x
    certificate-authority: ca.crt
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
)");
  auto user_file = dir.write("users/config", R"(users:
- name: u
  user:
    client-certificate: certs/client.crt
    client-key: ./certs/../certs/client.key
    tokenFile: secrets/token
    exec:
      command: ./bin/plugin
      apiVersion: client.authentication.k8s.io/v1beta1
- name: bare
  user:
    exec:
      command: kubelogin
      apiVersion: client.authentication.k8s.io/v1beta1
- name: absolute
  user:
    tokenFile: /etc/token
)");
  auto config = load_kubeconfig({cluster_file, user_file});
  ASSERT_TRUE(config.has_value());
  const auto users_dir = dir.path() / "users";
  EXPECT_EQ(config->clusters.at("c").certificate_authority,
            (dir.path() / "clusters/ca.crt").string());
  EXPECT_EQ(config->users.at("u").token_file, (users_dir / "secrets/token").string());
  EXPECT_EQ(config->users.at("u").client_key, (users_dir / "certs/client.key").string());
  EXPECT_EQ(config->users.at("u").exec->command, (users_dir / "bin/plugin").string());
  EXPECT_EQ(config->users.at("bare").exec->command, "kubelogin");  // PATH lookup, untouched
  EXPECT_EQ(config->users.at("absolute").token_file, "/etc/token");

  auto connection = config->connection(std::nullopt);
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->certificate_authority_pem, "CA PEM");
  EXPECT_EQ(connection->auth.client_certificate_pem, "CLIENT CERT");
  EXPECT_EQ(connection->auth.client_key_pem, "CLIENT KEY");
  // The token file is not read here (it may not exist yet): the provider reads it.
  EXPECT_EQ(connection->auth.token_file, (users_dir / "secrets/token").string());
}

TEST(KubeconfigTest, DataFieldsAreBase64AndWinOverFiles) {
  TempDir dir;
  dir.write("ca.crt", "FROM FILE");
  auto file = dir.write("config", R"(clusters:
- name: c
  cluster:
    server: https://x
    certificate-authority: ca.crt
    certificate-authority-data: Y2EtZnJvbS1kYXRh
users:
- name: u
  user:
    client-certificate-data: |
      Q0VSVCBE
      QVRB
    client-key-data: S0VZIERBVEE=
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  auto connection = config->connection(std::nullopt);
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->certificate_authority_pem, "ca-from-data");
  EXPECT_EQ(connection->auth.client_certificate_pem, "CERT DATA");
  EXPECT_EQ(connection->auth.client_key_pem, "KEY DATA");
  EXPECT_FALSE(connection->auth.token.has_value());
}

TEST(KubeconfigTest, InsecureSkipTlsVerifyOnlyWhenSet) {
  TempDir dir;
  auto file = dir.write("config", R"(clusters:
- name: plain
  cluster: {server: "https://a"}
- name: insecure
  cluster: {server: "https://b", insecure-skip-tls-verify: true}
- name: explicit-false
  cluster: {server: "https://c", insecure-skip-tls-verify: false}
contexts:
- {name: plain, context: {cluster: plain}}
- {name: insecure, context: {cluster: insecure}}
- {name: explicit-false, context: {cluster: explicit-false}}
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  EXPECT_FALSE(config->connection("plain")->insecure_skip_tls_verify);
  EXPECT_TRUE(config->connection("insecure")->insecure_skip_tls_verify);
  EXPECT_FALSE(config->connection("explicit-false")->insecure_skip_tls_verify);
  // A context without a user is anonymous, as in kubectl.
  auto anonymous = config->connection("plain");
  ASSERT_TRUE(anonymous.has_value());
  EXPECT_FALSE(anonymous->auth.token.has_value());
  EXPECT_FALSE(anonymous->auth.client_certificate_pem.has_value());
}

TEST(KubeconfigTest, ReadsExecPluginFields) {
  TempDir dir;
  auto file = dir.write("config", R"(clusters:
- {name: c, cluster: {server: "https://x"}}
users:
- name: v1
  user:
    exec:
      command: /usr/bin/get-token
      args: [--region, eu-west, --verbose]
      env:
      - {name: AWS_PROFILE, value: prod}
      - {name: EMPTY}
      apiVersion: client.authentication.k8s.io/v1
      installHint: install get-token from your package manager
      provideClusterInfo: true
      interactiveMode: Never
- name: beta
  user:
    exec:
      command: /usr/bin/get-token
      apiVersion: client.authentication.k8s.io/v1beta1
contexts:
- {name: v1, context: {cluster: c, user: v1}}
- {name: beta, context: {cluster: c, user: beta}}
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  auto v1 = config->connection("v1");
  ASSERT_TRUE(v1.has_value()) << v1.error().describe();
  ASSERT_TRUE(v1->auth.exec.has_value());
  const ExecPluginConfig& exec = *v1->auth.exec;
  EXPECT_EQ(exec.command, "/usr/bin/get-token");
  EXPECT_EQ(exec.args, (std::vector<std::string>{"--region", "eu-west", "--verbose"}));
  ASSERT_EQ(exec.env.size(), 2u);
  EXPECT_EQ(exec.env[0], (std::pair<std::string, std::string>{"AWS_PROFILE", "prod"}));
  EXPECT_EQ(exec.env[1], (std::pair<std::string, std::string>{"EMPTY", ""}));
  EXPECT_EQ(exec.api_version, "client.authentication.k8s.io/v1");
  EXPECT_EQ(exec.install_hint, "install get-token from your package manager");
  EXPECT_TRUE(exec.provide_cluster_info);
  EXPECT_EQ(exec.interactive_mode, "Never");

  auto beta = config->connection("beta");
  ASSERT_TRUE(beta.has_value()) << beta.error().describe();
  EXPECT_FALSE(beta->auth.exec->provide_cluster_info);
  EXPECT_EQ(beta->auth.exec->interactive_mode, "IfAvailable");  // v1beta1 default
}

TEST(KubeconfigTest, ContextOverrideAndNamespaceDefault) {
  TempDir dir;
  auto file = dir.write("config", R"(clusters:
- {name: c1, cluster: {server: "https://one"}}
- {name: c2, cluster: {server: "https://two"}}
contexts:
- {name: first, context: {cluster: c1, namespace: team}}
- {name: second, context: {cluster: c2}}
current-context: first
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  auto current = config->connection(std::nullopt);
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->server, "https://one");
  EXPECT_EQ(current->namespace_name, "team");
  auto other = config->connection("second");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->server, "https://two");
  EXPECT_EQ(other->namespace_name, "default");
  EXPECT_EQ(other->context_name, "second");
}

TEST(KubeconfigErrorsTest, InvalidYamlNamesFileAndLine) {
  TempDir dir;
  auto good = dir.write("good", simple_config("https://x"));
  auto bad = dir.write("bad", "clusters:\n- name: c\n  cluster: {server: [unclosed\n");
  auto message = error_of(load_kubeconfig({good, bad}));
  EXPECT_TRUE(contains(message, "invalid kubeconfig " + bad.string() + ":"));
  EXPECT_TRUE(contains(message, bad.string() + ":3: ") || contains(message, bad.string() + ":4: "))
      << message;
}

TEST(KubeconfigErrorsTest, WrongShapeNamesFileAndLine) {
  TempDir dir;
  auto bad = dir.write("bad", "clusters:\n- name: c\n  cluster:\n    server: [a, b]\n");
  EXPECT_EQ(error_of(load_kubeconfig({bad})),
            "invalid kubeconfig " + bad.string() + ":4: \"server\" must be a string");
  auto nameless = dir.write("nameless", "users:\n- user: {token: x}\n");
  EXPECT_EQ(error_of(load_kubeconfig({nameless})),
            "invalid kubeconfig " + nameless.string() + ":2: an entry of \"users\" has no name");
}

TEST(KubeconfigErrorsTest, MissingContextClusterUserServer) {
  TempDir dir;
  auto file = dir.write("config", R"(clusters:
- {name: noserver, cluster: {}}
- {name: ok, cluster: {server: "https://x"}}
contexts:
- {name: lost-cluster, context: {cluster: gone, user: u}}
- {name: lost-user, context: {cluster: ok, user: ghost}}
- {name: no-server, context: {cluster: noserver}}
- {name: no-cluster, context: {user: u}}
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  const std::string where = "kubeconfig " + file.string();
  EXPECT_EQ(error_of(config->connection("x")), "context \"x\" not found in " + where);
  EXPECT_EQ(error_of(config->connection("lost-cluster")),
            "cluster \"gone\" of context \"lost-cluster\" not found in " + where);
  EXPECT_EQ(error_of(config->connection("lost-user")),
            "user \"ghost\" of context \"lost-user\" not found in " + where);
  EXPECT_EQ(error_of(config->connection("no-server")),
            "cluster \"noserver\" (in " + file.string() + ") has no server");
  EXPECT_EQ(error_of(config->connection("no-cluster")),
            "context \"no-cluster\" (in " + file.string() + ") names no cluster");
  EXPECT_TRUE(contains(error_of(config->connection(std::nullopt)),
                       "no current-context is set in " + where));
}

TEST(KubeconfigErrorsTest, UnreadableCertificateFileIsNamed) {
  TempDir dir;
  auto file = dir.write("config", simple_config("https://x",
                                                "    client-certificate: missing.crt\n"
                                                "    client-key: missing.key\n"));
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(error_of(config->connection(std::nullopt)),
            "cannot read client-certificate file \"" + (dir.path() / "missing.crt").string() +
                "\" for user \"u\" (from " + file.string() + "): No such file or directory");

  auto ca_file = dir.write("ca-config", R"(clusters:
- {name: c, cluster: {server: "https://x", certificate-authority: /nonexistent/ca.crt}}
contexts:
- {name: ctx, context: {cluster: c}}
current-context: ctx
)");
  auto ca_config = load_kubeconfig({ca_file});
  ASSERT_TRUE(ca_config.has_value());
  EXPECT_EQ(error_of(ca_config->connection(std::nullopt)),
            "cannot read certificate-authority file \"/nonexistent/ca.crt\" for cluster \"c\" "
            "(from " +
                ca_file.string() + "): No such file or directory");
}

TEST(KubeconfigErrorsTest, BadBase64) {
  TempDir dir;
  auto file = dir.write("config", R"(clusters:
- {name: c, cluster: {server: "https://x", certificate-authority-data: "not*base64"}}
contexts:
- {name: ctx, context: {cluster: c}}
current-context: ctx
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(
      error_of(config->connection(std::nullopt)),
      "cluster \"c\": certificate-authority-data in " + file.string() + " is not valid base64");
}

TEST(KubeconfigErrorsTest, UnusableUserSettings) {
  TempDir dir;
  auto file = dir.write("config", R"(clusters:
- {name: c, cluster: {server: "https://x"}}
- {name: both, cluster: {server: "https://x", certificate-authority-data: Y2E=, insecure-skip-tls-verify: true}}
users:
- {name: cert-only, user: {client-certificate-data: Y2VydA==}}
- {name: v1-no-mode, user: {exec: {command: plugin, apiVersion: client.authentication.k8s.io/v1}}}
- {name: bad-mode, user: {exec: {command: plugin, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Sometimes}}}
- {name: old-api, user: {exec: {command: plugin, apiVersion: client.authentication.k8s.io/v1alpha1}}}
- {name: no-command, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1}}}
- {name: oidc, user: {auth-provider: {name: oidc}}}
- {name: impersonating, user: {token: x, as: admin}}
contexts:
- {name: cert-only, context: {cluster: c, user: cert-only}}
- {name: v1-no-mode, context: {cluster: c, user: v1-no-mode}}
- {name: bad-mode, context: {cluster: c, user: bad-mode}}
- {name: old-api, context: {cluster: c, user: old-api}}
- {name: no-command, context: {cluster: c, user: no-command}}
- {name: oidc, context: {cluster: c, user: oidc}}
- {name: impersonating, context: {cluster: c, user: impersonating}}
- {name: both, context: {cluster: both}}
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  const std::string in = " (in " + file.string() + ")";
  EXPECT_EQ(
      error_of(config->connection("cert-only")),
      "user \"cert-only\"" + in + " has a client certificate but no client-key; both are needed");
  EXPECT_EQ(error_of(config->connection("v1-no-mode")),
            "interactiveMode must be specified for user \"v1-no-mode\" to use an exec plugin" + in);
  EXPECT_EQ(error_of(config->connection("bad-mode")),
            "invalid interactiveMode for user \"bad-mode\": \"Sometimes\"" + in);
  EXPECT_TRUE(contains(error_of(config->connection("old-api")),
                       "unsupported apiVersion \"client.authentication.k8s.io/v1alpha1\""));
  EXPECT_EQ(error_of(config->connection("no-command")),
            "command must be specified for user \"no-command\" to use an exec plugin" + in);
  EXPECT_TRUE(contains(error_of(config->connection("oidc")),
                       "uses auth-provider \"oidc\", which k8sjobs does not support"));
  EXPECT_TRUE(contains(error_of(config->connection("impersonating")),
                       "sets impersonation (\"as\"), which k8sjobs does not support"));
  EXPECT_TRUE(contains(error_of(config->connection("both")),
                       "sets both a certificate authority and insecure-skip-tls-verify: true"));
}

TEST(KubeconfigTest, EmptyFileIsAnEmptyConfig) {
  TempDir dir;
  auto file = dir.write("empty", "");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.has_value());
  EXPECT_TRUE(config->contexts.empty());
  EXPECT_EQ(config->files.size(), 1u);
}

// --- resolve_connection ---------------------------------------------------------------

sys::Environment env_with(std::map<std::string, std::string> vars) {
  return sys::Environment(std::move(vars));
}

TEST(ResolveConnectionTest, ExplicitPathMustExist) {
  TempDir dir;
  ConnectionRequest request;
  request.kubeconfig = dir.path() / "nope";
  EXPECT_EQ(error_of(resolve_connection(request, {})),
            "kubeconfig \"" + (dir.path() / "nope").string() + "\" does not exist");
}

TEST(ResolveConnectionTest, ExplicitPathWinsOverKubeconfigVariable) {
  TempDir dir;
  auto explicit_file = dir.write("explicit", simple_config("https://explicit"));
  auto env_file = dir.write("env", simple_config("https://env"));
  ConnectionRequest request;
  request.kubeconfig = explicit_file;
  auto connection = resolve_connection(request, env_with({{"KUBECONFIG", env_file.string()}}));
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->server, "https://explicit");
  EXPECT_EQ(connection->source, explicit_file.string());
  EXPECT_EQ(connection->context_name, "ctx");
}

TEST(ResolveConnectionTest, KubeconfigVariableMergesAndSkipsMissing) {
  TempDir dir;
  auto first = dir.write("a", R"(contexts:
- {name: ctx, context: {cluster: c, user: u}}
current-context: ctx
)");
  auto second = dir.write("b", simple_config("https://from-b"));
  auto home = dir.write("home/.kube/config", simple_config("https://home"));
  const std::string list =
      (dir.path() / "missing").string() + ":" + first.string() + "::" + second.string();
  auto connection = resolve_connection(
      {}, env_with({{"KUBECONFIG", list}, {"HOME", (dir.path() / "home").string()}}));
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->server, "https://from-b");
  EXPECT_EQ(connection->auth.token, "static-token");
  EXPECT_EQ(connection->source, first.string());  // the file that defined the context
}

TEST(ResolveConnectionTest, ContextAndNamespaceOverride) {
  TempDir dir;
  auto file = dir.write("config", R"(clusters:
- {name: c1, cluster: {server: "https://one"}}
- {name: c2, cluster: {server: "https://two"}}
contexts:
- {name: first, context: {cluster: c1, namespace: team}}
- {name: second, context: {cluster: c2, namespace: other}}
current-context: first
)");
  ConnectionRequest request;
  request.context = "second";
  request.namespace_override = "mine";
  auto connection = resolve_connection(request, env_with({{"KUBECONFIG", file.string()}}));
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->server, "https://two");
  EXPECT_EQ(connection->namespace_name, "mine");
  EXPECT_EQ(connection->context_name, "second");

  request.context = "third";
  EXPECT_TRUE(
      contains(error_of(resolve_connection(request, env_with({{"KUBECONFIG", file.string()}}))),
               "context \"third\" not found in kubeconfig"));
}

TEST(ResolveConnectionTest, HomeConfigWhenNoKubeconfigVariable) {
  TempDir dir;
  auto home = dir.write("home/.kube/config", simple_config("https://home", "", "home-ns"));
  auto connection = resolve_connection({}, env_with({{"HOME", (dir.path() / "home").string()}}));
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->server, "https://home");
  EXPECT_EQ(connection->namespace_name, "home-ns");
  EXPECT_EQ(connection->source, home.string());
}

TEST(ResolveConnectionTest, InvalidHomeConfigIsAnError) {
  TempDir dir;
  dir.write("home/.kube/config", "clusters: [\n");
  EXPECT_TRUE(contains(
      error_of(resolve_connection({}, env_with({{"HOME", (dir.path() / "home").string()}}))),
      "invalid kubeconfig " + (dir.path() / "home/.kube/config").string()));
}

class InClusterTest : public ::testing::Test {
 protected:
  InClusterTest() {
    dir_.write("sa/token", "sa-token\n");
    dir_.write("sa/ca.crt", "CLUSTER CA");
    dir_.write("sa/namespace", "jobs-ns\n");
    request_.service_account_dir = dir_.path() / "sa";
  }
  TempDir dir_;
  ConnectionRequest request_;
};

TEST_F(InClusterTest, UsesServiceAccount) {
  auto connection =
      resolve_connection(request_, env_with({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                             {"KUBERNETES_SERVICE_PORT", "443"},
                                             {"HOME", (dir_.path() / "no-home").string()}}));
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->server, "https://10.0.0.1:443");
  EXPECT_EQ(connection->auth.token_file, (dir_.path() / "sa/token").string());
  EXPECT_FALSE(connection->auth.token.has_value());
  EXPECT_EQ(connection->certificate_authority_pem, "CLUSTER CA");
  EXPECT_EQ(connection->namespace_name, "jobs-ns");
  EXPECT_EQ(connection->source, "in-cluster");
  EXPECT_EQ(connection->context_name, "");
}

TEST_F(InClusterTest, Ipv6HostInBrackets) {
  auto connection = resolve_connection(request_, env_with({{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                                                           {"KUBERNETES_SERVICE_PORT", "6443"}}));
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->server, "https://[fd00::1]:6443");
}

TEST_F(InClusterTest, NamespaceOverrideAndPodNamespace) {
  auto env = env_with({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                       {"KUBERNETES_SERVICE_PORT", "443"},
                       {"POD_NAMESPACE", "from-env"}});
  auto connection = resolve_connection(request_, env);
  ASSERT_TRUE(connection.has_value());
  EXPECT_EQ(connection->namespace_name, "from-env");
  request_.namespace_override = "override";
  EXPECT_EQ(resolve_connection(request_, env)->namespace_name, "override");
}

TEST_F(InClusterTest, NamespaceDefaultsWhenFileMissing) {
  std::filesystem::remove(dir_.path() / "sa/namespace");
  auto connection = resolve_connection(request_, env_with({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                                           {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(connection.has_value());
  EXPECT_EQ(connection->namespace_name, "default");
}

TEST_F(InClusterTest, MissingTokenIsAnError) {
  std::filesystem::remove(dir_.path() / "sa/token");
  EXPECT_EQ(error_of(resolve_connection(request_, env_with({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                                            {"KUBERNETES_SERVICE_PORT", "443"}}))),
            "in-cluster configuration (KUBERNETES_SERVICE_HOST is set): cannot read the service "
            "account token " +
                (dir_.path() / "sa/token").string() + ": No such file or directory");
}

TEST_F(InClusterTest, HomeConfigWinsOverInCluster) {
  dir_.write("home/.kube/config", simple_config("https://home"));
  auto connection =
      resolve_connection(request_, env_with({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                             {"KUBERNETES_SERVICE_PORT", "443"},
                                             {"HOME", (dir_.path() / "home").string()}}));
  ASSERT_TRUE(connection.has_value());
  EXPECT_EQ(connection->server, "https://home");
}

TEST_F(InClusterTest, KubeconfigListWithOnlyMissingFilesFallsBackToInCluster) {
  auto connection =
      resolve_connection(request_, env_with({{"KUBECONFIG", (dir_.path() / "missing").string()},
                                             {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                             {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(connection.has_value()) << connection.error().describe();
  EXPECT_EQ(connection->source, "in-cluster");
}

TEST(ResolveConnectionTest, NothingFound) {
  TempDir dir;
  ConnectionRequest request;
  request.service_account_dir = dir.path() / "sa";
  EXPECT_EQ(error_of(resolve_connection(request, env_with({{"HOME", dir.path().string()}}))),
            "no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config or run "
            "inside a cluster");
  // Only one of the two service variables is not enough.
  EXPECT_TRUE(contains(
      error_of(resolve_connection(request, env_with({{"KUBECONFIG", (dir.path() / "gone").string()},
                                                     {"KUBERNETES_SERVICE_HOST", "10.0.0.1"}}))),
      "none of the files in KUBECONFIG (" + (dir.path() / "gone").string() + ") exist"));
}

TEST(ResolveConnectionTest, SplitKubeconfigList) {
  EXPECT_EQ(split_kubeconfig_list("/a::/b:/a:"), (std::vector<std::filesystem::path>{"/a", "/b"}));
  EXPECT_TRUE(split_kubeconfig_list("").empty());
}

}  // namespace
}  // namespace k8sjobs::kube
