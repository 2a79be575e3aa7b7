// SPDX-License-Identifier: Apache-2.0
// Grid Engine's -m mail end to end against a real SMTP server: the built jsub submits with
// -m/-M, the test API server runs the pods, the built k8sjobs-controller --once queues and
// sends the mails through Debian's aiosmtpd (started here, storing each message in a
// maildir). Without python3-aiosmtpd these tests fail: scripts/setup.sh installs it.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/build_paths.h"
#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/controller_process.h"
#include "support/shipped_rbac.h"
#include "support/tool_alice.h"
#include "support/wait.h"

extern char** environ;

namespace k8sjobs::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// aiosmtpd on 127.0.0.1:port writing every message it accepts into a maildir.
class SmtpServer {
 public:
  SmtpServer(int port, std::filesystem::path maildir) : port_(port), maildir_(std::move(maildir)) {}
  ~SmtpServer() { stop(); }

  ::testing::AssertionResult start() {
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    std::vector<std::string> words{
        kPython,          "-m", "aiosmtpd", "-n", "-l", listen, "-c", "aiosmtpd.handlers.Mailbox",
        maildir_.string()};
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, kPython, nullptr, nullptr, argv.data(), environ) != 0)
      return ::testing::AssertionFailure() << "cannot start " << kPython;
    return wait_until(
               [&] {
                 int status = 0;
                 if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                   pid_ = 0;
                   return true;  // ended: reported below
                 }
                 return accepts_connections(port_);
               },
               std::chrono::seconds(20), "aiosmtpd to listen (is python3-aiosmtpd installed?)") &&
                   pid_ != 0
               ? ::testing::AssertionSuccess()
               : ::testing::AssertionFailure()
                     << "aiosmtpd did not start: install python3-aiosmtpd (scripts/setup.sh)";
  }

  void stop() {
    if (pid_ == 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }

  // Every message received so far, oldest first by file time.
  std::vector<std::string> messages() const {
    std::vector<std::pair<std::filesystem::file_time_type, std::string>> found;
    std::error_code error;
    for (const auto& sub : {"new", "cur"}) {
      for (const auto& entry : std::filesystem::directory_iterator(maildir_ / sub, error)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        found.emplace_back(entry.last_write_time(), text.str());
      }
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& [time, text] : found) out.push_back(std::move(text));
    return out;
  }

 private:
  int port_;
  std::filesystem::path maildir_;
  pid_t pid_ = 0;
};

class MailE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;
  int port = free_port();
  SmtpServer smtp{port, cluster.dir().path() / "maildir"};

  std::string config_path() {
    auto env = cluster.environment(cluster.alice());
    const std::filesystem::path original = env["K8SJOBS_CONFIG"];
    const std::filesystem::path path = cluster.dir().path() / "controller.yaml";
    std::ifstream in(original);
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream out(path);
    out << text.str() << "\nmail:\n  relay: smtp://127.0.0.1:" << port
        << "\n  from: k8sjobs@example.org\n  starttls: never\n  batch_window_seconds: 0\n";
    return path.string();
  }

  CommandOutput controller_once() {
    CommandSpec spec = controller_once_spec(cluster, kAliceNamespace);
    spec.environment["K8SJOBS_CONFIG"] = config_path();
    return run_command(spec);
  }

  long long submit(const std::vector<std::string>& args) { return cluster.submit(args); }

  std::string run_and_finish(long long id, int exit_code) {
    const std::string pod = cluster.wait_for_pod(kAliceNamespace, id);
    EXPECT_FALSE(pod.empty());
    cluster.server().set_pod_running(kAliceNamespace, pod, "node-1");
    cluster.server().finish_pod(kAliceNamespace, pod, exit_code);
    return pod;
  }
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(MailE2E, BeginAndEndMailsInGridEnginesWordsEachOnce) {
  ASSERT_TRUE(smtp.start());
  const long long id =
      submit({"-stderr", "-N", "mailjob", "-m", "be", "-M", "bob@example.org", "true"});
  ASSERT_GT(id, 0);
  const std::string pod = cluster.wait_for_pod(kAliceNamespace, id);
  ASSERT_FALSE(pod.empty());
  cluster.server().set_pod_running(kAliceNamespace, pod, "node-1");
  auto first = controller_once();
  EXPECT_EQ(first.exit_code, 0) << first.err;
  auto mails = smtp.messages();
  ASSERT_EQ(mails.size(), 1u) << first.err;
  const std::string job = "Job " + std::to_string(id) + " (mailjob)";
  EXPECT_TRUE(has(mails[0], "Subject: " + job + " Started\n")) << mails[0];
  EXPECT_TRUE(has(mails[0], "To: bob@example.org\n")) << mails[0];
  EXPECT_TRUE(has(mails[0], "From: k8sjobs@example.org\n")) << mails[0];
  EXPECT_TRUE(has(mails[0], "Message-ID: <k8sjobs.")) << mails[0];
  EXPECT_TRUE(has(mails[0], "\n\n" + job +
                                " Started\n User       = tools.alice\n"
                                " Queue      = task\n Host       = node-1\n Start Time = "))
      << mails[0];

  cluster.server().finish_pod(kAliceNamespace, pod, 0);
  auto second = controller_once();
  EXPECT_EQ(second.exit_code, 0) << second.err;
  mails = smtp.messages();
  ASSERT_EQ(mails.size(), 2u) << second.err;
  EXPECT_TRUE(has(mails[1], "Subject: " + job + " Complete\n")) << mails[1];
  EXPECT_TRUE(has(mails[1], " Queue            = task@node-1\n Host             = node-1\n"))
      << mails[1];
  EXPECT_TRUE(has(mails[1], " Max vmem         = 0.000\n Exit Status      = 0")) << mails[1];

  // Nothing twice: the Job is marked, the outbox is empty.
  auto third = controller_once();
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(smtp.messages().size(), 2u) << third.err;
  auto object = cluster.job_object(kAliceNamespace, id);
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ((*object)["metadata"]["annotations"].value("k8sjobs.io/mail-queued", ""), "0.b,0.e");
}

TEST_F(MailE2E, TwoJobsEndingInOneWindowAreOneMail) {
  ASSERT_TRUE(smtp.start());
  const long long a = submit({"-stderr", "-N", "first", "-m", "e", "true"});
  const long long b = submit({"-stderr", "-N", "second", "-m", "e", "true"});
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  run_and_finish(a, 0);
  run_and_finish(b, 3);
  auto pass = controller_once();
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  auto mails = smtp.messages();
  ASSERT_EQ(mails.size(), 1u) << pass.err;
  // jsub's default recipient: <user>@<site mail domain>.
  EXPECT_TRUE(has(mails[0], "To: tools.alice@toolforge.org\n")) << mails[0];
  EXPECT_TRUE(has(mails[0], "Subject: k8sjobs: 2 job events\n")) << mails[0];
  const auto first = mails[0].find("Job " + std::to_string(a) + " (first) Complete\n");
  const auto second = mails[0].find("Job " + std::to_string(b) + " (second) Complete\n");
  ASSERT_NE(first, std::string::npos) << mails[0];
  ASSERT_NE(second, std::string::npos) << mails[0];
  EXPECT_LT(first, second);
  EXPECT_TRUE(has(mails[0].substr(second), "Exit Status      = 3")) << mails[0];
}

TEST_F(MailE2E, RelayDownThenUpDeliversExactlyOnce) {
  const long long id =
      submit({"-stderr", "-N", "patient", "-m", "e", "-M", "bob@example.org", "true"});
  ASSERT_GT(id, 0);
  run_and_finish(id, 0);
  auto down = controller_once();
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_TRUE(has(down.err, "not sent")) << down.err;
  auto outbox =
      cluster.server().get("/api/v1/namespaces/tool-alice/configmaps/k8sjobs-mail-outbox");
  ASSERT_TRUE(outbox.has_value());
  EXPECT_TRUE((*outbox)["data"].contains(std::to_string(id) + ".0.e")) << outbox->dump();

  ASSERT_TRUE(smtp.start());
  auto up = controller_once();
  EXPECT_EQ(up.exit_code, 0) << up.err;
  auto again = controller_once();
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto mails = smtp.messages();
  ASSERT_EQ(mails.size(), 1u) << up.err << again.err;
  EXPECT_TRUE(has(mails[0], "Subject: Job " + std::to_string(id) + " (patient) Complete\n"));
  outbox = cluster.server().get("/api/v1/namespaces/tool-alice/configmaps/k8sjobs-mail-outbox");
  ASSERT_TRUE(outbox.has_value());
  EXPECT_FALSE((*outbox)["data"].contains(std::to_string(id) + ".0.e")) << outbox->dump();
}

// deploy/rbac.yaml is enough for mail: bound only to its rules, the controller lists the pods,
// keeps the outbox ConfigMap and marks the Job.
TEST_F(MailE2E, TheShippedRbacIsEnoughForMail) {
  const nlohmann::json rules = shipped_controller_rules();
  ASSERT_GE(rules.size(), 2u);
  ASSERT_TRUE(smtp.start());
  const long long id = submit({"-stderr", "-N", "rbac", "-m", "e", "true"});
  ASSERT_GT(id, 0);
  run_and_finish(id, 0);
  cluster.server().bind_role("tools.alice", controller_role(rules));
  auto pass = controller_once();
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_EQ(pass.err.find("forbidden"), std::string::npos) << pass.err;
  ASSERT_EQ(smtp.messages().size(), 1u) << pass.err;
  auto object = cluster.job_object(kAliceNamespace, id);
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ((*object)["metadata"]["annotations"].value("k8sjobs.io/mail-queued", ""), "0.e");
}

}  // namespace
}  // namespace k8sjobs::testing
