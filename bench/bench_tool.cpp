// k8sjobs-bench: the measured half of the benchmarks in bench/*.sh.
//   k8sjobs-bench creates N [FIRST]    N sequential ConfigMap-free Job creates through the client
//                                      (one process, one kept-alive connection), job IDs FIRST..
//                                      (default 100000); prints seconds. The server's Job
//                                      controller gives each Job its pod.
//   k8sjobs-bench pages                the URL of every LIST page qstat requests (Jobs,
//                                      Deployments, Pods; its label selector, limit=500, each
//                                      `continue` followed), one per line, for curl to download
//                                      the same pages in the same run
//   k8sjobs-bench manifest NAME        the JSON of the Job jsub would create for `jsub -N NAME
//                                      /bin/true`, for curl to POST in the same run
// Both read the cluster from KUBECONFIG like every k8sjobs command.
#include <chrono>
#include <iostream>
#include <string>

#include "k8sjobs/jobs/kube_backend.h"
#include "k8sjobs/kube/resources.h"
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

// What KubeClient::list requests for one page, written out for curl.
std::string page_url(const kube::ResourceKind& kind, const std::string& ns,
                     const kube::ListOptions& options) {
  std::string url = kind.collection_path(ns) +
                    "?labelSelector=" + kube::url_encode(options.label_selector) +
                    "&limit=" + std::to_string(options.limit);
  if (!options.continue_token.empty())
    url += "&continue=" + kube::url_encode(options.continue_token);
  return url;
}

int print_pages(kube::KubeClient& client) {
  kube::ListOptions options;
  options.label_selector =
      std::string(translate::kManagedByLabel) + "=" + translate::kManagedByValue;
  options.limit = 500;
  for (const auto* kind :
       {&kube::resources::kJobs, &kube::resources::kDeployments, &kube::resources::kPods}) {
    kube::ListOptions page = options;
    for (;;) {
      std::cout << page_url(*kind, "tool-alice", page) << "\n";
      auto listed = client.list(*kind, "tool-alice", page);
      if (!listed) {
        std::cerr << listed.error().describe() << "\n";
        return 1;
      }
      if (listed->continue_token.empty()) break;
      page.continue_token = listed->continue_token;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || (argc < 3 && std::string(argv[1]) != "pages")) {
    std::cerr << "usage: k8sjobs-bench creates N [FIRST_ID] | manifest NAME | pages\n";
    return 2;
  }
  std::string what = argv[1];
  site::SiteConfig site;
  if (what == "manifest") {
    std::cout << sample_workload(site, argv[2], 1).object.dump() << "\n";
    return 0;
  }
  if (what != "creates" && what != "pages") return 2;
  sys::SystemClock clock;
  auto environment = sys::Environment::from_process();
  auto client = jobs::connect_to_cluster(site, environment, clock);
  if (!client) {
    std::cerr << client.error().message << "\n";
    return 1;
  }
  if (what == "pages") return print_pages(**client);
  int count = std::stoi(argv[2]);
  long long first_id = argc > 3 ? std::stoll(argv[3]) : 100000;
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    auto workload = sample_workload(site, "bench", first_id + i);
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
