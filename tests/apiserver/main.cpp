// k8sjobs-test-apiserver: runs the test API server for benchmarks and demos.
// Usage: k8sjobs-test-apiserver --dir DIR [--token-user TOKEN:USER:NS[,NS]]...
//        [--cert-user CN:ORG:NS[,NS]]... [--stdin-eof]
// Writes DIR/ca.crt and DIR/kubeconfig (one context per user, the first is current), prints
// "listening on https://127.0.0.1:PORT" and serves until SIGTERM/SIGINT (or stdin EOF).

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
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
  std::cerr << "usage: k8sjobs-test-apiserver --dir DIR [--token-user TOKEN:USER:NS[,NS]]... "
               "[--cert-user CN:ORG:NS[,NS]]... [--stdin-eof]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir;
  std::vector<UserSpec> users;
  bool stdin_eof = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--stdin-eof") {
      stdin_eof = true;
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

  k8sjobs::testing::TestApiServer server;
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
  std::cout << "listening on " << server.url() << std::endl;

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
