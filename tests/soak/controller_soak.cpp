// SPDX-License-Identifier: Apache-2.0
// k8sjobs-controller-soak: the controller's soak (bench/controller_soak.sh). In one process: the
// test API server (real HTTPS on 127.0.0.1), JOBS Jobs exactly as jsub makes them, in chains of
// CHAIN where each waits (-hold_jid) for the one before, and a kubelet that runs every pod the
// moment its Job is released and ends it with exit 0. The built k8sjobs-controller runs as a
// child process (its loop: list, watch, leader election; --listen off) until every Job has
// completed or TIMEOUT seconds pass. It checks that no Job was released before its predecessor
// finished and reports, one "name value" a line: jobs, completed, early, stuck, seconds, the
// controller's peak RSS (KiB) and CPU seconds (from wait4), the events a watch of the Jobs saw
// meanwhile (what the controller's own Job watch receives) and the cluster's writes.
//
// Usage: k8sjobs-controller-soak CONTROLLER JOBS CHAIN TIMEOUT [real]
//   real: the server charges a real v1.32's latency (tests/apiserver/test_apiserver.h).
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/test_apiserver.h"
#include "k8sjobs/jobs/kube_backend.h"
#include "k8sjobs/jobs/predecessors.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"
#include "k8sjobs/translate/workload.h"
#include "support/temp_dir.h"

extern char** environ;

namespace {

using namespace k8sjobs;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kNs = "tool-alice";
const std::string kJobs = "/apis/batch/v1/namespaces/tool-alice/jobs";

// The Job jsub would create for `jsub -N NAME [-hold_jid PREDECESSOR] /bin/true` as job `id`.
json soak_job(const site::SiteConfig& site, const std::string& name, long long id,
              std::optional<long long> predecessor) {
  ge::SubmitRequest request;
  request.user = "tools.alice";
  request.home = "/data/project/alice";
  request.submit_cwd = request.home;
  request.working_dir = request.home;
  request.job_name = name;
  request.program = "/bin/true";
  request.resolved_program = "/bin/true";
  request.release = site.images.default_release;
  if (predecessor) {
    request.hold_jid = {std::to_string(*predecessor)};
    request.predecessors = {*predecessor};
  }
  translate::SubmitContext context;
  context.hostname = "soak";
  context.submit_time = std::chrono::system_clock::now();
  auto workload = translate::build_workload(request, site,
                                            {id, kNs, translate::object_name(name, id)}, context);
  if (!workload) throw std::runtime_error(workload.error().message);
  return workload->object;
}

long long job_id_of(const json& job) {
  const auto& labels = job["metadata"].value("labels", json::object());
  return std::stoll(labels.value(translate::kJobIdLabel, "0"));
}

pid_t start_controller(const std::string& program, const std::filesystem::path& dir) {
  const std::string kubeconfig = (dir / "kubeconfig").string();
  std::vector<std::string> args = {program,      "--namespace",  kNs,
                                   "--identity", "soak",         "--listen",
                                   "off",        "--kubeconfig", kubeconfig};
  std::vector<std::string> env = {"HOME=" + dir.string(), "PATH=/usr/bin:/bin",
                                  "K8SJOBS_CONFIG=" + (dir / "config.yaml").string(),
                                  "K8SJOBS_LOG=warn", "TZ=UTC"};
  std::vector<char*> argv, envp;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0)
    throw std::runtime_error("cannot start " + program);
  return pid;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 5) {
    std::cerr << "usage: k8sjobs-controller-soak CONTROLLER JOBS CHAIN TIMEOUT [real]\n";
    return 2;
  }
  const std::string controller = argv[1];
  const int count = std::stoi(argv[2]);
  const int chain = std::stoi(argv[3]);
  const auto timeout = std::chrono::seconds(std::stoi(argv[4]));
  const bool real = argc > 5 && std::string(argv[5]) == "real";

  testing::TestApiServer server(real ? testing::LatencyModel::real_v1_32()
                                     : testing::LatencyModel::none());
  server.add_token_user("soak-token", "tools.alice", {kNs});
  testing::TempDir dir;
  std::ofstream(dir.path() / "ca.crt") << server.ca_pem();
  std::ofstream(dir.path() / "kubeconfig")
      << "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: "
      << server.url() << "\n    certificate-authority: " << (dir.path() / "ca.crt").string()
      << "\ncontexts:\n- name: alice\n  context:\n    cluster: test\n    user: alice\n"
      << "    namespace: " << kNs << "\nusers:\n- name: alice\n  user:\n    token: soak-token\n"
      << "current-context: alice\n";
  std::ofstream(dir.path() / "config.yaml") << "backend: kubernetes\n";

  // The chains: job 1..count, each but the first of a chain waiting for the one before.
  site::SiteConfig site;
  for (int i = 0; i < count; ++i) {
    const long long id = i + 1;
    std::optional<long long> predecessor;
    if (i % chain != 0) predecessor = id - 1;
    server.create(kJobs, soak_job(site, "soak-" + std::to_string(id), id, predecessor), "k8sjobs");
  }

  // A watch of the Jobs as the controller's own: the events it receives while the soak runs.
  sys::SystemClock clock;
  auto watcher = jobs::connect_to_cluster(
      site,
      sys::Environment(
          {{"KUBECONFIG", (dir.path() / "kubeconfig").string()}, {"HOME", dir.path().string()}}),
      clock);
  if (!watcher) throw std::runtime_error(watcher.error().message);
  std::atomic<bool> done{false};
  std::atomic<long long> job_events{0};
  std::thread watching([&] {
    kube::WatchOptions options;
    options.label_selector = translate::managed_by_selector();
    while (!done) {
      (void)(*watcher)->watch(
          kube::resources::kJobs, kNs, options, [&](const kube::WatchEvent& event) {
            if (event.type != "SYNC" && event.type != "BOOKMARK" && !done) ++job_events;
            return done ? kube::WatchControl::Stop : kube::WatchControl::Continue;
          });
    }
  });

  const long long writes_before = std::stoll(server.resource_version());
  const auto started = Clock::now();
  const pid_t pid = start_controller(controller, dir.path());

  // The kubelet: a released Job's pod runs and ends at once; its Job then completes.
  std::set<long long> finished, released;
  int early = 0;
  while (static_cast<int>(finished.size()) < count && Clock::now() - started < timeout) {
    bool acted = false;
    for (const auto& job : server.list(kJobs)) {
      const long long id = job_id_of(job);
      if (job["spec"].value("suspend", false) || finished.contains(id)) continue;
      if (released.insert(id).second) {
        for (long long before : jobs::read_predecessors(job).ids)
          if (!finished.contains(before)) ++early;
      }
      const std::string name = job["metadata"].value("name", "");
      for (const auto& pod : server.pods_of_job(kNs, name)) {
        server.set_pod_running(kNs, pod, "node-1");
        server.finish_pod(kNs, pod, 0);
        finished.insert(id);
        acted = true;
      }
    }
    if (!acted) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const long long writes = std::stoll(server.resource_version()) - writes_before;
  done = true;
  // One more change wakes the watch so that it sees `done` and ends.
  const std::string first = server.list(kJobs).front()["metadata"].value("name", "");
  server.merge_patch(kJobs + "/" + first, json{{"metadata", {{"labels", {{"soak", "done"}}}}}});
  watching.join();

  ::kill(pid, SIGTERM);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::cout << "jobs " << count << "\ncompleted " << finished.size() << "\nearly " << early
            << "\nstuck " << count - static_cast<int>(finished.size()) << "\nseconds " << seconds
            << "\ncontroller_peak_rss_kib " << usage.ru_maxrss << "\ncontroller_cpu_seconds " << cpu
            << "\njob_events " << job_events << "\ncluster_writes " << writes << "\n";
  return early == 0 && static_cast<int>(finished.size()) == count ? 0 : 1;
} catch (const std::exception& error) {
  std::cerr << "k8sjobs-controller-soak: " << error.what() << "\n";
  return 1;
}
