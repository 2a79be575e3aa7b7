#pragma once
// The site configuration: what differs between one k8sjobs installation and another (which
// backend, namespaces, images, home volumes, limits, retry policy). Read once at start-up from
// /etc/k8sjobs/config.yaml (or $K8SJOBS_CONFIG); every default reproduces Toolforge, so a
// Toolforge-like site needs no file at all. docs/config.md documents each key.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8sjobs/expected.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::site {

enum class Backend {
  Local,       // the embedded backend: jobs run on this host, state in local.state_dir
  Kubernetes,  // jobs become Kubernetes Jobs, CronJobs and Deployments
};
std::string_view to_string(Backend backend);

// Every key a site configuration file may contain, dotted; "home.volumes[].name" is a key of one
// volume entry. docs/config.md and the man pages document each (tests/package checks).
const std::vector<std::string>& site_config_keys();

struct VolumeSpec {
  enum class Type { HostPath, Nfs, Pvc };
  std::string name;  // the pod volume's name (an RFC 1123 label)
  Type type = Type::HostPath;
  std::string path;        // hostPath: the host directory; nfs: the exported path
  std::string server;      // nfs only
  std::string claim_name;  // pvc only
  std::string mount_path;  // where the container sees it
  bool read_only = false;
  bool operator==(const VolumeSpec&) const = default;
};
std::string_view to_string(VolumeSpec::Type type);

struct KubernetesSettings {
  std::optional<std::filesystem::path>
      kubeconfig;                                  // unset: $KUBECONFIG, ~/.kube/config, in-cluster
  std::optional<std::string> context;              // unset: the kubeconfig's current-context
  std::string namespace_template = "tool-{tool}";  // placeholders {user} and {tool}
};

// One entry of images.rules: which jobs it takes (one kind of match, one or more words) and the
// image they run in. The first rule that matches a job wins (translate/image_choice.h).
struct ImageRule {
  enum class Match {
    Program,         // "program": the program's (or its #! interpreter's) basename: php, python3
    Runtime,         // "runtime": -l runtime=NAME
    RequestedImage,  // "requested_image": -l image=NAME
  };
  Match match = Match::Program;
  std::vector<std::string> words;
  std::string image;  // a key of images.names or images.releases, or a full image reference
  bool operator==(const ImageRule&) const = default;
};
std::string_view to_string(ImageRule::Match match);  // the rule's YAML key: "program", ...

struct ImageSettings {
  std::map<std::string, std::string> releases;  // release name -> image reference
  std::string default_release = "bookworm";
  // Short image names, as Toolforge's images ConfigMap had them: "php8.2" -> reference.
  std::map<std::string, std::string> names;
  std::vector<ImageRule> rules;  // in order; the release's image is the rule after the last
  // The image with every interpreter, for a shell script that calls interpreters no one image
  // has (a name or a reference); empty: the default release's image.
  std::string everything;

  // A rule's image as a reference: a key of `names`, else of `releases`, else the text itself
  // when it is a reference (has '/', ':' or '@'); nullopt for an unknown short name.
  std::optional<std::string> reference_for(const std::string& image) const;
  std::string everything_reference() const;  // `everything` resolved; "" if nothing is set
};

struct HomeSettings {
  std::string path_template = "/data/project/{tool}";
  std::vector<VolumeSpec> volumes;  // mounted into every pod so the home is visible there
};

struct PodSettings {
  std::map<std::string, std::string> labels;  // added to every pod (and its owner object)
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> node_selector;
  std::optional<std::string> service_account;
  std::string image_pull_policy = "IfNotPresent";
};

struct ResourceSettings {
  std::int64_t default_memory_bytes = std::int64_t{512} << 20;  // 512Mi, as jsub's 524288k
  std::int64_t max_memory_bytes = std::int64_t{4} << 30;        // 4Gi
  std::int64_t default_cpu_millis = 500;
  std::int64_t max_cpu_millis = 1000;
};

struct JobSettings {
  // Finished Jobs stay visible this long (qstat -s z, job exit status) before Kubernetes
  // deletes them. Toolforge used 30 s, too short to see why a cron job failed.
  std::int64_t ttl_seconds_after_finished = 600;
  std::int64_t backoff_limit = 0;  // Grid Engine never retried a failed job
  std::int64_t deployment_termination_grace_seconds = 15;
  bool check_program = true;  // jsub checks the program exists (home is shared with the pods)
};

struct RetrySettings {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::seconds deadline{60};
};

struct ClientSettings {
  std::chrono::seconds timeout{30};  // per request
  RetrySettings retry;
  // Keep TLS sessions in the user's cache directory so the next command resumes the handshake.
  bool tls_session_cache = true;
};

struct LocalSettings {
  // Resolved by load_site_config: $K8SJOBS_STATE_DIR, then this key, then
  // $XDG_STATE_HOME/k8sjobs, then ~/.local/state/k8sjobs. Empty only when nothing applies.
  std::filesystem::path state_dir;
};

struct MailSettings {
  enum class StartTls {
    Never,   // plain SMTP (a relay on the same host or network)
    Try,     // STARTTLS when the relay offers it
    Always,  // STARTTLS or nothing is sent
  };
  std::string default_domain = "toolforge.org";
  // Where k8sjobs-controller sends -m mail: "smtp://host[:port]" or "smtps://host[:port]"
  // (TLS from the start). Empty: the controller sends no mail (and queues none).
  std::string relay;
  std::string from;  // the From address; empty: k8sjobs@<default_domain>
  StartTls starttls = StartTls::Try;
  std::string username;                   // SMTP AUTH when set
  std::filesystem::path password_file;    // its password (the file's first line)
  std::chrono::seconds batch_window{60};  // one mail per recipient per window
  int max_recipients = 20;                // of one job's -M list; the rest are skipped
  // The local backend's sendmail(8) program (absolute); empty: the local backend sends no mail.
  std::string sendmail = "/usr/sbin/sendmail";

  std::string from_address() const;
};
std::string_view to_string(MailSettings::StartTls mode);

// Living beside other job systems in the same namespace.
struct InteropSettings {
  // qstat, qdel, job and jstop also see the Toolforge jobs framework's Jobs, CronJobs and
  // Deployments (labelled app.kubernetes.io/managed-by=toolforge-jobs-framework): a tool that
  // moved some jobs to `toolforge jobs run` sees all of them (docs/qstat.md).
  bool toolforge_jobs = true;
};

struct SiteConfig {
  SiteConfig();  // every default, Toolforge's values

  Backend backend = Backend::Local;
  std::string tool_prefix = "tools.";  // Unix user tools.alice is tool alice
  KubernetesSettings kubernetes;
  ImageSettings images;
  HomeSettings home;
  PodSettings pod;
  ResourceSettings resources;
  JobSettings jobs;
  ClientSettings client;
  LocalSettings local;
  MailSettings mail;
  InteropSettings interop;

  std::filesystem::path source;            // the file read; empty for built-in defaults
  std::vector<std::string> env_overrides;  // environment variables that changed a value

  // "tools.alice" -> "alice"; a user without the prefix is its own tool.
  std::string tool_name(const std::string& user) const;
  std::string namespace_for(const std::string& user) const;
  std::string home_for(const std::string& user) const;
  std::string default_mail_address(const std::string& user) const;
  std::vector<std::string> known_releases() const;  // the keys of images.releases
  std::optional<std::string> image_for(const std::string& release) const;
  // For --version: "/etc/k8sjobs/config.yaml", "built-in defaults", plus any env overrides.
  std::string describe_source() const;
};

struct SiteConfigError {
  std::string file;     // "" when the problem is not in a file (an environment variable)
  int line = 0;         // 1-based; 0 when unknown
  std::string message;  // complete: "<file>:<line>: <what is wrong>"
};

// Reads $K8SJOBS_CONFIG (must exist) or default_path (may be missing: built-in defaults), then
// applies K8SJOBS_BACKEND and K8SJOBS_STATE_DIR, expands "~/" with $HOME and resolves
// local.state_dir.
Expected<SiteConfig, SiteConfigError> load_site_config(
    const sys::Environment& env, std::filesystem::path default_path = "/etc/k8sjobs/config.yaml");

// Parses one YAML document; source_name is used in messages. No environment, no files.
Expected<SiteConfig, SiteConfigError> parse_site_config(const std::string& yaml_text,
                                                        const std::string& source_name);

// Replaces {user} and {tool} in a namespace or home template.
std::string expand_template(std::string_view pattern, const std::string& user,
                            const std::string& tool);

// Kubernetes quantities, exactly (no floating point): "512Mi" -> 536870912 bytes,
// "0.5" or "500m" -> 500 millicores. The error says what is wrong with the text.
Expected<std::int64_t, std::string> parse_memory_quantity(std::string_view text);
Expected<std::int64_t, std::string> parse_cpu_quantity(std::string_view text);
// The canonical spelling for manifests: 536870912 -> "512Mi", 1500 -> "1500m", 2000 -> "2".
std::string format_memory_quantity(std::int64_t bytes);
std::string format_cpu_quantity(std::int64_t millis);

}  // namespace k8sjobs::site
