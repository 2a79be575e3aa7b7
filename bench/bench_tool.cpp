// k8sjobs-bench: the measured half of the benchmarks in bench/*.sh.
//   k8sjobs-bench creates N            N sequential ConfigMap-free Job creates through the client
//                                      (one process, one kept-alive connection); prints seconds
//   k8sjobs-bench manifest NAME        the JSON of the Job jsub would create for `jsub -N NAME
//                                      /bin/true`, for curl to POST in the same run
// Both read the cluster from KUBECONFIG like every k8sjobs command.
#include <chrono>
#include <iostream>
#include <string>

#include "k8sjobs/jobs/kube_backend.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/workload.h"

using namespace k8sjobs;

namespace {

translate::Workload sample_workload(const site::SiteConfig& site, const std::string& name,
                                    long long id) {
  ge::SubmitRequest request;
  request.user = "tools.alice";
  request.home = "/data/project/alice";
  request.submit_cwd = request.home;
  request.working_dir = request.home;
  request.job_name = name;
  request.program = "/bin/true";
  request.resolved_program = "/bin/true";
  request.release = site.images.default_release;
  translate::SubmitContext context;
  context.hostname = "bench";
  context.submit_time = std::chrono::system_clock::now();
  auto workload = translate::build_workload(
      request, site, {id, "tool-alice", translate::object_name(name, id)}, context);
  return std::move(*workload);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: k8sjobs-bench creates N | manifest NAME\n";
    return 2;
  }
  std::string what = argv[1];
  site::SiteConfig site;
  if (what == "manifest") {
    std::cout << sample_workload(site, argv[2], 1).object.dump() << "\n";
    return 0;
  }
  if (what != "creates") return 2;
  int count = std::stoi(argv[2]);
  sys::SystemClock clock;
  auto environment = sys::Environment::from_process();
  auto client = jobs::connect_to_cluster(site, environment, clock);
  if (!client) {
    std::cerr << client.error().message << "\n";
    return 1;
  }
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    auto workload = sample_workload(site, "bench", 100000 + i);
    auto created = (*client)->create(kube::resources::kJobs, "tool-alice", workload.object);
    if (!created) {
      std::cerr << created.error().describe() << "\n";
      return 1;
    }
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  std::cout << elapsed.count() << "\n";
  return 0;
}
