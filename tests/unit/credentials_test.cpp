#include "k8sjobs/kube/credentials.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace k8sjobs::kube {
namespace {

using k8sjobs::testing::FakeClock;
using k8sjobs::testing::TempDir;
using namespace std::chrono_literals;

constexpr const char* kV1 = "client.authentication.k8s.io/v1";
constexpr const char* kV1beta1 = "client.authentication.k8s.io/v1beta1";
constexpr const char* kSecret = "s3cr3t-t0ken-value";

const auto kExecutable = std::filesystem::perms::owner_all;

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string error_of(const Result<Credentials>& result) {
  EXPECT_FALSE(result.has_value());
  if (result.has_value() || result.error().config() == nullptr) return "";
  return result.error().config()->message;
}

ConnectionConfig base_config() {
  ConnectionConfig config;
  config.server = "https://api.example:6443";
  return config;
}

TEST(CredentialsTest, StaticTokenAndCertificate) {
  FakeClock clock;
  ConnectionConfig config = base_config();
  config.auth.token = "tok";
  config.auth.client_certificate_pem = "CERT";
  config.auth.client_key_pem = "KEY";
  auto provider = make_credential_provider(config, clock, {});
  auto credentials = provider->get();
  ASSERT_TRUE(credentials.has_value());
  // Both are sent: the server may accept either.
  EXPECT_EQ(credentials->bearer_token, "tok");
  EXPECT_EQ(credentials->client_certificate_pem, "CERT");
  EXPECT_EQ(credentials->client_key_pem, "KEY");
}

TEST(CredentialsTest, NoCredentials) {
  FakeClock clock;
  auto provider = make_credential_provider(base_config(), clock, {});
  auto credentials = provider->get();
  ASSERT_TRUE(credentials.has_value());
  EXPECT_FALSE(credentials->bearer_token.has_value());
  EXPECT_FALSE(credentials->client_certificate_pem.has_value());
}

class TokenFileTest : public ::testing::Test {
 protected:
  TokenFileTest() {
    path_ = dir_.write("token", "first-token\n");
    config_ = base_config();
    config_.auth.token_file = path_.string();
  }
  TempDir dir_;
  std::filesystem::path path_;
  ConnectionConfig config_;
  FakeClock clock_;
};

TEST_F(TokenFileTest, ReadsAndTrims) {
  dir_.write("token", "  padded-token \t\r\n\n");
  auto provider = make_credential_provider(config_, clock_, {});
  EXPECT_EQ(provider->get()->bearer_token, "padded-token");
}

TEST_F(TokenFileTest, ReReadsWhenFileChanges) {
  auto provider = make_credential_provider(config_, clock_, {});
  EXPECT_EQ(provider->get()->bearer_token, "first-token");
  dir_.write("token", "rotated-token-longer\n");
  EXPECT_EQ(provider->get()->bearer_token, "rotated-token-longer");
}

TEST_F(TokenFileTest, CachesUntilChangedOrInvalidated) {
  auto provider = make_credential_provider(config_, clock_, {});
  EXPECT_EQ(provider->get()->bearer_token, "first-token");
  // Same size and, after resetting it, same mtime: the provider cannot see the change...
  const auto mtime = std::filesystem::last_write_time(path_);
  dir_.write("token", "other-token\n");
  std::filesystem::last_write_time(path_, mtime);
  EXPECT_EQ(provider->get()->bearer_token, "first-token");
  // ...until a 401 makes the caller invalidate.
  provider->invalidate();
  EXPECT_EQ(provider->get()->bearer_token, "other-token");
}

TEST_F(TokenFileTest, WinsOverStaticToken) {
  config_.auth.token = "static";
  auto provider = make_credential_provider(config_, clock_, {});
  EXPECT_EQ(provider->get()->bearer_token, "first-token");
}

TEST_F(TokenFileTest, UnreadableOrEmptyIsAnError) {
  auto provider = make_credential_provider(config_, clock_, {});
  ASSERT_TRUE(provider->get().has_value());
  std::filesystem::remove(path_);
  EXPECT_EQ(error_of(provider->get()),
            "cannot read token file \"" + path_.string() + "\": No such file or directory");
  dir_.write("token", " \n");
  EXPECT_EQ(error_of(provider->get()), "token file \"" + path_.string() + "\" is empty");
}

// --- exec plugins -------------------------------------------------------------------

class ExecPluginTest : public ::testing::Test {
 protected:
  ExecPluginTest() : env_(sys::Environment::from_process()) {
    config_ = base_config();
    count_file_ = dir_.path() / "count";
  }

  // A plugin that appends a line to `count` on every run, then runs `body`.
  std::filesystem::path write_plugin(const std::string& name, const std::string& body) {
    return dir_.write(name, "#!/bin/sh\necho run >> '" + count_file_.string() + "'\n" + body + "\n",
                      kExecutable);
  }

  // A plugin printing `json` on stdout.
  std::filesystem::path json_plugin(const std::string& name, const std::string& json) {
    return write_plugin(name, "cat <<'JSON'\n" + json + "\nJSON");
  }

  void use_plugin(const std::filesystem::path& path, const std::string& api_version = kV1) {
    ExecPluginConfig exec;
    exec.command = path.string();
    exec.api_version = api_version;
    exec.interactive_mode = "Never";
    config_.auth.exec = exec;
  }

  int runs() const {
    if (!std::filesystem::exists(count_file_)) return 0;
    auto text = k8sjobs::testing::read_file(count_file_);
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

  std::unique_ptr<CredentialProvider> provider() {
    return make_credential_provider(config_, clock_, env_);
  }

  TempDir dir_;
  std::filesystem::path count_file_;
  ConnectionConfig config_;
  FakeClock clock_;
  sys::Environment env_;
};

TEST_F(ExecPluginTest, V1TokenIsCachedWithoutExpiry) {
  use_plugin(json_plugin("plugin", R"({"apiVersion":"client.authentication.k8s.io/v1",
    "kind":"ExecCredential","status":{"token":"exec-token"}})"));
  auto p = provider();
  EXPECT_EQ(runs(), 0);  // nothing runs before the first request
  auto credentials = p->get();
  ASSERT_TRUE(credentials.has_value()) << credentials.error().describe();
  EXPECT_EQ(credentials->bearer_token, "exec-token");
  clock_.advance(24h * 365);
  EXPECT_EQ(p->get()->bearer_token, "exec-token");
  EXPECT_EQ(p->get()->bearer_token, "exec-token");
  EXPECT_EQ(runs(), 1);
}

TEST_F(ExecPluginTest, V1beta1ClientCertificate) {
  use_plugin(json_plugin("plugin", R"({"apiVersion":"client.authentication.k8s.io/v1beta1",
    "status":{"clientCertificateData":"PLUGIN CERT","clientKeyData":"PLUGIN KEY"}})"),
             kV1beta1);
  config_.auth.exec->interactive_mode = "IfAvailable";
  auto credentials = provider()->get();
  ASSERT_TRUE(credentials.has_value()) << credentials.error().describe();
  EXPECT_FALSE(credentials->bearer_token.has_value());
  EXPECT_EQ(credentials->client_certificate_pem, "PLUGIN CERT");
  EXPECT_EQ(credentials->client_key_pem, "PLUGIN KEY");
}

TEST_F(ExecPluginTest, CachedUntilExpirationTimestamp) {
  // FakeClock starts at 2030-01-01T00:00:00Z; this token expires an hour later (in +01:00).
  use_plugin(json_plugin("plugin", R"({"apiVersion":"client.authentication.k8s.io/v1",
    "status":{"token":"exec-token","expirationTimestamp":"2030-01-01T02:00:00+01:00"}})"));
  auto p = provider();
  ASSERT_TRUE(p->get().has_value());
  EXPECT_EQ(runs(), 1);
  clock_.advance(30min);
  ASSERT_TRUE(p->get().has_value());
  EXPECT_EQ(runs(), 1);
  clock_.advance(30min);  // at expiry
  ASSERT_TRUE(p->get().has_value());
  EXPECT_EQ(runs(), 2);
}

TEST_F(ExecPluginTest, FractionalUtcExpiry) {
  use_plugin(json_plugin("plugin", R"({"apiVersion":"client.authentication.k8s.io/v1",
    "status":{"token":"t","expirationTimestamp":"2030-01-01T00:10:00.250Z"}})"));
  auto p = provider();
  ASSERT_TRUE(p->get().has_value());
  clock_.advance(9min);
  ASSERT_TRUE(p->get().has_value());
  EXPECT_EQ(runs(), 1);
  clock_.advance(1min);
  ASSERT_TRUE(p->get().has_value());
  EXPECT_EQ(runs(), 2);
}

TEST_F(ExecPluginTest, InvalidateRerunsPlugin) {
  use_plugin(json_plugin("plugin", R"({"apiVersion":"client.authentication.k8s.io/v1",
    "status":{"token":"exec-token"}})"));
  auto p = provider();
  ASSERT_TRUE(p->get().has_value());
  p->invalidate();
  ASSERT_TRUE(p->get().has_value());
  EXPECT_EQ(runs(), 2);
}

TEST_F(ExecPluginTest, NotUsedWhenTokenOrCertificateConfigured) {
  use_plugin(json_plugin("plugin", R"({"apiVersion":"client.authentication.k8s.io/v1",
    "status":{"token":"exec-token"}})"));
  config_.auth.token = "static";
  EXPECT_EQ(provider()->get()->bearer_token, "static");
  config_.auth.token.reset();
  config_.auth.client_certificate_pem = "CERT";
  config_.auth.client_key_pem = "KEY";
  auto credentials = provider()->get();
  ASSERT_TRUE(credentials.has_value());
  EXPECT_FALSE(credentials->bearer_token.has_value());
  EXPECT_EQ(runs(), 0);
}

TEST_F(ExecPluginTest, ArgsEnvAndNoStdin) {
  const auto out = dir_.path() / "seen";
  use_plugin(write_plugin("plugin", "printf '%s|' \"$@\" > '" + out.string() +
                                        "'\n"
                                        "echo \"$PLUGIN_VAR/$FROM_CALLER\" >> '" +
                                        out.string() +
                                        "'\n"
                                        "readlink /proc/$$/fd/0 >> '" +
                                        out.string() +
                                        "'\n"
                                        "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                                        "\"status\":{\"token\":\"t\"}}'"));
  config_.auth.exec->args = {"get-token", "--cluster", "a b"};
  config_.auth.exec->env = {{"PLUGIN_VAR", "from-kubeconfig"}};
  env_.set("FROM_CALLER", "from-environment");
  auto credentials = provider()->get();
  ASSERT_TRUE(credentials.has_value()) << credentials.error().describe();
  EXPECT_EQ(k8sjobs::testing::read_file(out),
            "get-token|--cluster|a b|from-kubeconfig/from-environment\n/dev/null\n");
}

TEST_F(ExecPluginTest, FindsBareCommandOnPath) {
  auto plugin = json_plugin("bin/my-plugin", R"({"apiVersion":"client.authentication.k8s.io/v1",
    "status":{"token":"from-path"}})");
  use_plugin(plugin);
  config_.auth.exec->command = "my-plugin";
  env_.set("PATH", (dir_.path() / "bin").string() + ":" + env_.get_or("PATH", "/usr/bin:/bin"));
  auto credentials = provider()->get();
  ASSERT_TRUE(credentials.has_value()) << credentials.error().describe();
  EXPECT_EQ(credentials->bearer_token, "from-path");
}

TEST_F(ExecPluginTest, NotFoundShowsInstallHint) {
  ExecPluginConfig exec;
  exec.command = "k8sjobs-no-such-plugin";
  exec.api_version = kV1;
  exec.interactive_mode = "Never";
  exec.install_hint = "Install it with: apt-get install no-such-plugin";
  config_.auth.exec = exec;
  env_.set("PATH", dir_.path().string());
  EXPECT_EQ(error_of(provider()->get()),
            "exec plugin \"k8sjobs-no-such-plugin\" failed: executable \"k8sjobs-no-such-plugin\" "
            "not found. Install it with: apt-get install no-such-plugin");
}

TEST_F(ExecPluginTest, FailingPluginReportsExitCodeAndStderrButNoToken) {
  auto plugin = write_plugin("plugin", std::string("echo '{\"status\":{\"token\":\"") + kSecret +
                                           "\"}}'\n"
                                           "echo 'error: login required' >&2\n"
                                           "echo 'second line' >&2\n"
                                           "exit 3");
  use_plugin(plugin);
  auto message = error_of(provider()->get());
  EXPECT_EQ(message,
            "exec plugin \"" + plugin.string() + "\" failed: exit code 3: error: login required");
  EXPECT_FALSE(contains(message, kSecret));
}

TEST_F(ExecPluginTest, BadOutputMessagesContainNoToken) {
  struct Case {
    std::string output;
    std::string expected;
  };
  const std::string name = "exec plugin \"" + (dir_.path() / "plugin").string() + "\"";
  const std::vector<Case> cases = {
      {std::string("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{\"token\":\"") +
           kSecret + "\"",
       name + " failed: its output is not an ExecCredential JSON object"},
      {std::string("token=") + kSecret,
       name + " failed: its output is not an ExecCredential JSON object"},
      {std::string(
           "{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"status\":{\"token\":\"") +
           kSecret + "\"}}",
       name + " is configured to use API version client.authentication.k8s.io/v1, but returned "
              "version \"client.authentication.k8s.io/v1beta1\""},
      {R"({"apiVersion":"client.authentication.k8s.io/v1"})",
       name + " failed: it returned no status"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","status":{"token":""}})",
       name + " failed: it returned no token and no client certificate"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","status":{"clientKeyData":"KEY"}})",
       name + " failed: it returned only a client certificate or key, not both"},
      {std::string("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{\"token\":\"") +
           kSecret + "\",\"expirationTimestamp\":\"tomorrow\"}}",
       name + " failed: status.expirationTimestamp \"tomorrow\" is not an RFC 3339 time"},
  };
  for (const auto& c : cases) {
    use_plugin(json_plugin("plugin", c.output));
    auto message = error_of(provider()->get());
    EXPECT_EQ(message, c.expected) << "output: " << c.output;
    EXPECT_FALSE(contains(message, kSecret));
  }
}

TEST_F(ExecPluginTest, ErrorIsNotCachedAndPluginRunsAgain) {
  auto plugin = write_plugin("plugin", "exit 1");
  use_plugin(plugin);
  auto p = provider();
  EXPECT_FALSE(p->get().has_value());
  EXPECT_FALSE(p->get().has_value());
  EXPECT_EQ(runs(), 2);
}

TEST_F(ExecPluginTest, InteractiveAlwaysIsRefused) {
  use_plugin(json_plugin("plugin", "{}"));
  config_.auth.exec->interactive_mode = "Always";
  EXPECT_TRUE(contains(error_of(provider()->get()), "needs interactiveMode Always"));
  EXPECT_EQ(runs(), 0);
}

TEST_F(ExecPluginTest, ExecInfoWithClusterInfo) {
  const auto info_file = dir_.path() / "info.json";
  use_plugin(
      write_plugin("plugin", "printf '%s' \"$KUBERNETES_EXEC_INFO\" > '" + info_file.string() +
                                 "'\n"
                                 "echo '{\"apiVersion\":\"client.authentication.k8s.io/"
                                 "v1beta1\",\"status\":{\"token\":\"t\"}}'"),
      kV1beta1);
  config_.auth.exec->provide_cluster_info = true;
  config_.certificate_authority_pem = "CA PEM";
  config_.tls_server_name = "api.internal";
  ASSERT_TRUE(provider()->get().has_value());
  auto info = nlohmann::json::parse(k8sjobs::testing::read_file(info_file));
  EXPECT_EQ(info["apiVersion"], kV1beta1);
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["spec"]["interactive"], false);
  const auto& cluster = info["spec"]["cluster"];
  EXPECT_EQ(cluster["server"], "https://api.example:6443");
  EXPECT_EQ(cluster["certificate-authority-data"], "Q0EgUEVN");  // base64("CA PEM")
  EXPECT_EQ(cluster["tls-server-name"], "api.internal");
  EXPECT_FALSE(cluster.contains("insecure-skip-tls-verify"));  // omitted when false
}

TEST_F(ExecPluginTest, ExecInfoWithoutClusterInfo) {
  const auto info_file = dir_.path() / "info.json";
  use_plugin(write_plugin("plugin", "printf '%s' \"$KUBERNETES_EXEC_INFO\" > '" +
                                        info_file.string() +
                                        "'\n"
                                        "echo '{\"apiVersion\":\"client.authentication.k8s.io/"
                                        "v1\",\"status\":{\"token\":\"t\"}}'"));
  config_.insecure_skip_tls_verify = true;
  ASSERT_TRUE(provider()->get().has_value());
  auto info = nlohmann::json::parse(k8sjobs::testing::read_file(info_file));
  EXPECT_EQ(info, nlohmann::json::parse(R"({"apiVersion":"client.authentication.k8s.io/v1",
    "kind":"ExecCredential","spec":{"interactive":false}})"));
}

TEST_F(ExecPluginTest, ExecInfoInsecureFlag) {
  const auto info_file = dir_.path() / "info.json";
  use_plugin(write_plugin("plugin", "printf '%s' \"$KUBERNETES_EXEC_INFO\" > '" +
                                        info_file.string() +
                                        "'\n"
                                        "echo '{\"apiVersion\":\"client.authentication.k8s.io/"
                                        "v1\",\"status\":{\"token\":\"t\"}}'"));
  config_.auth.exec->provide_cluster_info = true;
  config_.insecure_skip_tls_verify = true;
  ASSERT_TRUE(provider()->get().has_value());
  auto info = nlohmann::json::parse(k8sjobs::testing::read_file(info_file));
  EXPECT_EQ(info["spec"]["cluster"], nlohmann::json::parse(R"({"server":"https://api.example:6443",
              "insecure-skip-tls-verify":true})"));
}

}  // namespace
}  // namespace k8sjobs::kube
