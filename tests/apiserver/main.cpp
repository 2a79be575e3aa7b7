// k8sjobs-test-apiserver: runs the test API server for benchmarks and demos.
// Usage: k8sjobs-test-apiserver --dir DIR [--token-user TOKEN:USER:NS[,NS]]...
//        [--cert-user CN:ORG:NS[,NS]]... [--stdin-eof]
//        [--latency real|none|WRITE_MS,READ_MS[,READ_MS_PER_MIB]]
// --latency: what each request costs (test_apiserver.h, LatencyModel). `real` charges what
// kube-apiserver v1.32 with etcd 3.4 charges on loopback: each write holds one log for 4.5 ms
// (so concurrent writes queue), each GET/LIST 1 ms plus 20 ms per MiB of its body. `none` (the
// default) answers at once. WRITE_MS,READ_MS[,READ_MS_PER_MIB] sets them, in milliseconds
// (fractions allowed), e.g. 4.5,1,20; the per-MiB cost is 0 when left out.
// --preload COLLECTION:MANAGER:FILE (benchmark-only shortcut; repeatable): before answering
// anything, creates each object of FILE (one JSON object a line, as a client would POST it) in
// COLLECTION (e.g. /apis/batch/v1/namespaces/tool-alice/jobs) as MANAGER's create, the
// controllers running as for any create, but without HTTP and without the latency model. It
// stands in for a long history of writes (100,000 Jobs cost 450 s of simulated fsync alone) so
// that a benchmark can measure the reads that follow; it measures nothing itself.
// Writes DIR/ca.crt and DIR/kubeconfig (one context per user, the first is current), prints
// "listening on https://127.0.0.1:PORT", then "latency model: ..." and serves until
// SIGTERM/SIGINT (or stdin EOF).

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/test_apiserver.h"

namespace {

struct UserSpec {
  bool token;
  std::string secret;  // token, or CN for certificate users
  std::string name;    // user name, or O for certificate users
  std::vector<std::string> namespaces;
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

void write_file(const std::filesystem::path& path, const std::string& content, bool secret) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (secret) {
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
}

int usage() {
  std::cerr
      << "usage: k8sjobs-test-apiserver --dir DIR [--token-user TOKEN:USER:NS[,NS]]... "
         "[--cert-user CN:ORG:NS[,NS]]... [--latency real|none|WRITE_MS,READ_MS[,READ_MS_PER_MIB]] "
         "[--preload COLLECTION:MANAGER:FILE]... [--stdin-eof]\n";
  return 2;
}

// Milliseconds, fractions allowed ("4.5"), not negative.
std::optional<std::chrono::microseconds> parse_ms(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t used = 0;
  double ms = 0;
  try {
    ms = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || !(ms >= 0) || ms > 60000) return std::nullopt;
  return std::chrono::microseconds(static_cast<long long>(ms * 1000.0 + 0.5));
}

struct Preload {
  std::string collection, manager;
  std::filesystem::path file;
};

std::optional<Preload> parse_preload(const std::string& text) {
  size_t first = text.find(':');
  size_t second = first == std::string::npos ? first : text.find(':', first + 1);
  if (second == std::string::npos) return std::nullopt;
  Preload preload{text.substr(0, first), text.substr(first + 1, second - first - 1),
                  text.substr(second + 1)};
  if (preload.collection.empty() || preload.file.empty()) return std::nullopt;
  return preload;
}

// Creates FILE's objects; false (with a message) when one cannot be read or is refused.
bool run_preload(k8sjobs::testing::TestApiServer& server, const Preload& preload) {
  auto started = std::chrono::steady_clock::now();
  std::ifstream in(preload.file);
  if (!in) {
    std::cerr << "k8sjobs-test-apiserver: cannot read " << preload.file << "\n";
    return false;
  }
  std::string line;
  long count = 0;
  try {
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      server.create(preload.collection, nlohmann::json::parse(line), preload.manager);
      ++count;
    }
  } catch (const std::exception& e) {
    std::cerr << "k8sjobs-test-apiserver: preload " << preload.file << ", object " << count + 1
              << ": " << e.what() << "\n";
    return false;
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::cout << "preloaded " << count << " objects into " << preload.collection << " in "
            << took.count() << " s\n";
  return true;
}

std::optional<k8sjobs::testing::LatencyModel> parse_latency(const std::string& text) {
  using k8sjobs::testing::LatencyModel;
  if (text == "real") return LatencyModel::real_v1_32();
  if (text == "none") return LatencyModel::none();
  auto parts = split(text, ',');
  if (parts.size() != 2 && parts.size() != 3) return std::nullopt;
  auto write = parse_ms(parts[0]);
  auto read = parse_ms(parts[1]);
  auto per_mib = parts.size() == 3
                     ? parse_ms(parts[2])
                     : std::optional<std::chrono::microseconds>(std::chrono::microseconds(0));
  if (!write || !read || !per_mib) return std::nullopt;
  return LatencyModel{*write, *read, *per_mib};
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir;
  std::vector<UserSpec> users;
  bool stdin_eof = false;
  k8sjobs::testing::LatencyModel latency;
  std::vector<Preload> preloads;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--stdin-eof") {
      stdin_eof = true;
    } else if (arg == "--latency" && i + 1 < argc) {
      auto model = parse_latency(argv[++i]);
      if (!model) return usage();
      latency = *model;
    } else if (arg == "--preload" && i + 1 < argc) {
      auto preload = parse_preload(argv[++i]);
      if (!preload) return usage();
      preloads.push_back(*preload);
    } else if ((arg == "--dir" || arg == "--token-user" || arg == "--cert-user") && i + 1 < argc) {
      std::string value = argv[++i];
      if (arg == "--dir") {
        dir = value;
        continue;
      }
      auto fields = split(value, ':');
      if (fields.size() != 3) return usage();
      users.push_back({arg == "--token-user", fields[0], fields[1], split(fields[2], ',')});
    } else {
      return usage();
    }
  }
  if (dir.empty()) return usage();
  std::filesystem::create_directories(dir);
  dir = std::filesystem::absolute(dir);

  // Block the stop signals before any thread starts, then wait for them synchronously.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  k8sjobs::testing::TestApiServer server(latency);
  write_file(dir / "ca.crt", server.ca_pem(), false);
  std::string clusters = "clusters:\n- name: test\n  cluster:\n    server: " + server.url() +
                         "\n    certificate-authority: " + (dir / "ca.crt").string() + "\n";
  std::string contexts = "contexts:\n";
  std::string user_entries = "users:\n";
  std::string current;
  for (const auto& u : users) {
    std::string user_name = u.token ? u.name : u.secret;
    std::string ns = u.namespaces.empty() ? "default" : u.namespaces.front();
    if (current.empty()) current = user_name;
    contexts += "- name: " + user_name + "\n  context:\n    cluster: test\n    user: " + user_name +
                "\n    namespace: " + ns + "\n";
    if (u.token) {
      server.add_token_user(u.secret, u.name, u.namespaces);
      user_entries += "- name: " + user_name + "\n  user:\n    token: " + u.secret + "\n";
    } else {
      auto cert = server.add_certificate_user(u.secret, u.name, u.namespaces);
      write_file(dir / (u.secret + ".crt"), cert.cert_pem, false);
      write_file(dir / (u.secret + ".key"), cert.key_pem, true);
      user_entries += "- name: " + user_name +
                      "\n  user:\n    client-certificate: " + (dir / (u.secret + ".crt")).string() +
                      "\n    client-key: " + (dir / (u.secret + ".key")).string() + "\n";
    }
  }
  std::string kubeconfig = "apiVersion: v1\nkind: Config\n" + clusters + contexts + user_entries +
                           "current-context: " + current + "\n";
  write_file(dir / "kubeconfig", kubeconfig, true);
  for (const auto& preload : preloads) {
    if (!run_preload(server, preload)) return 1;
  }
  std::cout << "listening on " << server.url() << "\n"
            << "latency model: " << latency.describe() << std::endl;

  std::thread stdin_watcher;
  if (stdin_eof) {
    stdin_watcher = std::thread([] {
      char buffer[256];
      while (read(STDIN_FILENO, buffer, sizeof buffer) > 0) {
      }
      kill(getpid(), SIGTERM);
    });
    stdin_watcher.detach();
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  return 0;
}
