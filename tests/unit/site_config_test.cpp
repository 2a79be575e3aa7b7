#include "k8sjobs/site/site_config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/build_paths.h"
#include "support/site_config_error.h"
#include "support/temp_dir.h"

namespace k8sjobs::site {
namespace {

using testing::TempDir;

SiteConfig parse_ok(const std::string& yaml) {
  auto parsed = parse_site_config(yaml, "site.yaml");
  if (!parsed) ADD_FAILURE() << parsed.error().message;
  return parsed ? *parsed : SiteConfig();
}

TEST(SiteConfigDefaults, ReproduceToolforge) {
  SiteConfig config;
  EXPECT_EQ(config.backend, Backend::Local);
  EXPECT_EQ(config.tool_prefix, "tools.");
  EXPECT_FALSE(config.kubernetes.kubeconfig);
  EXPECT_FALSE(config.kubernetes.context);
  EXPECT_EQ(config.kubernetes.namespace_template, "tool-{tool}");
  EXPECT_EQ(config.known_releases(), (std::vector<std::string>{"bookworm", "bullseye", "buster"}));
  EXPECT_EQ(config.images.default_release, "bookworm");
  EXPECT_EQ(config.image_for("bookworm"),
            "docker-registry.tools.wmflabs.org/toolforge-bookworm-sssd:latest");
  EXPECT_EQ(config.image_for("stretch"), std::nullopt);
  EXPECT_EQ(config.home.path_template, "/data/project/{tool}");
  ASSERT_EQ(config.home.volumes.size(), 3u);
  EXPECT_EQ(config.home.volumes[0], (VolumeSpec{"home", VolumeSpec::Type::HostPath, "/data/project",
                                                "", "", "/data/project", false}));
  EXPECT_EQ(config.home.volumes[1].mount_path, "/data/scratch");
  EXPECT_FALSE(config.home.volumes[1].read_only);
  EXPECT_EQ(config.home.volumes[2].mount_path, "/public/dumps");
  EXPECT_TRUE(config.home.volumes[2].read_only);
  EXPECT_TRUE(config.pod.labels.empty());
  EXPECT_FALSE(config.pod.service_account);
  EXPECT_EQ(config.pod.image_pull_policy, "IfNotPresent");
  EXPECT_EQ(config.resources.default_memory_bytes, 512 * 1024 * 1024);
  EXPECT_EQ(config.resources.max_memory_bytes, 4LL * 1024 * 1024 * 1024);
  EXPECT_EQ(config.resources.default_cpu_millis, 500);
  EXPECT_EQ(config.resources.max_cpu_millis, 1000);
  EXPECT_EQ(config.jobs.ttl_seconds_after_finished, 600);
  EXPECT_EQ(config.jobs.backoff_limit, 0);
  EXPECT_EQ(config.jobs.deployment_termination_grace_seconds, 15);
  EXPECT_TRUE(config.jobs.check_program);
  EXPECT_EQ(config.client.timeout, std::chrono::seconds(30));
  EXPECT_EQ(config.client.retry.max_attempts, 5);
  EXPECT_EQ(config.client.retry.initial_backoff, std::chrono::milliseconds(200));
  EXPECT_EQ(config.client.retry.max_backoff, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.client.retry.deadline, std::chrono::seconds(60));
  EXPECT_TRUE(config.client.tls_session_cache);
  EXPECT_TRUE(config.interop.toolforge_jobs);
  EXPECT_EQ(config.mail.default_domain, "toolforge.org");
  EXPECT_EQ(config.describe_source(), "built-in defaults");
}

TEST(SiteConfigInterop, TheToolforgeJobsSwitchIsABoolean) {
  EXPECT_FALSE(parse_ok("interop:\n  toolforge_jobs: false\n").interop.toolforge_jobs);
  EXPECT_TRUE(parse_ok("interop:\n  toolforge_jobs: true\n").interop.toolforge_jobs);
  EXPECT_NE(testing::site_config_error("interop:\n  toolforge_jobs: sometimes\n")
                .find("interop.toolforge_jobs"),
            std::string::npos);
}

TEST(SiteConfigDefaults, EmptyFileAndEmptySectionsKeepDefaults) {
  SiteConfig config = parse_ok("");
  EXPECT_EQ(config.backend, Backend::Local);
  config = parse_ok("# nothing\nkubernetes:\njobs: {}\n");
  EXPECT_EQ(config.kubernetes.namespace_template, "tool-{tool}");
  EXPECT_EQ(config.jobs.ttl_seconds_after_finished, 600);
}

TEST(SiteConfigNames, NamespaceHomeAndMailFollowTheToolRule) {
  SiteConfig config;
  EXPECT_EQ(config.tool_name("tools.alice"), "alice");
  EXPECT_EQ(config.tool_name("alice"), "alice");
  EXPECT_EQ(config.tool_name("tools."), "tools.");
  EXPECT_EQ(config.namespace_for("tools.alice"), "tool-alice");
  EXPECT_EQ(config.namespace_for("bob"), "tool-bob");
  EXPECT_EQ(config.home_for("tools.alice"), "/data/project/alice");
  EXPECT_EQ(config.default_mail_address("tools.alice"), "tools.alice@toolforge.org");

  config = parse_ok(
      "tool_prefix: 'proj-'\n"
      "kubernetes: {namespace: 'jobs-{tool}-x'}\n"
      "home: {path_template: '/home/{user}/{tool}'}\n"
      "mail: {default_domain: example.org}\n");
  EXPECT_EQ(config.tool_name("proj-web"), "web");
  EXPECT_EQ(config.namespace_for("proj-web"), "jobs-web-x");
  EXPECT_EQ(config.home_for("proj-web"), "/home/proj-web/web");
  EXPECT_EQ(config.default_mail_address("proj-web"), "proj-web@example.org");
  EXPECT_EQ(config.mail.from_address(), "k8sjobs@example.org");
  EXPECT_TRUE(config.mail.relay.empty());
  EXPECT_EQ(config.mail.batch_window, std::chrono::seconds(60));
  EXPECT_EQ(config.mail.sendmail, "/usr/sbin/sendmail");

  config = parse_ok(
      "mail:\n  relay: smtp://relay.example.org:587\n  from: jobs@example.org\n"
      "  starttls: always\n  username: jobs\n  password_file: /etc/k8sjobs/smtp-password\n"
      "  batch_window_seconds: 300\n  max_recipients: 5\n");
  EXPECT_EQ(config.mail.relay, "smtp://relay.example.org:587");
  EXPECT_EQ(config.mail.from_address(), "jobs@example.org");
  EXPECT_EQ(config.mail.starttls, MailSettings::StartTls::Always);
  EXPECT_EQ(config.mail.username, "jobs");
  EXPECT_EQ(config.mail.password_file, "/etc/k8sjobs/smtp-password");
  EXPECT_EQ(config.mail.batch_window, std::chrono::seconds(300));
  EXPECT_EQ(config.mail.max_recipients, 5);
  EXPECT_EQ(parse_ok("mail: {sendmail: /usr/lib/sendmail}\n").mail.sendmail, "/usr/lib/sendmail");
  EXPECT_EQ(parse_ok("mail: {sendmail: ''}\n").mail.sendmail, "");
  EXPECT_EQ(expand_template("{tool}{user}{other}", "u", "t"), "tu{other}");
}

TEST(SiteConfigParse, EveryKey) {
  SiteConfig config = parse_ok(R"(
backend: kubernetes
tool_prefix: ""
kubernetes:
  kubeconfig: /etc/k8sjobs/kubeconfig
  context: prod
  namespace: "ns-{user}"
images:
  default_release: trixie
  releases:
    trixie: registry.example.org/trixie:1
    bookworm: registry.example.org/bookworm:2
home:
  path_template: /srv/tools/{tool}
  volumes:
    - {name: tools, path: /srv/tools}
    - {name: shared, type: nfs, server: nfs.example.org, path: /export/shared, mount_path: /shared, read_only: true}
    - {name: cache, type: pvc, claim_name: tool-cache, mount_path: /cache}
pod:
  labels: {toolforge: tool, "example.org/tier": batch}
  annotations: {"example.org/owner": "Team Jobs <jobs@example.org>"}
  node_selector: {kubernetes.io/arch: amd64}
  service_account: runner
  image_pull_policy: Always
resources:
  default_memory: 1Gi
  max_memory: 8G
  default_cpu: "0.25"
  max_cpu: 2
jobs:
  ttl_seconds_after_finished: 3600
  backoff_limit: 2
  deployment_termination_grace_seconds: 30
  check_program: false
client:
  timeout_seconds: 10
  tls_session_cache: false
  retry:
    max_attempts: 3
    initial_backoff_ms: 100
    max_backoff_ms: 1000
    deadline_seconds: 20
local:
  state_dir: /var/lib/k8sjobs
mail:
  default_domain: example.org
)");
  EXPECT_EQ(config.backend, Backend::Kubernetes);
  EXPECT_EQ(config.tool_name("tools.alice"), "tools.alice");
  EXPECT_EQ(config.kubernetes.kubeconfig, std::filesystem::path("/etc/k8sjobs/kubeconfig"));
  EXPECT_EQ(config.kubernetes.context, "prod");
  EXPECT_EQ(config.namespace_for("alice"), "ns-alice");
  EXPECT_EQ(config.known_releases(), (std::vector<std::string>{"bookworm", "trixie"}));
  EXPECT_EQ(config.images.default_release, "trixie");
  EXPECT_EQ(config.image_for("trixie"), "registry.example.org/trixie:1");
  EXPECT_EQ(config.home_for("alice"), "/srv/tools/alice");
  ASSERT_EQ(config.home.volumes.size(), 3u);
  EXPECT_EQ(config.home.volumes[0], (VolumeSpec{"tools", VolumeSpec::Type::HostPath, "/srv/tools",
                                                "", "", "/srv/tools", false}));
  EXPECT_EQ(config.home.volumes[1], (VolumeSpec{"shared", VolumeSpec::Type::Nfs, "/export/shared",
                                                "nfs.example.org", "", "/shared", true}));
  EXPECT_EQ(config.home.volumes[2],
            (VolumeSpec{"cache", VolumeSpec::Type::Pvc, "", "", "tool-cache", "/cache", false}));
  EXPECT_EQ(config.pod.labels, (std::map<std::string, std::string>{{"example.org/tier", "batch"},
                                                                   {"toolforge", "tool"}}));
  EXPECT_EQ(config.pod.annotations.at("example.org/owner"), "Team Jobs <jobs@example.org>");
  EXPECT_EQ(config.pod.node_selector.at("kubernetes.io/arch"), "amd64");
  EXPECT_EQ(config.pod.service_account, "runner");
  EXPECT_EQ(config.pod.image_pull_policy, "Always");
  EXPECT_EQ(config.resources.default_memory_bytes, 1LL << 30);
  EXPECT_EQ(config.resources.max_memory_bytes, 8000000000LL);
  EXPECT_EQ(config.resources.default_cpu_millis, 250);
  EXPECT_EQ(config.resources.max_cpu_millis, 2000);
  EXPECT_EQ(config.jobs.ttl_seconds_after_finished, 3600);
  EXPECT_EQ(config.jobs.backoff_limit, 2);
  EXPECT_EQ(config.jobs.deployment_termination_grace_seconds, 30);
  EXPECT_FALSE(config.jobs.check_program);
  EXPECT_EQ(config.client.timeout, std::chrono::seconds(10));
  EXPECT_EQ(config.client.retry.max_attempts, 3);
  EXPECT_FALSE(config.client.tls_session_cache);
  EXPECT_EQ(config.client.retry.initial_backoff, std::chrono::milliseconds(100));
  EXPECT_EQ(config.client.retry.max_backoff, std::chrono::milliseconds(1000));
  EXPECT_EQ(config.client.retry.deadline, std::chrono::seconds(20));
  EXPECT_EQ(config.local.state_dir, "/var/lib/k8sjobs");
  EXPECT_EQ(config.mail.default_domain, "example.org");
}

TEST(SiteConfigParse, EmptyVolumeListMountsNothing) {
  EXPECT_TRUE(parse_ok("home:\n  volumes: []\n").home.volumes.empty());
  EXPECT_TRUE(parse_ok("home:\n  volumes:\n").home.volumes.empty());
}

TEST(SiteConfigParse, DocumentedExampleParses) {
  // The example in docs/ is what admins copy; it must stay valid.
  std::string text =
      testing::read_file(std::string(K8SJOBS_TEST_DATA_DIR) + "/../../docs/examples/config.yaml");
  SiteConfig config = parse_ok(text);
  EXPECT_EQ(config.backend, Backend::Kubernetes);
  EXPECT_EQ(config.namespace_for("tools.alice"), "tool-alice");
  EXPECT_EQ(config.pod.labels.at("toolforge"), "tool");
  EXPECT_EQ(config.local.state_dir, "/var/lib/k8sjobs");
  // Apart from these, the example shows the defaults.
  SiteConfig defaults;
  EXPECT_EQ(config.images.releases, defaults.images.releases);
  EXPECT_EQ(config.home.volumes, defaults.home.volumes);
  EXPECT_EQ(config.resources.default_memory_bytes, defaults.resources.default_memory_bytes);
  EXPECT_EQ(config.resources.max_cpu_millis, defaults.resources.max_cpu_millis);
  EXPECT_EQ(config.jobs.ttl_seconds_after_finished, defaults.jobs.ttl_seconds_after_finished);
  EXPECT_EQ(config.client.retry.deadline, defaults.client.retry.deadline);
}

TEST(SiteConfigErrors, UnknownKeysAreErrorsWithSuggestions) {
  EXPECT_EQ(testing::site_config_error("backend: local\nkubernetes:\n  namspace: x\n"),
            "site.yaml:3: unknown key 'kubernetes.namspace' (did you mean "
            "'kubernetes.namespace'?)");
  EXPECT_EQ(testing::site_config_error("backned: local\n"),
            "site.yaml:1: unknown key 'backned' (did you mean 'backend'?)");
  // A key in the wrong section points to where it belongs.
  EXPECT_EQ(testing::site_config_error("\n\nbackoff_limit: 3\n"),
            "site.yaml:3: unknown key 'backoff_limit' (did you mean 'jobs.backoff_limit'?)");
  EXPECT_EQ(testing::site_config_error("client:\n  retry:\n    attempts: 3\n"),
            "site.yaml:3: unknown key 'client.retry.attempts'");
  EXPECT_EQ(
      testing::site_config_error("home:\n  volumes:\n    - name: a\n      path: /a\n    - name: b\n"
                                 "      mountpath: /b\n"),
      "site.yaml:6: unknown key 'home.volumes[1].mountpath' (did you mean "
      "'home.volumes[1].mount_path'?)");
}

TEST(SiteConfigErrors, BadValuesReportFileAndLine) {
  struct Case {
    std::string yaml;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"backend: cluster\n",
       "site.yaml:1: backend: 'cluster' is not a backend (expected 'local' or 'kubernetes')"},
      {"backend: [local]\n", "site.yaml:1: backend: expected a string"},
      {"backend:\n", "site.yaml:1: backend: needs a value"},
      {"kubernetes:\n  namespace: 'tool-{name}'\n",
       "site.yaml:2: kubernetes.namespace: unknown placeholder {name} (known: {user}, {tool})"},
      {"kubernetes:\n  namespace: 'tool-{tool'\n",
       "site.yaml:2: kubernetes.namespace: unbalanced '{'"},
      {"kubernetes:\n  namespace: 'Tool_{tool}'\n",
       "site.yaml:2: kubernetes.namespace: 'Tool_{tool}' has characters a namespace cannot contain "
       "(a-z, 0-9, '-')"},
      {"kubernetes:\n  kubeconfig: kube/config\n",
       "site.yaml:2: kubernetes.kubeconfig: must be an absolute path, got 'kube/config'"},
      {"images:\n  default_release: stretch\n",
       "site.yaml:2: images.default_release: 'stretch' is not one of images.releases (bookworm, "
       "bullseye, buster)"},
      {"images:\n  releases:\n    trixie: reg/trixie\n",
       "site.yaml:1: images.default_release: 'bookworm' is not one of images.releases (trixie)"},
      {"images:\n  releases:\n    bookworm: 'reg/book worm'\n",
       "site.yaml:3: images.releases.bookworm: 'reg/book worm' is not an image reference"},
      {"images:\n  releases: {}\n", "site.yaml:2: images.releases: needs at least one release"},
      {"home:\n  path_template: data/{tool}\n",
       "site.yaml:2: home.path_template: must be an absolute path, got 'data/{tool}'"},
      {"home:\n  volumes:\n    - name: a\n      type: ceph\n      path: /a\n",
       "site.yaml:4: home.volumes[0].type: 'ceph' is not a volume type (expected hostPath, nfs or "
       "pvc)"},
      {"home:\n  volumes:\n    - name: a\n      path: /a\n    - name: b\n      type: nfs\n"
       "      path: /b\n",
       "site.yaml:5: home.volumes[1].server: missing for a nfs volume"},
      {"home:\n  volumes:\n    - name: a\n      path: /a\n      claim_name: c\n",
       "site.yaml:5: home.volumes[0].claim_name: does not apply to a hostPath volume"},
      {"home:\n  volumes:\n    - name: a\n      path: /a\n    - name: a\n      path: /b\n",
       "site.yaml:5: home.volumes[1].name: 'a' is used twice"},
      {"home:\n  volumes:\n    - name: a\n      path: /a\n    - name: b\n      path: /a\n",
       "site.yaml:5: home.volumes[1].mount_path: '/a' is mounted twice (a, b)"},
      {"home:\n  volumes:\n    - name: Home\n      path: /a\n",
       "site.yaml:3: home.volumes[0].name: 'Home' is not a valid volume name (a-z, 0-9, '-')"},
      {"home:\n  volumes:\n    - name: a\n      path: /a\n      read_only: maybe\n",
       "site.yaml:5: home.volumes[0].read_only: expected true or false, got 'maybe'"},
      {"home:\n  volumes: /data\n", "site.yaml:2: home.volumes: expected a list of volumes"},
      {"pod:\n  labels:\n    toolforge: tool\n    'bad key!': x\n",
       "site.yaml:4: pod.labels: 'bad key!' is not a valid Kubernetes key"},
      {"pod:\n  labels:\n    tier: 'not a label value'\n",
       "site.yaml:3: pod.labels: 'not a label value' is not a valid label value (63 characters at "
       "most: letters, digits, '-', '_', '.')"},
      {"pod:\n  image_pull_policy: always\n",
       "site.yaml:2: pod.image_pull_policy: 'always' is not an image pull policy (expected Always, "
       "IfNotPresent or Never)"},
      {"pod:\n  service_account: My_Account\n",
       "site.yaml:2: pod.service_account: 'My_Account' is not a valid name"},
      {"resources:\n  default_memory: 512m\n",
       "site.yaml:2: resources.default_memory: '512m' is not a whole number of bytes ('m' means "
       "milli; did you mean '512Mi'?)"},
      {"resources:\n  max_cpu: lots\n",
       "site.yaml:2: resources.max_cpu: 'lots' is not a Kubernetes quantity (e.g. 500m, 1, 0.5)"},
      {"resources:\n  default_cpu: 0\n",
       "site.yaml:2: resources.default_cpu: must be more than zero"},
      {"resources:\n  max_memory: 256Mi\n",
       "site.yaml:2: resources.default_memory: 512Mi is more than resources.max_memory (256Mi)"},
      {"resources:\n  default_cpu: 2\n",
       "site.yaml:2: resources.default_cpu: 2 is more than resources.max_cpu (1)"},
      {"jobs:\n  backoff_limit: -1\n",
       "site.yaml:2: jobs.backoff_limit: -1 is out of range (0 to 2147483647)"},
      {"jobs:\n  ttl_seconds_after_finished: 10m\n",
       "site.yaml:2: jobs.ttl_seconds_after_finished: expected an integer, got '10m'"},
      {"jobs:\n  check_program: yes please\n",
       "site.yaml:2: jobs.check_program: expected true or false, got 'yes please'"},
      {"client:\n  tls_session_cache: off\n",
       "site.yaml:2: client.tls_session_cache: expected true or false, got 'off'"},
      {"client:\n  timeout_seconds: 0\n",
       "site.yaml:2: client.timeout_seconds: 0 is out of range (1 to 3600)"},
      {"client:\n  retry:\n    initial_backoff_ms: 9000\n",
       "site.yaml:3: client.retry.initial_backoff_ms: 9000 is more than "
       "client.retry.max_backoff_ms "
       "(5000)"},
      {"client:\n  retry: 3\n", "site.yaml:2: client.retry: expected a mapping"},
      {"local:\n  state_dir: state\n",
       "site.yaml:2: local.state_dir: must be an absolute path, got 'state'"},
      {"mail:\n  default_domain: a@b\n",
       "site.yaml:2: mail.default_domain: 'a@b' is not a mail domain"},
      {"mail:\n  relay: http://x\n",
       "site.yaml:2: mail.relay: 'http://x' is not an SMTP relay (expected smtp://host:port or "
       "smtps://)"},
      {"mail:\n  starttls: maybe\n",
       "site.yaml:2: mail.starttls: 'maybe' is not a STARTTLS mode (expected never, try or "
       "always)"},
      {"mail:\n  from: 'a b@x.org'\n", "site.yaml:2: mail.from: 'a b@x.org' is not a mail address"},
      {"mail:\n  batch_window_seconds: -1\n",
       "site.yaml:2: mail.batch_window_seconds: -1 is out of range (0 to 86400)"},
      {"mail:\n  sendmail: sendmail\n",
       "site.yaml:2: mail.sendmail: must be an absolute path or empty, got 'sendmail'"},
      {"jobs:\n  backoff_limit: 1\n  backoff_limit: 2\n",
       "site.yaml:3: jobs.backoff_limit: given twice"},
      {"- backend\n", "site.yaml:1: expected a mapping of settings"},
  };
  for (const Case& c : cases) EXPECT_EQ(testing::site_config_error(c.yaml), c.message) << c.yaml;
}

// Which of `names`, put into `yaml_template` at {}, the site configuration accepts.
std::vector<std::string> accepted(const std::string& yaml_template,
                                  const std::vector<std::string>& names) {
  std::vector<std::string> ok;
  const auto at = yaml_template.find("{}");
  for (const auto& name : names) {
    std::string yaml = yaml_template.substr(0, at) + name + yaml_template.substr(at + 2);
    if (parse_site_config(yaml, "site.yaml")) ok.push_back(name);
  }
  return ok;
}

TEST(SiteConfigNames, KubernetesNameRulesForKeysValuesReleasesAndVolumes) {
  const std::vector<std::string> good_keys{"a",
                                           "tier",
                                           "Tier_1.x",
                                           "example.org/tier",
                                           "a.b-c.d/e",
                                           "x/" + std::string(63, 'n'),
                                           std::string(253, 'a') + "/n"};
  const std::vector<std::string> bad_keys{"-a",
                                          "a-",
                                          "a b",
                                          "Example.org/tier",
                                          "a..b/x",
                                          ".a/x",
                                          "a./x",
                                          "/x",
                                          "a/",
                                          "a/b/c",
                                          "x/" + std::string(64, 'n'),
                                          std::string(254, 'a') + "/n",
                                          std::string(64, 'a')};
  const std::string label_key = "pod:\n  labels:\n    '{}': x\n";
  EXPECT_EQ(accepted(label_key, good_keys), good_keys);
  EXPECT_EQ(accepted(label_key, bad_keys), std::vector<std::string>{});

  EXPECT_EQ(
      accepted("pod:\n  labels:\n    tier: '{}'\n",
               {"", "python3.11_x-y", std::string(63, 'v'), std::string(64, 'v'), "_x", "x."}),
      (std::vector<std::string>{"", "python3.11_x-y", std::string(63, 'v')}));
  EXPECT_EQ(
      accepted("home:\n  volumes:\n    - name: '{}'\n      path: /data\n",
               {"home", "a-0", std::string(63, 'v'), std::string(64, 'v'), "a.b", "a_b", "-a"}),
      (std::vector<std::string>{"home", "a-0", std::string(63, 'v')}));
}

TEST(SiteConfigErrors, YamlSyntaxErrorsReportTheLine) {
  std::string message =
      testing::site_config_error("backend: local\njobs:\n  backoff_limit: [1, 2\n");
  EXPECT_EQ(message.rfind("site.yaml:", 0), 0u) << message;
  EXPECT_NE(message.find(':', 10), std::string::npos);
  auto parsed = parse_site_config("a: b\n  c: d\n", "x.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().file, "x.yaml");
  EXPECT_EQ(parsed.error().line, 2);
  EXPECT_EQ(parsed.error().message.rfind("x.yaml:2: ", 0), 0u) << parsed.error().message;
}

TEST(SiteConfigQuantities, Memory) {
  struct Case {
    const char* text;
    std::int64_t bytes;
  };
  for (const Case& c : std::vector<Case>{{"512Mi", 512LL << 20},
                                         {"4Gi", 4LL << 30},
                                         {"1.5Gi", 1536LL << 20},
                                         {"0.5Ki", 512},
                                         {"1G", 1000000000},
                                         {"1k", 1000},
                                         {"1E", 1000000000000000000},
                                         {"1e3", 1000},
                                         {"1000e-3", 1},
                                         {"+100", 100},
                                         {"0", 0},
                                         {"2Ei", 2LL << 60}}) {
    auto parsed = parse_memory_quantity(c.text);
    ASSERT_TRUE(parsed) << c.text << ": " << parsed.error();
    EXPECT_EQ(*parsed, c.bytes) << c.text;
  }
  EXPECT_EQ(parse_memory_quantity("1.5").error(), "'1.5' is not a whole number of bytes");
  EXPECT_EQ(parse_memory_quantity("-1Gi").error(), "'-1Gi' must not be negative");
  EXPECT_EQ(parse_memory_quantity("8Ei").error(), "'8Ei' is too large");
  EXPECT_EQ(parse_memory_quantity("512MB").error(),
            "'512MB' is not a Kubernetes quantity (e.g. 512Mi, 2Gi, 1G)");
  EXPECT_FALSE(parse_memory_quantity(""));
  EXPECT_FALSE(parse_memory_quantity("."));
  EXPECT_FALSE(parse_memory_quantity("1e"));
  EXPECT_FALSE(parse_memory_quantity("1 Gi"));
  EXPECT_EQ(format_memory_quantity(512LL << 20), "512Mi");
  EXPECT_EQ(format_memory_quantity(1536LL << 20), "1536Mi");
  EXPECT_EQ(format_memory_quantity(4LL << 30), "4Gi");
  EXPECT_EQ(format_memory_quantity(1000), "1000");
  EXPECT_EQ(format_memory_quantity(0), "0");
}

TEST(SiteConfigQuantities, Cpu) {
  EXPECT_EQ(*parse_cpu_quantity("500m"), 500);
  EXPECT_EQ(*parse_cpu_quantity("1"), 1000);
  EXPECT_EQ(*parse_cpu_quantity("0.5"), 500);
  EXPECT_EQ(*parse_cpu_quantity(".1"), 100);
  EXPECT_EQ(*parse_cpu_quantity("2.25"), 2250);
  EXPECT_EQ(*parse_cpu_quantity("1k"), 1000000);
  EXPECT_EQ(parse_cpu_quantity("0.0001").error(), "'0.0001' is not a whole number of millicores");
  EXPECT_EQ(parse_cpu_quantity("1core").error(),
            "'1core' is not a Kubernetes quantity (e.g. 500m, 1, 0.5)");
  EXPECT_EQ(format_cpu_quantity(500), "500m");
  EXPECT_EQ(format_cpu_quantity(2000), "2");
  EXPECT_EQ(format_cpu_quantity(1500), "1500m");
}

// Found by fuzz/site_config_fuzzer.cpp: "1.221Pi" CPUs are 1374723786254843904 millicores,
// which format_cpu_quantity writes with 19 digits; the parser took at most 18.
TEST(SiteConfigQuantities, EveryFormattedQuantityParsesBack) {
  const std::int64_t millis = *parse_cpu_quantity("1.221Pi");
  EXPECT_EQ(millis, 1374723786254843904);
  const auto again = parse_cpu_quantity(format_cpu_quantity(millis));
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, millis);
  EXPECT_EQ(*parse_memory_quantity("9223372036854775807"),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_memory_quantity("9223372036854775808").error(),
            "'9223372036854775808' is too large");
  EXPECT_EQ(parse_memory_quantity("99999999999999999999").error(),
            "'99999999999999999999' is too large");
  EXPECT_EQ(*parse_memory_quantity("0000000000000000000000012Ki"), 12288);
}

class SiteConfigLoad : public ::testing::Test {
 protected:
  TempDir dir;
  sys::Environment env{{{"HOME", "/home/alice"}}};
  std::filesystem::path missing() const { return dir.path() / "absent.yaml"; }
};

TEST_F(SiteConfigLoad, MissingDefaultFileMeansDefaults) {
  auto loaded = load_site_config(env, missing());
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->backend, Backend::Local);
  EXPECT_EQ(loaded->describe_source(), "built-in defaults");
  EXPECT_EQ(loaded->local.state_dir, "/home/alice/.local/state/k8sjobs");
}

TEST_F(SiteConfigLoad, ReadsTheDefaultFile) {
  auto path = dir.write("config.yaml", "backend: kubernetes\n");
  auto loaded = load_site_config(env, path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->backend, Backend::Kubernetes);
  EXPECT_EQ(loaded->describe_source(), path.string());
}

TEST_F(SiteConfigLoad, K8sjobsConfigNamesTheFileAndMustExist) {
  auto named = dir.write("mine.yaml", "jobs:\n  backoff_limit: 4\n");
  auto fallback = dir.write("config.yaml", "jobs:\n  backoff_limit: 1\n");
  env.set("K8SJOBS_CONFIG", named.string());
  auto loaded = load_site_config(env, fallback);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->jobs.backoff_limit, 4);
  EXPECT_EQ(loaded->source, named);

  env.set("K8SJOBS_CONFIG", missing().string());
  loaded = load_site_config(env, fallback);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(
      loaded.error().message,
      missing().string() + ": cannot read: No such file or directory (named by K8SJOBS_CONFIG)");
}

TEST_F(SiteConfigLoad, ErrorsInTheFileNameTheFile) {
  auto path = dir.write("config.yaml", "backend: kubernetes\njobs:\n  backof_limit: 2\n");
  auto loaded = load_site_config(env, path);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message, path.string() +
                                        ":3: unknown key 'jobs.backof_limit' (did you mean "
                                        "'jobs.backoff_limit'?)");
  EXPECT_EQ(loaded.error().file, path.string());
  EXPECT_EQ(loaded.error().line, 3);

  auto loaded_dir = load_site_config(env, dir.path());
  ASSERT_FALSE(loaded_dir);
  EXPECT_EQ(loaded_dir.error().message, dir.path().string() + ": cannot read: is a directory");
}

TEST_F(SiteConfigLoad, K8sjobsBackendOverridesTheFile) {
  auto path = dir.write("config.yaml", "backend: kubernetes\n");
  env.set("K8SJOBS_BACKEND", "local");
  auto loaded = load_site_config(env, path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->backend, Backend::Local);
  EXPECT_EQ(loaded->describe_source(), path.string() + " (overridden by K8SJOBS_BACKEND)");

  env.set("K8SJOBS_BACKEND", "kubernetes");
  loaded = load_site_config(env, missing());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->backend, Backend::Kubernetes);

  env.set("K8SJOBS_BACKEND", "k8s");
  loaded = load_site_config(env, path);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message,
            "K8SJOBS_BACKEND: 'k8s' is not a backend (expected 'local' or 'kubernetes')");
}

TEST_F(SiteConfigLoad, StateDirComesFromEnvThenFileThenXdgThenHome) {
  auto path = dir.write("config.yaml", "local:\n  state_dir: /var/lib/k8sjobs\n");
  env.set("XDG_STATE_HOME", "/xdg/state");
  auto loaded = load_site_config(env, missing());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->local.state_dir, "/xdg/state/k8sjobs");

  loaded = load_site_config(env, path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->local.state_dir, "/var/lib/k8sjobs");

  env.set("K8SJOBS_STATE_DIR", "/tmp/jobs-state");
  loaded = load_site_config(env, path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->local.state_dir, "/tmp/jobs-state");
  EXPECT_EQ(loaded->env_overrides, std::vector<std::string>{"K8SJOBS_STATE_DIR"});

  // A relative XDG_STATE_HOME is invalid by the XDG spec and ignored.
  env.unset("K8SJOBS_STATE_DIR");
  env.set("XDG_STATE_HOME", "relative");
  loaded = load_site_config(env, missing());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->local.state_dir, "/home/alice/.local/state/k8sjobs");

  loaded = load_site_config(sys::Environment(), missing());
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->local.state_dir.empty());
}

}  // namespace
}  // namespace k8sjobs::site
