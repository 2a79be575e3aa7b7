// SPDX-License-Identifier: Apache-2.0
// The status page end to end: the built k8sjobs-controller (--listen) against the test API
// server with jobs in several states, running as its own service account bound to exactly the
// rules deploy/rbac.yaml grants; every page, the JSON and /metrics fetched over HTTP agree with
// qstat; a job's page shows its Kubernetes Events; the overview shows the cluster's capacity
// (nodes), memory in use (metrics.k8s.io, which the test server serves here) and the tasks
// finished within the hour, also one whose Job is gone (from its accounting record); a state change
// shows up without a restart; submissions and completions are counted in /metrics; POST is refused;
// headless Chromium loads the pages (DOM checked, screenshots kept in the build folder) and
// promtool accepts /metrics. One controller serves every check (Chromium's start-up is most of
// the time).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "apiserver/https_test_client.h"
#include "support/build_paths.h"
#include "support/cluster_fixture.h"
#include "support/command_runner.h"
#include "support/controller_process.h"
#include "support/shipped_rbac.h"
#include "support/tool_alice.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

// The pid of the controller this test started: the one whose command line holds `identity`.
pid_t pid_with_argument(const std::string& identity) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (line.find(std::string("\0", 1) + identity + std::string("\0", 1)) != std::string::npos &&
        line.find("k8sjobs-controller") != std::string::npos)
      return static_cast<pid_t>(std::stol(entry.path().filename().string()));
  }
  return 0;
}

// qstat's state letters by job ID (the default listing).
std::map<long long, std::string> qstat_states(const ClusterFixture& cluster) {
  std::map<long long, std::string> states;
  std::istringstream in(cluster.run("qstat/qstat", {}).out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    long long number = 0;
    std::string prior, name, user, state;
    if (words >> number >> prior >> name >> user >> state) states[number] = state;
  }
  return states;
}

CommandOutput chromium(const std::vector<std::string>& args, const std::string& url) {
  CommandSpec spec;
  spec.program = "/usr/bin/chromium";
  spec.args = {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--user-data-dir=" + (fs::path(K8SJOBS_BINARY_DIR) / "status-chromium").string()};
  spec.args.insert(spec.args.end(), args.begin(), args.end());
  spec.args.push_back(url);
  spec.timeout = std::chrono::seconds(60);
  return run_command(spec);
}

class StatusPageE2E : public ::testing::Test {
 protected:
  ClusterFixture cluster;

  long long submit(const std::vector<std::string>& args) { return cluster.submit(args); }
  std::string only_pod(long long id) {
    auto pod = cluster.wait_for_pod(kAliceNamespace, id);
    EXPECT_FALSE(pod.empty()) << "job " << id;
    return pod;
  }
};

TEST_F(StatusPageE2E, PagesJsonMetricsAndBrowserAgreeWithQstat) {
  // Jobs in several states: r, Eqw, hqw, qw, and a hostile name.
  const long long running = submit({"-stderr", "-N", "runner", "true"});
  const std::string running_pod = only_pod(running);
  cluster.server().set_pod_running(kAliceNamespace, running_pod, "node-1");
  const long long broken = submit({"-stderr", "-N", "badimg", "true"});
  cluster.server().set_pod_image_pull_backoff(kAliceNamespace, only_pod(broken));
  const long long held = submit({"-stderr", "-N", "held", "-h", "true"});
  const long long hostile = submit({"-stderr", "-N", "x<script>alert(1)", "true"});
  ASSERT_GT(hostile, 0);
  // A job that finished and whose Job is gone before this controller starts: only its
  // accounting record (written by a --once pass) says it finished within the hour.
  const long long gone = submit({"-stderr", "-N", "gone", "true"});
  const std::string gone_pod = only_pod(gone);
  cluster.server().set_pod_running(kAliceNamespace, gone_pod);
  cluster.server().finish_pod(kAliceNamespace, gone_pod, 0);
  ASSERT_EQ(run_controller_once(cluster, kAliceNamespace).exit_code, 0);
  const auto gone_job = cluster.job_object(kAliceNamespace, gone);
  ASSERT_TRUE(gone_job.has_value());
  ASSERT_TRUE((*gone_job)["metadata"]["annotations"].contains("k8sjobs.io/accounted"));
  HttpsTestClient as_alice(cluster.server().port(), cluster.server().ca_pem(),
                           cluster.alice().token);
  ASSERT_EQ(as_alice
                .request("DELETE", "/apis/batch/v1/namespaces/tool-alice/jobs/" +
                                       (*gone_job)["metadata"]["name"].get<std::string>() +
                                       "?propagationPolicy=Background")
                .status,
            200);
  // Another tool with a running job and a held one, so the overview has two rows.
  auto bot = cluster.run("jsub/jsub", {"-stderr", "-N", "bot", "true"}, cluster.bob());
  ASSERT_EQ(bot.exit_code, 0) << bot.err;
  ASSERT_EQ(
      cluster.run("jsub/jsub", {"-stderr", "-N", "later", "-h", "true"}, cluster.bob()).exit_code,
      0);
  const std::string bob_pod = cluster.wait_for_pod("tool-bob", submitted_job_id(bot.out));
  ASSERT_FALSE(bob_pod.empty());
  cluster.server().set_pod_running("tool-bob", bob_pod, "node-1");
  // metrics-server's figures for the two running tasks.
  cluster.server().set_pod_memory_usage(kAliceNamespace, running_pod, 300LL << 20);
  cluster.server().set_pod_memory_usage("tool-bob", bob_pod, 120LL << 20);
  // The cluster's one node.
  cluster.server().create("/api/v1/nodes",
                          {{"metadata", {{"name", "node-1"}}},
                           {"status", {{"allocatable", {{"cpu", "3920m"}, {"memory", "16Gi"}}}}}});
  // The controller's own service account, bound to exactly what deploy/rbac.yaml grants.
  const ClusterUser account = cluster.add_service_account("k8sjobs-controller", "k8sjobs-system");
  cluster.server().bind_role(account.unix_user, controller_role(shipped_controller_rules()));

  // The port is chosen here and bound by the controller a moment later: another process may
  // take it meanwhile (any outgoing connection's source port), and then the controller exits at
  // once. So a controller that ends before it is ready is started again on another port.
  int port = 0;
  std::string identity;
  CommandOutput output;
  std::atomic<bool> exited{false};
  std::thread controller;
  struct Stop {
    std::thread& thread;
    std::string& identity;
    ~Stop() {
      if (pid_t pid = pid_with_argument(identity); pid > 0) ::kill(pid, SIGTERM);
      if (thread.joinable()) thread.join();
    }
  } stop{controller, identity};
  ::testing::AssertionResult ready = ::testing::AssertionFailure();
  for (int attempt = 0; attempt < 3 && !ready; ++attempt) {
    if (controller.joinable()) controller.join();
    port = free_port();
    identity = "e2e-status-" + std::to_string(::getpid()) + "-" + std::to_string(attempt);
    CommandSpec spec;
    spec.program = built_command("controller/k8sjobs-controller");
    spec.args = {"--namespace",
                 kAliceNamespace,
                 "--namespace",
                 "tool-bob",
                 "--identity",
                 identity,
                 "--listen",
                 "127.0.0.1:" + std::to_string(port),
                 "--status-interval",
                 "1",
                 "--kubeconfig",
                 (cluster.dir().path() / "kube" / (account.unix_user + ".kubeconfig")).string()};
    spec.environment = cluster.environment(account);
    spec.timeout = std::chrono::seconds(170);
    exited = false;
    controller = std::thread([&output, &exited, spec] {
      output = run_command(spec);
      exited = true;
    });
    httplib::Client probe("127.0.0.1", port);
    probe.set_connection_timeout(2);
    bool ended = false;
    ready = wait_until(
        [&] {
          auto reply = probe.Get("/readyz");
          if (reply && reply->status == 200) return true;
          ended = exited;
          return ended;
        },
        std::chrono::seconds(30), "the status server to be ready");
    if (!ended) break;  // still running but never ready: no second controller beside it
    ready = ::testing::AssertionFailure() << "the controller ended:\n" << output.err;
  }
  ASSERT_TRUE(ready) << ready.message();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto get = [&](const std::string& path) {
    auto reply = client.Get(path.c_str());
    EXPECT_TRUE(reply) << path;
    EXPECT_EQ(reply ? reply->status : 0, 200) << path;
    return reply ? reply->body : std::string();
  };

  // The JSON states are qstat's.
  const auto qstat = qstat_states(cluster);
  EXPECT_EQ(qstat.at(running), "r");
  EXPECT_EQ(qstat.at(broken), "Eqw");
  EXPECT_EQ(qstat.at(held), "hqw");
  auto jobs = json::parse(get("/api/v1/namespaces/tool-alice/jobs"));
  std::map<long long, std::string> page_states;
  for (const auto& row : jobs["jobs"]) page_states[row["id"]] = row["state"];
  EXPECT_EQ(page_states, qstat);
  auto overview = json::parse(get("/api/v1/overview"));
  ASSERT_EQ(overview["namespaces"].size(), 2u);
  EXPECT_EQ(overview["namespaces"][0]["name"], kAliceNamespace);
  EXPECT_EQ(overview["namespaces"][0]["tasks_by_state"]["Eqw"], 1);
  auto detail = json::parse(get("/api/v1/namespaces/tool-alice/jobs/" + std::to_string(broken)));
  EXPECT_EQ(detail["tasks"][0]["state"], "Eqw");
  EXPECT_NE(detail["tasks"][0]["reason"].get<std::string>().find("ImagePullBackOff"),
            std::string::npos);

  // Capacity from the node; memory in use from metrics.k8s.io; what finished within the hour,
  // including the job whose Job is gone.
  EXPECT_EQ(overview["capacity"]["nodes"], 1);
  EXPECT_EQ(overview["capacity"]["cpu_millicores"], 3920);
  EXPECT_EQ(overview["capacity"]["memory_bytes"], 16LL << 30);
  EXPECT_TRUE(overview["memory_note"].is_null()) << overview.dump();
  EXPECT_EQ(overview["namespaces"][0]["memory_used_bytes"], 300LL << 20);
  EXPECT_EQ(overview["namespaces"][1]["memory_used_bytes"], 120LL << 20);
  for (const auto& row : jobs["jobs"]) {
    if (row["id"] == running) {
      EXPECT_EQ(row["memory_used_bytes"], 300LL << 20);
    } else {
      EXPECT_TRUE(row["memory_used_bytes"].is_null()) << row.dump();
    }
  }
  EXPECT_EQ(overview["namespaces"][0]["finished_last_hour"], 1) << overview.dump();
  EXPECT_EQ(overview["namespaces"][0]["tasks_by_state"].value("z", 0), 0);  // its Job is gone

  // The job's Events: the Job controller's, the kubelet's pull failure.
  std::map<std::string, json> events;
  for (const auto& event : detail["events"]) events[event["reason"]] = event;
  EXPECT_EQ(events.count("SuccessfulCreate"), 1u) << detail.dump();
  ASSERT_EQ(events.count("BackOff"), 1u) << detail.dump();
  EXPECT_EQ(events["BackOff"]["type"], "Warning");
  EXPECT_EQ(events["BackOff"]["object"].get<std::string>().rfind("Pod/", 0), 0u);
  EXPECT_TRUE(detail["events_unavailable"].is_null());

  // HTML: the hostile name escaped, the job page holds qstat -j's fields.
  const std::string tool = get("/namespaces/tool-alice?sort=-state");
  EXPECT_NE(tool.find("x&lt;script&gt;alert(1)"), std::string::npos) << tool;
  EXPECT_EQ(tool.find("<script>alert"), std::string::npos);
  EXPECT_NE(get("/").find("href=\"/namespaces/tool-alice\""), std::string::npos);
  EXPECT_NE(get("/namespaces/tool-alice/jobs/" + std::to_string(running)).find("job_number:"),
            std::string::npos);

  // Read-only.
  auto post = client.Post("/", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  auto missing = client.Get("/namespaces/tool-alice/jobs/999999");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  // /metrics, and promtool's verdict on it.
  const std::string metrics = get("/metrics");
  EXPECT_NE(metrics.find("k8sjobs_jobs{namespace=\"tool-alice\",state=\"Eqw\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("k8sjobs_held_jobs{namespace=\"tool-alice\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("k8sjobs_controller_watch_events_total{kind=\"jobs\"}"),
            std::string::npos);
  ASSERT_TRUE(fs::exists("/usr/bin/promtool"))
      << "promtool is missing: install Debian's prometheus package (scripts/setup.sh)";
  CommandSpec promtool;
  promtool.program = "/usr/bin/promtool";
  promtool.args = {"check", "metrics"};
  promtool.stdin_text = metrics;
  auto checked = run_command(promtool);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;

  // A job submitted and completed while the controller watches: counted in /metrics, and in
  // the finished-within-the-hour column next to the one from the accounting record.
  const long long late = submit({"-stderr", "-N", "late", "true"});
  const std::string late_pod = only_pod(late);
  cluster.server().set_pod_running(kAliceNamespace, late_pod);
  cluster.server().finish_pod(kAliceNamespace, late_pod, 0);
  EXPECT_TRUE(wait_until(
      [&] {
        const std::string text = get("/metrics");
        return text.find("k8sjobs_jobs_submitted_total{namespace=\"tool-alice\"} 1\n") !=
                   std::string::npos &&
               text.find("k8sjobs_jobs_completed_total{namespace=\"tool-alice\"} 1\n") !=
                   std::string::npos &&
               text.find("k8sjobs_tasks_finished_last_hour{namespace=\"tool-alice\"} 2\n") !=
                   std::string::npos;
      },
      std::chrono::seconds(10), "the late job to be counted as submitted and completed"))
      << get("/metrics");

  // A state change shows up without a restart: qrls of the held job makes it qw.
  ASSERT_EQ(cluster.run("qdel/qrls", {std::to_string(held)}).exit_code, 0);
  EXPECT_TRUE(wait_until(
      [&] {
        const auto listing = json::parse(get("/api/v1/namespaces/tool-alice/jobs"));
        for (const auto& row : listing["jobs"])
          if (row["id"] == held) return row["state"] != "hqw";
        return false;
      },
      std::chrono::seconds(10), "the released job to leave hqw on the status page"))
      << get("/api/v1/namespaces/tool-alice/jobs") << get("/metrics");

  // A real browser: the DOM as Chromium builds it, and screenshots at phone and desktop width.
  ASSERT_TRUE(fs::exists("/usr/bin/chromium"))
      << "chromium is missing: install Debian's chromium package (scripts/setup.sh)";
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto dom = chromium({"--dump-dom"}, base + "/namespaces/tool-alice");
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("x&lt;script&gt;alert(1)"), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find(">badimg</td>"), std::string::npos);
  EXPECT_NE(dom.out.find(">Eqw</td>"), std::string::npos);
  auto job_dom =
      chromium({"--dump-dom"}, base + "/namespaces/tool-alice/jobs/" + std::to_string(broken));
  ASSERT_EQ(job_dom.exit_code, 0) << job_dom.err;
  EXPECT_NE(job_dom.out.find("<table id=\"events\">"), std::string::npos) << job_dom.out;
  EXPECT_NE(job_dom.out.find(">BackOff</td>"), std::string::npos);
  auto overview_dom = chromium({"--dump-dom"}, base + "/");
  ASSERT_EQ(overview_dom.exit_code, 0) << overview_dom.err;
  EXPECT_NE(overview_dom.out.find("Cluster capacity: 1 node, 3.9 CPUs, 16.0 GiB of memory "
                                  "allocatable. Memory in use: 420 MiB by running tasks."),
            std::string::npos)
      << overview_dom.out;
  const fs::path shots = fs::path(K8SJOBS_BINARY_DIR) / "status-screenshots";
  fs::create_directories(shots);
  const std::vector<std::pair<std::string, std::string>> pages = {
      {"overview", "/"},
      {"tool", "/namespaces/tool-alice"},
      {"job", "/namespaces/tool-alice/jobs/" + std::to_string(broken)}};
  // The overview for docs/admin.md (docs/images/status-overview.png is a copy of it).
  auto docs_shot = chromium({"--screenshot=" + (shots / "overview-docs.png").string(),
                             "--window-size=1000,300", "--hide-scrollbars"},
                            base + "/");
  EXPECT_EQ(docs_shot.exit_code, 0) << docs_shot.err;
  for (const auto& [name, path] : pages) {
    for (const auto& [size, window] :
         {std::pair<std::string, std::string>{"phone", "390,844"}, {"desktop", "1280,800"}}) {
      const fs::path file = shots / (name + "-" + size + ".png");
      fs::remove(file);
      auto shot = chromium(
          {"--screenshot=" + file.string(), "--window-size=" + window, "--hide-scrollbars"},
          base + path);
      EXPECT_EQ(shot.exit_code, 0) << shot.err;
      EXPECT_TRUE(fs::exists(file) && fs::file_size(file) > 1000) << file;
    }
  }
}

}  // namespace
}  // namespace k8sjobs::testing
