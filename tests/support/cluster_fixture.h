#pragma once
// A test cluster for end-to-end tests of the built commands: the test API
// server over HTTPS, tool accounts with bearer tokens confined to their
// namespaces, and for each account a home directory, a kubeconfig and a k8sjobs
// site configuration (backend: kubernetes), so a test runs `jsub`, `qstat`, ...
// exactly as a user would and then moves pods along on the server.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apiserver/test_apiserver.h"
#include "support/command_runner.h"
#include "support/temp_dir.h"

namespace k8sjobs::testing {

// A Unix account as the commands see it (K8SJOBS_USER) and the token its
// kubeconfig holds.
struct ClusterUser {
  std::string unix_user;  // "tools.alice"
  std::string token;
  std::string namespace_name;  // what the token may use, "tool-alice"
};

class ClusterFixture {
 public:
  // Starts the server with tools.alice and tools.bob, each allowed only its own
  // namespace.
  ClusterFixture();

  TestApiServer& server() { return server_; }
  const TempDir& dir() const { return dir_; }
  const ClusterUser& alice() const { return alice_; }
  const ClusterUser& bob() const { return bob_; }

  // Another account; its namespace is "tool-<name after tools.>".
  ClusterUser add_user(const std::string& unix_user);
  // An in-cluster component's service account (`name`, e.g. "k8sjobs-controller"), with a
  // token that reaches every namespace and the cluster scope (what a ClusterRoleBinding
  // allows) and a kubeconfig whose namespace is `home_namespace`: bind it to a Role with
  // server().bind_role("system:serviceaccount:<home_namespace>:<name>", ...) to confine it.
  ClusterUser add_service_account(const std::string& name, const std::string& home_namespace);

  // The environment a command runs with: K8SJOBS_CONFIG (backend: kubernetes,
  // this user's kubeconfig), K8SJOBS_USER, HOME, USER, LOGNAME, PATH, TZ=UTC.
  // `as` chooses the credentials, `unix_user` (default: the same account) who
  // the command thinks runs it.
  std::map<std::string, std::string> environment(
      const ClusterUser& as, const std::optional<std::string>& unix_user = std::nullopt) const;

  // Runs a built command (path under the build dir, e.g. "qstat/qstat") in the
  // user's home.
  CommandOutput run(const std::string& command, std::vector<std::string> args,
                    const ClusterUser& as,
                    const std::optional<std::string>& unix_user = std::nullopt) const;
  CommandOutput run(const std::string& command, std::vector<std::string> args) const {
    return run(command, std::move(args), alice_);
  }

  std::filesystem::path home_of(const ClusterUser& user) const;

  // `jsub ARGS` as alice: adds a test failure unless it exits 0; its job number (0 if none).
  long long submit(const std::vector<std::string>& jsub_args) const;
  // Whether job `id` in `ns` is a Job with spec.suspend set (a failure if there is none).
  bool job_suspended(const std::string& ns, long long id) const;

  // The Job (or Deployment) k8sjobs created for job `id` in `ns`, and its pods.
  std::optional<nlohmann::json> job_object(const std::string& ns, long long id) const;
  std::optional<nlohmann::json> deployment_object(const std::string& ns, long long id) const;
  std::vector<std::string> pods_of(const std::string& ns, long long id) const;
  // Waits until job `id` has a pod (the server's controller made it) and returns its name, or
  // "" if none came within kEventDeadline (support/wait.h): callers fail on "".
  std::string wait_for_pod(const std::string& ns, long long id) const;

 private:
  void write_files(const ClusterUser& user);

  TempDir dir_;
  TestApiServer server_;
  ClusterUser alice_;
  ClusterUser bob_;
};

// "Your job 12 (\"x\") has been submitted" → 12; 0 when the line is not there.
long long submitted_job_id(const std::string& jsub_output);

}  // namespace k8sjobs::testing
