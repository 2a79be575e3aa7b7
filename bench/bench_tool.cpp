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
//   k8sjobs-bench manifests N [FIRST]  N such Jobs (job IDs FIRST.., default 100000), one JSON
//                                      a line, exactly as `creates` POSTs them (the client's
//                                      create-token annotation included): for the test API
//                                      server's benchmark-only --preload
//   k8sjobs-bench status N NS RUNS     N jobs spread over NS namespaces (every state): the
//                                      median of RUNS renderings of the status overview (s), its
//                                      size (bytes), and as reference the median time to dump the
//                                      same tasks as JSON with nlohmann; one "name value" a line
//   k8sjobs-bench acct-shards N        N accounting records (finished jobs of tools.alice) in the
//                                      ConfigMap shards k8sjobs-controller writes (fill_shard's
//                                      900 KiB rule), one JSON a line: for --preload
//   k8sjobs-bench acct-pages           the URL of every LIST page qacct requests
// creates, pages and acct-pages read the cluster from KUBECONFIG like every k8sjobs command.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>

#include "k8sjobs/acct/accounting_shards.h"
#include "k8sjobs/controller/accounting_decision.h"
#include "k8sjobs/jobs/kube_backend.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/status/status_pages.h"
#include "k8sjobs/status/status_snapshot.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"
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
  options.label_selector = translate::managed_by_selector();
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

// The pages qacct reads: its label selector, 8 shards a page.
int print_accounting_pages(kube::KubeClient& client) {
  kube::ListOptions page;
  page.label_selector = std::string(acct::kAccountingLabel) + "=" + acct::kAccountingLabelValue;
  page.limit = 8;
  for (;;) {
    std::cout << page_url(kube::resources::kConfigMaps, "tool-alice", page) << "\n";
    auto listed = client.list(kube::resources::kConfigMaps, "tool-alice", page);
    if (!listed) {
      std::cerr << listed.error().describe() << "\n";
      return 1;
    }
    if (listed->continue_token.empty()) break;
    page.continue_token = listed->continue_token;
  }
  return 0;
}

// `count` records of realistic size (a 36-character uid, a node name, granted resources) in
// shards as the controller fills them; prints each shard's ConfigMap and, on stderr, the
// number of shards and their data bytes.
int print_accounting_shards(int count) {
  std::vector<acct::AccountingRecord> records;
  const auto start = std::chrono::system_clock::from_time_t(1893456000);
  for (int i = 0; i < count; ++i) {
    acct::AccountingRecord record;
    char uid[40];
    std::snprintf(uid, sizeof uid, "%08x-4965-4632-b20f-%012x", static_cast<unsigned>(i),
                  static_cast<unsigned>(i * 7919));
    record.key = std::string("tool-alice/") + uid + "/0";
    record.qname = "task";
    record.hostname = "k8s-worker-nfs-" + std::to_string(i % 40);
    record.group = record.owner = "tools.alice";
    record.jobname = "update-" + std::to_string(i % 50);
    record.jobnumber = 100000 + i;
    record.qsub_time = start + std::chrono::seconds(i * 60);
    record.start_time = *record.qsub_time + std::chrono::seconds(3);
    record.end_time = *record.start_time + std::chrono::seconds(60 + i % 600);
    record.ru_wallclock = 60 + i % 600;
    record.exit_status = i % 13 == 0 ? 1 : 0;
    record.granted = "-l h_vmem=2G,h_rt=3600";
    records.push_back(std::move(record));
  }
  int shards = 0;
  std::size_t bytes = 0;
  while (!records.empty()) {
    auto fill = controller::fill_shard(nlohmann::json::object(), records);
    nlohmann::json data = nlohmann::json::object();
    for (auto& [key, value] : fill.added) data[key] = std::move(value);
    bytes += acct::data_bytes(data);
    nlohmann::json shard = {{"apiVersion", "v1"},
                            {"kind", "ConfigMap"},
                            {"metadata",
                             {{"name", acct::shard_name("203001", shards)},
                              {"namespace", "tool-alice"},
                              {"labels",
                               {{translate::kManagedByLabel, translate::kManagedByValue},
                                {acct::kAccountingLabel, acct::kAccountingLabelValue},
                                {acct::kPeriodLabel, "203001"}}}}},
                            {"data", std::move(data)}};
    std::cout << shard.dump() << "\n";
    ++shards;
    records = std::move(fill.left);
  }
  std::cerr << count << " records: " << shards << " shards, " << bytes << " bytes of data\n";
  return 0;
}

}  // namespace

// What KubeClient::create sends for a Job: kind, apiVersion and a create token added.
int print_manifests(const site::SiteConfig& site, int count, long long first_id) {
  std::mt19937_64 random(std::random_device{}());
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  for (int i = 0; i < count; ++i) {
    auto object = sample_workload(site, "bench", first_id + i).object;
    object["apiVersion"] = kube::resources::kJobs.api_version();
    object["kind"] = kube::resources::kJobs.kind;
    std::string token;
    for (int c = 0; c < 20; ++c) token.push_back(kAlphabet[pick(random)]);
    object["metadata"]["annotations"][kube::kCreateTokenAnnotation] = token;
    std::cout << object.dump() << "\n";
  }
  return std::cout.good() ? 0 : 1;
}

// Jobs in every state the overview counts, spread over `spaces` namespaces.
std::vector<jobs::JobRecord> status_records(int count, int spaces) {
  const jobs::JobState states[] = {jobs::JobState::Running,   jobs::JobState::Pending,
                                   jobs::JobState::Held,      jobs::JobState::Error,
                                   jobs::JobState::Restarted, jobs::JobState::Succeeded};
  const auto now = std::chrono::system_clock::now();
  std::vector<jobs::JobRecord> records(count);
  for (int i = 0; i < count; ++i) {
    auto& record = records[i];
    record.id = 100000 + i;
    record.name = "job-" + std::to_string(i);
    record.owner = "tools.tool" + std::to_string(i % spaces);
    record.backend_namespace = "tool-" + std::to_string(i % spaces);
    record.submission_time = now - std::chrono::seconds(i);
    record.hard_resources = {{"h_vmem", "512M"}};
    jobs::TaskRecord task;
    task.state = states[i % 6];
    if (task.state == jobs::JobState::Running) {
      task.node = "node-" + std::to_string(i % 40);
      task.start_time = now;
    }
    record.tasks.push_back(task);
  }
  return records;
}

template <class Work>
double median_seconds(int runs, Work work) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto started = std::chrono::steady_clock::now();
    work();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Everything the overview can show beside the jobs, so the page is measured at its largest:
// capacity, memory in use of every running task, and as many tasks finished within the hour
// (their Jobs gone) as there are jobs.
status::ClusterFacts status_facts(const std::vector<jobs::JobRecord>& records) {
  const auto now = std::chrono::system_clock::now();
  status::ClusterFacts facts;
  facts.capacity = status::ClusterCapacity{40, 40 * 3920, 40 * (16LL << 30)};
  facts.memory.emplace();
  for (const auto& record : records) {
    if (record.tasks.front().state == jobs::JobState::Running)
      (*facts.memory)[{record.backend_namespace, record.id, 0}] = 300LL << 20;
    facts.finished[{record.backend_namespace, record.id + 1000000, 0}] =
        now - std::chrono::seconds(record.id % 3000);
  }
  return facts;
}

int bench_status(int count, int spaces, int runs) {
  const auto records = status_records(count, spaces);
  const auto facts = status_facts(records);
  status::StatusSnapshot snapshot;
  // Building the snapshot (state letters, counts): once per --status-interval, not per request.
  const double build = median_seconds(runs, [&] {
    snapshot = status::build_status_snapshot(records, std::chrono::system_clock::now(), facts);
  });
  std::size_t bytes = 0;
  const double overview =
      median_seconds(runs, [&] { bytes = status::render_overview_html(snapshot).size(); });
  std::size_t json_bytes = 0;
  const double reference = median_seconds(runs, [&] {
    nlohmann::json tasks = nlohmann::json::array();
    for (const auto& [name, space] : snapshot.namespaces)
      for (const auto& row : space.rows)
        tasks.push_back({{"namespace", name},
                         {"id", row.id},
                         {"name", row.name},
                         {"owner", row.owner},
                         {"state", row.state}});
    json_bytes = tasks.dump().size();
  });
  std::cout << "snapshot_seconds " << build << "\noverview_seconds " << overview
            << "\noverview_bytes " << bytes << "\njson_dump_seconds " << reference
            << "\njson_dump_bytes " << json_bytes << "\n";
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2 ||
      (argc < 3 && std::string(argv[1]) != "pages" && std::string(argv[1]) != "acct-pages")) {
    std::cerr << "usage: k8sjobs-bench creates N [FIRST_ID] | manifest NAME | manifests N "
                 "[FIRST_ID] | pages | status N NAMESPACES RUNS | acct-shards N | acct-pages\n";
    return 2;
  }
  std::string what = argv[1];
  if (what == "status") {
    if (argc < 5) return 2;
    return bench_status(std::stoi(argv[2]), std::stoi(argv[3]), std::stoi(argv[4]));
  }
  site::SiteConfig site;
  if (what == "manifest") {
    std::cout << sample_workload(site, argv[2], 1).object.dump() << "\n";
    return 0;
  }
  if (what == "acct-shards") return print_accounting_shards(std::stoi(argv[2]));
  if (what == "manifests") {
    return print_manifests(site, std::stoi(argv[2]), argc > 3 ? std::stoll(argv[3]) : 100000);
  }
  if (what != "creates" && what != "pages" && what != "acct-pages") return 2;
  sys::SystemClock clock;
  auto environment = sys::Environment::from_process();
  auto client = jobs::connect_to_cluster(site, environment, clock);
  if (!client) {
    std::cerr << client.error().message << "\n";
    return 1;
  }
  if (what == "pages") return print_pages(**client);
  if (what == "acct-pages") return print_accounting_pages(**client);
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
