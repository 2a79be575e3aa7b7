#include "support/cluster_fixture.h"

#include <cstdlib>
#include <regex>

#include "support/wait.h"

namespace k8sjobs::testing {

namespace {

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string tool_of(const std::string& unix_user) {
  const std::string prefix = "tools.";
  return unix_user.rfind(prefix, 0) == 0 ? unix_user.substr(prefix.size()) : unix_user;
}

std::optional<nlohmann::json> labelled(const std::vector<nlohmann::json>& items, long long id) {
  for (const auto& item : items) {
    const auto& labels = item["metadata"].value("labels", nlohmann::json::object());
    if (labels.value("k8sjobs.io/job-id", "") == std::to_string(id)) return item;
  }
  return std::nullopt;
}

}  // namespace

ClusterFixture::ClusterFixture() {
  alice_ = add_user("tools.alice");
  bob_ = add_user("tools.bob");
}

ClusterUser ClusterFixture::add_user(const std::string& unix_user) {
  ClusterUser user{unix_user, "token-" + tool_of(unix_user), "tool-" + tool_of(unix_user)};
  server_.add_token_user(user.token, user.unix_user, {user.namespace_name});
  write_files(user);
  return user;
}

ClusterUser ClusterFixture::add_service_account(const std::string& name,
                                                const std::string& home_namespace) {
  ClusterUser account{"system:serviceaccount:" + home_namespace + ":" + name, "token-sa-" + name,
                      home_namespace};
  server_.add_token_user(account.token, account.unix_user, {"*"});
  write_files(account);
  return account;
}

std::filesystem::path ClusterFixture::home_of(const ClusterUser& user) const {
  return dir_.path() / "home" / tool_of(user.unix_user);
}

void ClusterFixture::write_files(const ClusterUser& user) {
  const std::string tool = tool_of(user.unix_user);
  std::filesystem::create_directories(home_of(user));
  dir_.write("kube/" + tool + ".kubeconfig",
             "apiVersion: v1\n"
             "kind: Config\n"
             "clusters:\n"
             "- name: test\n"
             "  cluster:\n"
             "    server: " +
                 server_.url() +
                 "\n"
                 "    certificate-authority-data: " +
                 base64(server_.ca_pem()) +
                 "\n"
                 "users:\n"
                 "- name: " +
                 tool +
                 "\n"
                 "  user:\n"
                 "    token: " +
                 user.token +
                 "\n"
                 "contexts:\n"
                 "- name: test\n"
                 "  context:\n"
                 "    cluster: test\n"
                 "    user: " +
                 tool + "\n    namespace: " + user.namespace_name +
                 "\n"
                 "current-context: test\n");
  dir_.write("config/" + tool + ".yaml",
             "backend: kubernetes\n"
             "kubernetes:\n"
             "  kubeconfig: " +
                 (dir_.path() / "kube" / (tool + ".kubeconfig")).string() +
                 "\n"
                 "home:\n"
                 "  path_template: " +
                 (dir_.path() / "home" / "{tool}").string() + "\n");
}

std::map<std::string, std::string> ClusterFixture::environment(
    const ClusterUser& as, const std::optional<std::string>& unix_user) const {
  const std::string tool = tool_of(as.unix_user);
  const std::string who = unix_user.value_or(as.unix_user);
  std::map<std::string, std::string> env;
  env["K8SJOBS_CONFIG"] = (dir_.path() / "config" / (tool + ".yaml")).string();
  env["K8SJOBS_USER"] = who;
  env["USER"] = who;
  env["LOGNAME"] = who;
  env["HOME"] = home_of(as).string();
  env["TZ"] = "UTC";
  env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  // Sanitizer builds: keep the children's reports readable and their exit codes
  // meaningful.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  return env;
}

CommandOutput ClusterFixture::run(const std::string& command, std::vector<std::string> args,
                                  const ClusterUser& as,
                                  const std::optional<std::string>& unix_user) const {
  CommandSpec spec;
  spec.program = built_command(command);
  spec.args = std::move(args);
  spec.environment = environment(as, unix_user);
  spec.working_directory = home_of(as);
  return run_command(spec);
}

std::optional<nlohmann::json> ClusterFixture::job_object(const std::string& ns,
                                                         long long id) const {
  return labelled(server_.list("/apis/batch/v1/namespaces/" + ns + "/jobs"), id);
}

std::optional<nlohmann::json> ClusterFixture::deployment_object(const std::string& ns,
                                                                long long id) const {
  return labelled(server_.list("/apis/apps/v1/namespaces/" + ns + "/deployments"), id);
}

std::vector<std::string> ClusterFixture::pods_of(const std::string& ns, long long id) const {
  if (auto job = job_object(ns, id))
    return server_.pods_of_job(ns, (*job)["metadata"].value("name", ""));
  if (auto deployment = deployment_object(ns, id))
    return server_.pods_of_deployment(ns, (*deployment)["metadata"].value("name", ""));
  return {};
}

std::string ClusterFixture::wait_for_pod(const std::string& ns, long long id) const {
  std::string pod;
  wait_until(
      [&] {
        auto pods = pods_of(ns, id);
        if (!pods.empty()) pod = pods.front();
        return !pods.empty();
      },
      kEventDeadline, "a pod of job " + std::to_string(id) + " in " + ns);
  return pod;
}

long long ClusterFixture::submit(const std::vector<std::string>& jsub_args) const {
  auto result = run("jsub/jsub", jsub_args);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return submitted_job_id(result.out);
}

bool ClusterFixture::job_suspended(const std::string& ns, long long id) const {
  auto job = job_object(ns, id);
  EXPECT_TRUE(job.has_value()) << "job " << id;
  return job && (*job)["spec"].value("suspend", false);
}

long long submitted_job_id(const std::string& jsub_output) {
  static const std::regex kLine(R"(Your job(?:-array)? (\d+))");
  std::smatch match;
  if (!std::regex_search(jsub_output, match, kLine)) return 0;
  return std::stoll(match[1].str());
}

}  // namespace k8sjobs::testing
