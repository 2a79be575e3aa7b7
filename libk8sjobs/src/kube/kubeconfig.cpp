#include "k8sjobs/kube/kubeconfig.h"

#include <stdexcept>
#include <utility>

#include "k8sjobs/yaml/document.h"
#include "kubeconfig_base64.h"
#include "kubeconfig_files.h"

namespace k8sjobs::kube {
namespace {

constexpr const char* kExecV1 = "client.authentication.k8s.io/v1";
constexpr const char* kExecV1beta1 = "client.authentication.k8s.io/v1beta1";

// Thrown while walking one file's YAML; turned into a ConfigError naming the file and line.
struct ShapeError : std::runtime_error {
  ShapeError(const yaml::Node& node, const std::string& what)
      : std::runtime_error(what), mark(node.mark()) {}
  yaml::Mark mark;
};

std::string location(const std::filesystem::path& file, const yaml::Mark& mark) {
  if (mark.is_null()) return file.string();
  return file.string() + ":" + std::to_string(mark.line + 1);
}

std::optional<std::string> optional_string(const yaml::Node& map, const char* key) {
  const yaml::Node node = map[key];
  if (!node || node.is_null()) return std::nullopt;
  if (!node.is_scalar()) throw ShapeError(node, std::string("\"") + key + "\" must be a string");
  return node.scalar();
}

std::optional<bool> optional_bool(const yaml::Node& map, const char* key) {
  const yaml::Node node = map[key];
  if (!node || node.is_null()) return std::nullopt;
  std::optional<bool> value = yaml::to_bool(node);
  if (!value) throw ShapeError(node, std::string("\"") + key + "\" must be true or false");
  return value;
}

// A field holding a path: relative paths are relative to the kubeconfig's directory.
std::optional<std::string> optional_path(const yaml::Node& map, const char* key,
                                         const std::filesystem::path& base) {
  auto value = optional_string(map, key);
  if (!value || value->empty()) return value;
  std::filesystem::path path(*value);
  if (path.is_relative()) path = (base / path).lexically_normal();
  return path.string();
}

// The `name:` entries of a list such as `clusters:`, with the body under `body_key`.
template <class Parse>
void for_each_named(const yaml::Node& root, const char* list_key, const char* body_key,
                    Parse&& parse) {
  const yaml::Node list = root[list_key];
  if (!list || list.is_null()) return;
  if (!list.is_sequence())
    throw ShapeError(list, std::string("\"") + list_key + "\" must be a list");
  for (const auto& item : list.items()) {
    if (!item.is_map())
      throw ShapeError(item, std::string("entries of \"") + list_key + "\" must be maps");
    auto name = optional_string(item, "name");
    if (!name || name->empty()) {
      throw ShapeError(item, std::string("an entry of \"") + list_key + "\" has no name");
    }
    yaml::Node body = item[body_key];
    if (body && !body.is_null() && !body.is_map()) {
      throw ShapeError(body,
                       std::string("\"") + body_key + "\" of \"" + *name + "\" must be a map");
    }
    if (body.is_null()) body = yaml::Node();  // "cluster:" with nothing under it: no fields
    parse(*name, body);
  }
}

ExecPluginConfig parse_exec(const yaml::Node& node, const std::filesystem::path& base) {
  ExecPluginConfig exec;
  exec.command = optional_string(node, "command").value_or("");
  // kubectl resolves only commands with a slash; bare names are looked up on PATH.
  if (exec.command.find('/') != std::string::npos &&
      std::filesystem::path(exec.command).is_relative()) {
    exec.command = (base / exec.command).lexically_normal().string();
  }
  if (const yaml::Node args = node["args"]; args && !args.is_null()) {
    if (!args.is_sequence()) throw ShapeError(args, "exec \"args\" must be a list");
    for (const auto& arg : args.items()) {
      if (!arg.is_scalar()) throw ShapeError(arg, "exec \"args\" must be strings");
      exec.args.push_back(arg.scalar());
    }
  }
  if (const yaml::Node env = node["env"]; env && !env.is_null()) {
    if (!env.is_sequence()) throw ShapeError(env, "exec \"env\" must be a list");
    for (const auto& var : env.items()) {
      if (!var.is_map()) throw ShapeError(var, "exec \"env\" entries must be {name, value} maps");
      exec.env.emplace_back(optional_string(var, "name").value_or(""),
                            optional_string(var, "value").value_or(""));
    }
  }
  exec.api_version = optional_string(node, "apiVersion").value_or("");
  exec.install_hint = optional_string(node, "installHint").value_or("");
  exec.provide_cluster_info = optional_bool(node, "provideClusterInfo").value_or(false);
  exec.interactive_mode = optional_string(node, "interactiveMode").value_or("");
  // kubeconfig defaulting: v1beta1 plugins are IfAvailable unless told; v1 has no default.
  if (exec.interactive_mode.empty() && exec.api_version == kExecV1beta1) {
    exec.interactive_mode = "IfAvailable";
  }
  return exec;
}

// One file's entries. Within a file a repeated name replaces the earlier one (as the
// kubeconfig v1 conversion does); across files the first file wins.
Kubeconfig parse_file(const yaml::Node& root, const std::filesystem::path& file) {
  Kubeconfig config;
  if (!root || root.is_null()) return config;
  if (!root.is_map()) throw ShapeError(root, "a kubeconfig must be a map");
  const std::filesystem::path base = std::filesystem::absolute(file).parent_path();

  for_each_named(root, "clusters", "cluster", [&](const std::string& name, const yaml::Node& c) {
    KubeconfigCluster cluster;
    cluster.server = optional_string(c, "server").value_or("");
    cluster.certificate_authority = optional_path(c, "certificate-authority", base);
    cluster.certificate_authority_data = optional_string(c, "certificate-authority-data");
    cluster.tls_server_name = optional_string(c, "tls-server-name");
    cluster.insecure_skip_tls_verify = optional_bool(c, "insecure-skip-tls-verify");
    cluster.proxy_url = optional_string(c, "proxy-url");
    cluster.origin = file;
    config.clusters[name] = std::move(cluster);
  });
  for_each_named(root, "users", "user", [&](const std::string& name, const yaml::Node& u) {
    KubeconfigUser user;
    user.client_certificate = optional_path(u, "client-certificate", base);
    user.client_certificate_data = optional_string(u, "client-certificate-data");
    user.client_key = optional_path(u, "client-key", base);
    user.client_key_data = optional_string(u, "client-key-data");
    user.token = optional_string(u, "token");
    user.token_file = optional_path(u, "tokenFile", base);
    user.username = optional_string(u, "username");
    user.impersonate = optional_string(u, "as");
    if (const yaml::Node exec = u["exec"]; exec && !exec.is_null()) {
      if (!exec.is_map()) throw ShapeError(exec, "\"exec\" of user \"" + name + "\" must be a map");
      user.exec = parse_exec(exec, base);
    }
    if (const yaml::Node provider = u["auth-provider"]; provider && !provider.is_null()) {
      user.auth_provider = provider.is_map() ? optional_string(provider, "name").value_or("") : "";
    }
    user.origin = file;
    config.users[name] = std::move(user);
  });
  for_each_named(root, "contexts", "context", [&](const std::string& name, const yaml::Node& c) {
    KubeconfigContext context;
    context.cluster = optional_string(c, "cluster").value_or("");
    context.user = optional_string(c, "user").value_or("");
    context.namespace_name = optional_string(c, "namespace");
    context.origin = file;
    config.contexts[name] = std::move(context);
  });
  config.current_context = optional_string(root, "current-context").value_or("");
  return config;
}

std::string describe_files(const std::vector<std::filesystem::path>& files) {
  if (files.empty()) return "(no files)";
  std::string out;
  for (const auto& file : files) {
    if (!out.empty()) out += ":";
    out += file.string();
  }
  return out;
}

// PEM from `*-data` (base64) or from a file; the data form wins, as in kubectl.
Result<std::optional<std::string>> pem_from(const std::optional<std::string>& data,
                                            const std::optional<std::string>& file,
                                            const std::string& field, const std::string& owner,
                                            const std::filesystem::path& origin) {
  if (data && !data->empty()) {
    auto decoded = detail::base64_decode(*data);
    if (!decoded) {
      return unexpected(config_error(owner + ": " + field + "-data in " + origin.string() +
                                     " is not valid base64"));
    }
    return std::optional<std::string>(std::move(*decoded));
  }
  if (file && !file->empty()) {
    auto content = detail::read_small_file(*file);
    if (!content) {
      return unexpected(config_error("cannot read " + field + " file \"" + *file + "\" for " +
                                     owner + " (from " + origin.string() +
                                     "): " + content.error()));
    }
    return std::optional<std::string>(std::move(*content));
  }
  return std::optional<std::string>();
}

std::optional<std::string> validate_exec(const ExecPluginConfig& exec, const std::string& user) {
  const std::string who = " for user \"" + user + "\" to use an exec plugin";
  if (exec.command.empty()) return "command must be specified" + who;
  if (exec.api_version.empty()) return "apiVersion must be specified" + who;
  if (exec.api_version != kExecV1 && exec.api_version != kExecV1beta1) {
    return "exec plugin of user \"" + user + "\": unsupported apiVersion \"" + exec.api_version +
           "\" (use " + kExecV1 + " or " + kExecV1beta1 + ")";
  }
  for (const auto& [name, value] : exec.env) {
    if (name.empty()) return "env variable name must be specified" + who;
  }
  if (exec.interactive_mode.empty()) return "interactiveMode must be specified" + who;
  if (exec.interactive_mode != "Never" && exec.interactive_mode != "IfAvailable" &&
      exec.interactive_mode != "Always") {
    return "invalid interactiveMode for user \"" + user + "\": \"" + exec.interactive_mode + "\"";
  }
  return std::nullopt;
}

}  // namespace

Result<Kubeconfig> load_kubeconfig(const std::vector<std::filesystem::path>& files) {
  Kubeconfig merged;
  for (const auto& file : files) {
    if (file.empty()) continue;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) continue;  // kubectl skips missing KUBECONFIG entries
    auto text = detail::read_small_file(file);
    if (!text) {
      return unexpected(
          config_error("cannot read kubeconfig " + file.string() + ": " + text.error()));
    }
    Kubeconfig one;
    try {
      one = parse_file(yaml::Document::parse(*text).root(), file);
    } catch (const ShapeError& e) {
      return unexpected(
          config_error("invalid kubeconfig " + location(file, e.mark) + ": " + e.what()));
    } catch (const yaml::ParseError& e) {
      return unexpected(
          config_error("invalid kubeconfig " + location(file, e.mark) + ": " + e.what()));
    }
    merged.files.push_back(file);
    // try_emplace keeps the entry from the first file that defined the name.
    for (auto& [name, cluster] : one.clusters)
      merged.clusters.try_emplace(name, std::move(cluster));
    for (auto& [name, user] : one.users) merged.users.try_emplace(name, std::move(user));
    for (auto& [name, context] : one.contexts)
      merged.contexts.try_emplace(name, std::move(context));
    if (merged.current_context.empty()) merged.current_context = one.current_context;
  }
  return merged;
}

Result<ConnectionConfig> Kubeconfig::connection(std::optional<std::string> context_override) const {
  const std::string where = "kubeconfig " + describe_files(files);
  const std::string context_name =
      context_override && !context_override->empty() ? *context_override : current_context;
  if (context_name.empty()) {
    return unexpected(
        config_error("no current-context is set in " + where +
                     "; set one (kubectl config use-context NAME) or pass a context"));
  }
  auto context_it = contexts.find(context_name);
  if (context_it == contexts.end()) {
    return unexpected(config_error("context \"" + context_name + "\" not found in " + where));
  }
  const KubeconfigContext& context = context_it->second;

  if (context.cluster.empty()) {
    return unexpected(config_error("context \"" + context_name + "\" (in " +
                                   context.origin.string() + ") names no cluster"));
  }
  auto cluster_it = clusters.find(context.cluster);
  if (cluster_it == clusters.end()) {
    return unexpected(config_error("cluster \"" + context.cluster + "\" of context \"" +
                                   context_name + "\" not found in " + where));
  }
  const KubeconfigCluster& cluster = cluster_it->second;
  const std::string cluster_owner = "cluster \"" + context.cluster + "\"";

  ConnectionConfig out;
  out.context_name = context_name;
  out.source = context.origin.string();
  out.namespace_name = context.namespace_name && !context.namespace_name->empty()
                           ? *context.namespace_name
                           : "default";

  if (cluster.server.empty()) {
    return unexpected(
        config_error(cluster_owner + " (in " + cluster.origin.string() + ") has no server"));
  }
  out.server = cluster.server;
  auto ca = pem_from(cluster.certificate_authority_data, cluster.certificate_authority,
                     "certificate-authority", cluster_owner, cluster.origin);
  if (!ca) return unexpected(ca.error());
  out.certificate_authority_pem = std::move(*ca);
  out.tls_server_name = cluster.tls_server_name;
  out.insecure_skip_tls_verify = cluster.insecure_skip_tls_verify.value_or(false);
  if (out.insecure_skip_tls_verify && out.certificate_authority_pem) {
    return unexpected(config_error(cluster_owner + " (in " + cluster.origin.string() +
                                   ") sets both a certificate authority and "
                                   "insecure-skip-tls-verify: true; remove one"));
  }

  // A context without a user is allowed (anonymous), as in kubectl.
  if (context.user.empty()) return out;
  auto user_it = users.find(context.user);
  if (user_it == users.end()) {
    return unexpected(config_error("user \"" + context.user + "\" of context \"" + context_name +
                                   "\" not found in " + where));
  }
  const KubeconfigUser& user = user_it->second;
  const std::string user_owner = "user \"" + context.user + "\"";

  if (user.impersonate) {
    return unexpected(
        config_error(user_owner + " (in " + user.origin.string() +
                     ") sets impersonation (\"as\"), which k8sjobs does not support"));
  }
  auto cert = pem_from(user.client_certificate_data, user.client_certificate, "client-certificate",
                       user_owner, user.origin);
  if (!cert) return unexpected(cert.error());
  auto key = pem_from(user.client_key_data, user.client_key, "client-key", user_owner, user.origin);
  if (!key) return unexpected(key.error());
  if (cert->has_value() != key->has_value()) {
    return unexpected(config_error(
        user_owner + " (in " + user.origin.string() + ") has a client " +
        (cert->has_value() ? "certificate but no client-key" : "key but no client-certificate") +
        "; both are needed"));
  }
  out.auth.client_certificate_pem = std::move(*cert);
  out.auth.client_key_pem = std::move(*key);
  if (user.token && !user.token->empty()) out.auth.token = user.token;
  if (user.token_file && !user.token_file->empty()) out.auth.token_file = user.token_file;
  out.auth.username = user.username;
  if (user.exec) {
    if (auto problem = validate_exec(*user.exec, context.user)) {
      return unexpected(config_error(*problem + " (in " + user.origin.string() + ")"));
    }
    out.auth.exec = user.exec;
  }
  const bool has_credentials =
      out.auth.token || out.auth.token_file || out.auth.client_certificate_pem || out.auth.exec;
  if (user.auth_provider && !has_credentials) {
    return unexpected(config_error(user_owner + " (in " + user.origin.string() +
                                   ") uses auth-provider \"" + *user.auth_provider +
                                   "\", which k8sjobs does not support; use an exec plugin"));
  }
  return out;
}

}  // namespace k8sjobs::kube
