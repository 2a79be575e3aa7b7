#include "exec_plugin.h"

#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/filesystem/path.hpp>
#include <boost/process.hpp>
#include <cctype>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "kubeconfig_base64.h"

namespace k8sjobs::kube::detail {
namespace {

namespace bp = boost::process;
using json = nlohmann::json;

std::string first_line(const std::string& text) {
  auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  auto end = text.find_first_of("\r\n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string not_found(const ExecPluginConfig& exec) {
  std::string message =
      "exec plugin \"" + exec.command + "\" failed: executable \"" + exec.command + "\" not found";
  if (!exec.install_hint.empty()) message += ". " + exec.install_hint;
  return message;
}

// PATH lookup as the plugin's own environment would do it (kubectl uses os/exec's LookPath).
boost::filesystem::path find_executable(const std::string& command, const sys::Environment& env) {
  if (command.find('/') != std::string::npos) return command;
  std::vector<boost::filesystem::path> dirs;
  const std::string path = env.get_or("PATH", "/usr/local/bin:/usr/bin:/bin");
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    dirs.emplace_back(dir.empty() ? "." : dir);
    start = end + 1;
  }
  return bp::search_path(command, dirs);
}

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    long long value = 0;
    int count = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
      if (count < 9) {
        value = value * 10 + (text[pos] - '0');
        ++count;
      }
      ++pos;
    }
    if (count == 0) return std::nullopt;
    for (int i = count; i < 9; ++i) value *= 10;
    fraction = nanoseconds(value);
  }
  minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int offset_hours = 0, offset_minutes = 0;
    if (!digits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, offset_minutes)) {
      return std::nullopt;
    }
    offset = hours(offset_hours) + minutes(offset_minutes);
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  auto local = sys_days(date) + hours(hour) + minutes(minute) + seconds(second) + fraction;
  return time_point_cast<system_clock::duration>(local - offset);
}

std::string exec_info_json(const ExecPluginConfig& exec, const ConnectionConfig& connection) {
  json spec = {{"interactive", false}};
  if (exec.provide_cluster_info) {
    json cluster = {{"server", connection.server}};
    if (connection.certificate_authority_pem) {
      cluster["certificate-authority-data"] = base64_encode(*connection.certificate_authority_pem);
    }
    if (connection.tls_server_name) cluster["tls-server-name"] = *connection.tls_server_name;
    if (connection.insecure_skip_tls_verify) cluster["insecure-skip-tls-verify"] = true;
    spec["cluster"] = std::move(cluster);
  }
  json info = {{"apiVersion", exec.api_version}, {"kind", "ExecCredential"}, {"spec", spec}};
  return info.dump();
}

Result<ExecCredentialResult> run_exec_plugin(const ExecPluginConfig& exec,
                                             const ConnectionConfig& connection,
                                             const sys::Environment& env) {
  const std::string name = "exec plugin \"" + exec.command + "\"";
  // k8sjobs never hands the plugin a terminal (it may run under a batch system).
  if (exec.interactive_mode == "Always") {
    return unexpected(config_error(name + " needs interactiveMode Always, but k8sjobs runs "
                                          "plugins without a terminal; use IfAvailable or Never"));
  }
  const boost::filesystem::path executable = find_executable(exec.command, env);
  boost::system::error_code ec;
  if (executable.empty() || !boost::filesystem::exists(executable, ec)) {
    return unexpected(config_error(not_found(exec)));
  }

  std::map<std::string, std::string> vars = env.all();
  for (const auto& [key, value] : exec.env) vars[key] = value;
  vars["KUBERNETES_EXEC_INFO"] = exec_info_json(exec, connection);
  // set() rather than operator[]: Boost 1.74's environment::find reads past short entries.
  bp::environment child_env;
  for (const auto& [key, value] : vars) child_env.set(key, value);

  boost::asio::io_context io;
  std::future<std::string> out;
  std::future<std::string> err;
  int status = 0;
  try {
    bp::child child(executable, bp::args(exec.args), child_env,
                    bp::std_in<bp::null, bp::std_out> out, bp::std_err > err, io);
    io.run();
    child.wait();
    status = child.native_exit_code();
  } catch (const bp::process_error& e) {
    return unexpected(config_error(name + " failed: cannot run it: " + e.code().message()));
  }
  const std::string stdout_text = out.get();
  const std::string stderr_text = err.get();

  if (WIFSIGNALED(status) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string message = name + " failed: ";
    message += WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                   : "exit code " + std::to_string(WEXITSTATUS(status));
    if (auto line = first_line(stderr_text); !line.empty()) message += ": " + line;
    return unexpected(config_error(std::move(message)));
  }

  // Parse errors are not quoted: the parser's message can echo part of a token.
  const json reply = json::parse(stdout_text, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    return unexpected(
        config_error(name + " failed: its output is not an ExecCredential JSON object"));
  }
  const std::string returned_version =
      reply.contains("apiVersion") && reply["apiVersion"].is_string()
          ? reply["apiVersion"].get<std::string>()
          : "";
  if (returned_version != exec.api_version) {
    return unexpected(config_error(name + " is configured to use API version " + exec.api_version +
                                   ", but returned version \"" + returned_version + "\""));
  }
  if (reply.contains("kind") && reply["kind"] != "ExecCredential") {
    return unexpected(config_error(name + " returned a kind other than ExecCredential"));
  }
  if (!reply.contains("status") || !reply["status"].is_object()) {
    return unexpected(config_error(name + " failed: it returned no status"));
  }
  const json& status_json = reply["status"];
  auto text_field = [&](const char* key) -> std::optional<std::string> {
    auto it = status_json.find(key);
    if (it == status_json.end() || !it->is_string() || it->get<std::string>().empty()) {
      return std::nullopt;
    }
    return it->get<std::string>();
  };
  ExecCredentialResult result;
  result.token = text_field("token");
  result.client_certificate_pem = text_field("clientCertificateData");
  result.client_key_pem = text_field("clientKeyData");
  if (!result.token && !result.client_certificate_pem && !result.client_key_pem) {
    return unexpected(
        config_error(name + " failed: it returned no token and no client certificate"));
  }
  if (result.client_certificate_pem.has_value() != result.client_key_pem.has_value()) {
    return unexpected(
        config_error(name + " failed: it returned only a client certificate or key, not both"));
  }
  if (auto expiry = text_field("expirationTimestamp")) {
    result.expiry = parse_rfc3339(*expiry);
    if (!result.expiry) {
      return unexpected(config_error(name + " failed: status.expirationTimestamp \"" + *expiry +
                                     "\" is not an RFC 3339 time"));
    }
  }
  return result;
}

}  // namespace k8sjobs::kube::detail
