#include "k8sjobs/jobs/kube_backend.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <mutex>
#include <tuple>

#include "k8sjobs/acct/accounting_shards.h"
#include "k8sjobs/jobs/foreign_job_ids.h"
#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/kube_submitter.h"
#include "k8sjobs/jobs/toolforge_job_view.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/kube/connection_resolver.h"
#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/curl_transport.h"
#include "k8sjobs/kube/tls_session_store.h"
#include "k8sjobs/log.h"
#include "k8sjobs/sys/cache_directory.h"
#include "k8sjobs/sys/host_name.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::jobs {

using nlohmann::json;

namespace {

std::string selector_for_job(long long id) {
  return translate::managed_by_selector() + "," + translate::kJobIdLabel + "=" + std::to_string(id);
}

BackendError backend_error(const kube::Error& error) {
  return BackendError{error.describe(), 1};
}

std::string signal_name(int number) {
  // sigabbrev_np is glibc 2.32+: the names Grid Engine printed (without "SIG").
  const char* name = sigabbrev_np(number);
  return name != nullptr ? name : std::to_string(number);
}

// How a pod's container ended, when it has.
std::optional<TaskExit> exit_of(const json& pod, int task_id) {
  using untrusted::object_member;
  const auto& statuses = untrusted::array_member(object_member(pod, "status"), "containerStatuses");
  for (const auto& status : statuses) {
    const auto& state = object_member(status, "state");
    if (untrusted::member(state, "terminated") == nullptr) continue;
    const auto& terminated = object_member(state, "terminated");
    TaskExit exit;
    exit.task_id = task_id;
    int code = untrusted::int_or(terminated, "exitCode", 0);
    int signal = untrusted::int_or(terminated, "signal", 0, 0, 255);
    if (signal == 0 && code > 128 && code <= 128 + 64) signal = code - 128;
    if (signal != 0) {
      exit.kind = TaskExit::Kind::Signaled;
      exit.signal_name = signal_name(signal);
    } else {
      exit.kind = TaskExit::Kind::Exited;
      exit.exit_code = code;
    }
    return exit;
  }
  return std::nullopt;
}

// The array task a pod ran: from its completion index and the job's task range. nullopt when
// the index is not one (the pod is then not counted).
std::optional<int> task_id_of_pod(const json& pod, const json& job) {
  using untrusted::object_member;
  const auto& annotations = object_member(object_member(pod, "metadata"), "annotations");
  const json* index = untrusted::member(annotations, "batch.kubernetes.io/job-completion-index");
  if (index == nullptr) return 0;
  if (!index->is_string()) return std::nullopt;
  auto number = untrusted::parse_decimal(index->get_ref<const std::string&>(), 0,
                                         untrusted::kMaxArrayTasks - 1);
  if (!number) return std::nullopt;
  auto details = job_details_from_annotation(
      untrusted::string_or(object_member(object_member(job, "metadata"), "annotations"),
                           translate::kDetailsAnnotation, "{}"));
  ArrayRange array = details.details.array.value_or(ArrayRange{});
  long long task = array.first + *number * array.step;
  if (task > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(task);
}

class KubeBackend final : public JobBackend {
 public:
  KubeBackend(std::unique_ptr<kube::KubeClient> client, const site::SiteConfig& site,
              sys::Clock& clock, std::string namespace_name,
              std::unique_ptr<JobIdBlockStore> job_id_blocks)
      : client_(std::move(client)),
        site_(site),
        clock_(clock),
        namespace_(std::move(namespace_name)),
        job_id_blocks_(std::move(job_id_blocks)) {}

  Expected<SubmitReceipt, SubmitFailure> submit(
      const ge::SubmitRequest& request, const translate::SubmitContext& context,
      const std::string& already_active_message) override {
    KubeSubmitter submitter(*client_, site_, clock_, job_id_blocks_.get());
    auto submitted = submitter.submit(request, context, already_active_message);
    if (!submitted) return unexpected(submitted.error());
    return SubmitReceipt{submitted->id,
                         submitted->namespace_name,
                         {{std::string(submitted->kind->kind), submitted->object_name}},
                         {}};
  }

  Expected<std::vector<TaskExit>, BackendError> wait(const SubmitReceipt& receipt) override {
    if (receipt.backend_objects.empty()) return unexpected(BackendError{"nothing to wait for", 1});
    const auto& [kind, name] = receipt.backend_objects.front();
    const kube::ResourceKind& resource =
        kind == "Deployment" ? kube::resources::kDeployments : kube::resources::kJobs;
    kube::WatchOptions options;
    options.field_selector = "metadata.name=" + name;
    json last;
    bool deleted = false;
    auto watched = client_->watch(
        resource, receipt.backend_namespace, options, [&](const kube::WatchEvent& event) {
          if (event.type == "DELETED") {
            deleted = true;
            return kube::WatchControl::Stop;
          }
          last = event.object;
          return resource.plural == "jobs" && job_finished(last) ? kube::WatchControl::Stop
                                                                 : kube::WatchControl::Continue;
        });
    if (!watched) return unexpected(backend_error(watched.error()));

    kube::ListOptions pods_of_job;
    pods_of_job.label_selector = selector_for_job(receipt.id);
    auto pods = client_->list_all(kube::resources::kPods, receipt.backend_namespace, pods_of_job);
    if (!pods) return unexpected(backend_error(pods.error()));

    // The newest terminated pod of each task decides its exit.
    std::map<int, std::pair<std::string, TaskExit>> by_task;
    for (const auto& pod : pods->items) {
      auto task_id = task_id_of_pod(pod, last);
      if (!task_id) continue;
      auto exit = exit_of(pod, *task_id);
      if (!exit) continue;
      std::string created =
          untrusted::string_or(untrusted::object_member(pod, "metadata"), "creationTimestamp");
      auto& slot = by_task[*task_id];
      if (slot.first <= created) slot = {created, *exit};
    }
    std::vector<TaskExit> exits;
    for (auto& [task, entry] : by_task) exits.push_back(entry.second);
    if (exits.empty()) {
      TaskExit unknown;
      unknown.kind = deleted ? TaskExit::Kind::NoInformation : TaskExit::Kind::NeverRan;
      exits.push_back(unknown);
    }
    return exits;
  }

  Expected<JobListing, BackendError> list(const JobQuery& query) override {
    JobViewCollector collector;
    if (auto collected = collect(collector); !collected) return unexpected(collected.error());
    JobListing listing;
    listing.records = collector.take_records();
    listing.warnings = collector.take_warnings();
    add_foreign_jobs(listing.records, listing.warnings,
                     [&](JobRecord&& record) { listing.records.push_back(std::move(record)); });
    std::stable_sort(listing.records.begin(), listing.records.end(),
                     [](const JobRecord& a, const JobRecord& b) { return a.id < b.id; });
    // Filtered in place: at 10,000 jobs a second vector of records costs megabytes.
    std::erase_if(listing.records, [&](const JobRecord& record) {
      return !wanted(query, record.owner, record.tasks);
    });
    return listing;
  }

  // The namespace's accounting shards (acct/accounting_shards.h), a few per page: a shard is
  // up to 900 KiB of data, and each page is freed once its records are read.
  Expected<AccountingListing, BackendError> read_accounting(const AccountingFilter& keep) override {
    kube::ListOptions options;
    options.label_selector =
        std::string(acct::kAccountingLabel) + "=" + acct::kAccountingLabelValue;
    options.limit = 8;
    const kube::ItemFields fields{{{"metadata", {"name"}}}};
    AccountingListing listing;
    auto listed = client_->list_pages(
        kube::resources::kConfigMaps, namespace_, options,
        [&](kube::ListPage& page, bool restarted) {
          if (restarted) listing = AccountingListing{};
          for (const auto& item : page.items) {
            const std::string name = untrusted::object_reference(item, "configmap");
            for (const auto& [key, value] : untrusted::object_member(item, "data").items()) {
              auto record = value.is_string()
                                ? acct::decode_record(value.get_ref<const std::string&>())
                                : acct::decode_record("");
              if (!record) {
                listing.warnings.push_back("ignoring " + name + " record " +
                                           untrusted::quoted(key) + ": " + record.error());
                continue;
              }
              if (keep(*record)) listing.records.push_back(std::move(*record));
            }
          }
        },
        &fields);
    if (!listed) return unexpected(backend_error(listed.error()));
    return listing;
  }

  Expected<JobTableListing, BackendError> list_table(const JobQuery& query) override {
    JobViewCollector collector(/*lean=*/true);
    if (auto collected = collect(collector); !collected) return unexpected(collected.error());
    JobTableListing listing;
    listing.table = collector.take_table();
    listing.warnings = collector.take_warnings();
    std::vector<long long> ours;
    ours.reserve(listing.table.jobs.size());
    for (const TableJob& job : listing.table.jobs) ours.push_back(job.id);
    bool added = false;
    add_foreign_jobs_by_id(ours, listing.warnings, [&](JobRecord&& record) {
      listing.table.add(record);
      added = true;
    });
    if (added) {
      std::sort(listing.table.jobs.begin(), listing.table.jobs.end(),
                [](const TableJob& a, const TableJob& b) {
                  return std::tie(a.id, a.first_task) < std::tie(b.id, b.first_task);
                });
    }
    const JobTable& table = listing.table;
    std::erase_if(listing.table.jobs, [&](const TableJob& job) {
      return !wanted(query, job.owner, table.tasks_of(job));
    });
    return listing;
  }

  Expected<DeleteResult, BackendError> remove(const JobRecord& job, const std::vector<int>& tasks,
                                              bool force) override {
    if (!tasks.empty()) {
      return unexpected(BackendError{
          "deleting single tasks of an array job is not possible on Kubernetes: delete job " +
              std::to_string(job.id) + " as a whole",
          1});
    }
    bool deleting = std::any_of(job.tasks.begin(), job.tasks.end(), [](const TaskRecord& task) {
      return task.state == JobState::Deleting;
    });
    if (deleting && !force) return DeleteResult::AlreadyDeleting;
    bool running = std::any_of(job.tasks.begin(), job.tasks.end(), [](const TaskRecord& task) {
      return task.state == JobState::Running || task.state == JobState::Restarted ||
             task.state == JobState::Starting || task.state == JobState::Deleting;
    });
    bool any_found = false;
    const bool foreign = !job.managed_by.empty();
    if (foreign && (job.managed_by != kToolforgeManagedByValue || job.backend_uid.empty() ||
                    !site_.interop.toolforge_jobs)) {
      return unexpected(BackendError{"job " + std::to_string(job.id) + " is not k8sjobs'", 1});
    }
    for (const auto& [kind, name] : job.backend_objects) {
      const kube::ResourceKind& resource = kind == "Deployment" ? kube::resources::kDeployments
                                           : kind == "CronJob" && foreign
                                               ? kube::resources::kCronJobs
                                               : kube::resources::kJobs;
      kube::DeleteOptions options;  // Background: the pods go with the job
      if (force) options.grace_period_seconds = 0;
      // The framework's job only while it is still the object that was listed (and proven to be
      // the framework's in this namespace): a new object of the same name is not deleted.
      if (foreign) options.precondition_uid = job.backend_uid;
      auto removed = client_->remove(
          resource, job.backend_namespace.empty() ? namespace_ : job.backend_namespace, name,
          options);
      if (!removed) {
        if (removed.error().is(kube::StatusReason::NotFound)) continue;
        return unexpected(backend_error(removed.error()));
      }
      any_found = true;
    }
    if (!any_found) return DeleteResult::NotFound;
    if (force && !foreign) {
      // qdel -f: do not wait for the pods' grace period either.
      kube::ListOptions pods_of_job;
      pods_of_job.label_selector = selector_for_job(job.id);
      if (auto pods = client_->list_all(kube::resources::kPods, namespace_, pods_of_job)) {
        for (const auto& pod : pods->items) {
          kube::DeleteOptions now;
          now.grace_period_seconds = 0;
          auto name = untrusted::string_member(untrusted::object_member(pod, "metadata"), "name");
          if (name && !name->empty())
            client_->remove(kube::resources::kPods, namespace_, *name, now);
        }
      }
    }
    return running ? DeleteResult::Registered : DeleteResult::Deleted;
  }

  Expected<Done, BackendError> hold(const JobRecord& job) override { return set_held(job, true); }
  Expected<Done, BackendError> release(const JobRecord& job) override {
    return set_held(job, false);
  }

 private:
  // Reads the namespace into `collector`: one label-selected LIST per kind, 500 objects a
  // page, the kinds side by side (each on its own connection: on a real API server a page
  // costs server time that one walk alone would spend waiting); each page is parsed keeping
  // only the fields the collector reads, reduced as it arrives and freed, so memory follows
  // the number of jobs and not the size of the objects.
  Expected<Done, BackendError> collect(JobViewCollector& collector) {
    kube::ListOptions options;
    options.label_selector = translate::managed_by_selector();
    options.limit = 500;
    struct Listing {
      const kube::ResourceKind* kind;
      const std::vector<std::string>& spec_fields;
      const std::vector<std::string>& status_fields;
      void (JobViewCollector::*add)(const json&);
      void (JobViewCollector::*clear)();
    };
    // The walks' pages reach the collector one at a time. Jobs, then Deployments (one page,
    // mostly) on one connection, Pods on another: the owners keep the order they had.
    std::mutex collecting;
    std::vector<std::vector<kube::KubeClient::ListWalk>> lanes(2);
    for (const Listing& listing :
         {Listing{&kube::resources::kJobs, JobViewCollector::job_spec_fields(),
                  JobViewCollector::job_status_fields(), &JobViewCollector::add_job,
                  &JobViewCollector::clear_jobs},
          Listing{&kube::resources::kDeployments, JobViewCollector::deployment_spec_fields(),
                  JobViewCollector::deployment_status_fields(), &JobViewCollector::add_deployment,
                  &JobViewCollector::clear_deployments},
          Listing{&kube::resources::kPods, JobViewCollector::pod_spec_fields(),
                  JobViewCollector::pod_status_fields(), &JobViewCollector::add_pod,
                  &JobViewCollector::clear_pods}}) {
      kube::KubeClient::ListWalk walk;
      walk.kind = listing.kind;
      walk.options = options;
      walk.fields = JobViewCollector::item_fields(listing.spec_fields, listing.status_fields);
      walk.on_page = [&collector, &collecting, add = listing.add, clear = listing.clear](
                         kube::ListPage& page, bool restarted) {
        std::lock_guard lock(collecting);
        if (restarted) (collector.*clear)();
        for (const auto& item : page.items) (collector.*add)(item);
      };
      lanes[listing.kind == &kube::resources::kPods ? 1 : 0].push_back(std::move(walk));
    }
    for (auto& listed : client_->list_pages_side_by_side(namespace_, lanes)) {
      if (!listed) return unexpected(backend_error(listed.error()));
    }
    return Done{};
  }

  // The Toolforge jobs framework's jobs in the namespace, each with its recorded job number
  // (docs/qstat.md): `add` takes each, after the listing of ours. `ours`: their numbers, sorted
  // (a framework job whose recorded number is one of them is not shown: it could be mistaken
  // for ours by qdel). Off with interop.toolforge_jobs: false. Nothing here fails the command:
  // what cannot be read or recorded is a warning, and the rest of the listing stays.
  template <class Add>
  void add_foreign_jobs_by_id(const std::vector<long long>& ours,
                              std::vector<std::string>& warnings, Add add) {
    if (!site_.interop.toolforge_jobs) return;
    JobIdAllocator allocator(*client_, clock_, job_id_blocks_.get());
    ForeignJobIdRecord ids(*client_, allocator, namespace_);
    const std::string unseen = " (the Toolforge jobs framework's jobs are not shown)";
    auto before = ids.read();
    if (!before) {
      warnings.push_back("cannot read configmap/" + std::string(kForeignJobIdConfigMap) + ": " +
                         before.error().describe() + unseen);
      return;
    }
    for (auto& warning : before->warnings) warnings.push_back(std::move(warning));
    ToolforgeJobCollector collector(namespace_, site_.tool_prefix);
    kube::ListOptions options;
    options.label_selector =
        std::string(translate::kManagedByLabel) + "=" + kToolforgeManagedByValue;
    struct Listing {
      const kube::ResourceKind* kind;
      void (ToolforgeJobCollector::*add)(const json&);
    };
    for (const Listing& listing :
         {Listing{&kube::resources::kJobs, &ToolforgeJobCollector::add_job},
          Listing{&kube::resources::kCronJobs, &ToolforgeJobCollector::add_cronjob},
          Listing{&kube::resources::kDeployments, &ToolforgeJobCollector::add_deployment},
          Listing{&kube::resources::kPods, &ToolforgeJobCollector::add_pod}}) {
      // Their pods only when there is a job to show them in.
      if (listing.kind == &kube::resources::kPods && !collector.has_jobs()) break;
      auto listed = client_->list_all(*listing.kind, namespace_, options);
      if (!listed) {
        warnings.push_back("cannot list the Toolforge jobs framework's " +
                           std::string(listing.kind->plural) + ": " + listed.error().describe() +
                           unseen);
        return;
      }
      for (const auto& item : listed->items) (collector.*listing.add)(item);
    }
    ForeignJobListing found = collector.take();
    for (auto& warning : found.warnings) warnings.push_back(std::move(warning));
    if (found.jobs.empty()) return;
    ids.assign(found.jobs, *before, warnings);
    for (auto& job : found.jobs) {
      if (job.record.id == 0) continue;
      if (std::binary_search(ours.begin(), ours.end(), job.record.id)) {
        warnings.push_back("ignoring " + job.record.backend_objects.front().first + " " +
                           untrusted::quoted(job.record.name) + ": its recorded job number " +
                           std::to_string(job.record.id) + " is a k8sjobs job's");
        continue;
      }
      add(std::move(job.record));
    }
  }

  template <class Add>
  void add_foreign_jobs(const std::vector<JobRecord>& records, std::vector<std::string>& warnings,
                        Add add) {
    std::vector<long long> ours;
    ours.reserve(records.size());
    for (const auto& record : records) ours.push_back(record.id);
    add_foreign_jobs_by_id(ours, warnings, std::move(add));
  }

  // The query's owners, and finished jobs only with -s z.
  template <class Tasks>
  static bool wanted(const JobQuery& query, std::string_view owner, const Tasks& tasks) {
    bool everybody = query.users.empty() ||
                     std::find(query.users.begin(), query.users.end(), "*") != query.users.end();
    if (!everybody &&
        std::find(query.users.begin(), query.users.end(), owner) == query.users.end()) {
      return false;
    }
    bool finished = std::all_of(tasks.begin(), tasks.end(), [](const auto& task) {
      return task.state == JobState::Succeeded || task.state == JobState::Failed;
    });
    return !finished || query.include_finished;
  }

  Expected<Done, BackendError> set_held(const JobRecord& job, bool held) {
    if (!job.managed_by.empty()) {
      return unexpected(BackendError{"job " + std::to_string(job.id) +
                                         " belongs to the Toolforge jobs framework: hold and "
                                         "release it with `toolforge jobs`",
                                     1});
    }
    // qrls of a job whose -a time is still ahead removes the hold only: as in Grid Engine the
    // job goes on waiting (qw), and k8sjobs-controller starts it when the time comes.
    // Likewise a job with -hold_jid predecessors stays suspended: Grid Engine's qrls removes
    // user holds only; k8sjobs-controller starts it once they have all finished.
    const bool suspend = held ||
                         (job.execution_time.has_value() && *job.execution_time > clock_.now()) ||
                         !job.predecessor_jobs.empty();
    json hold_mark = held ? json("user") : json(nullptr);  // null: merge patch removes it
    for (const auto& [kind, name] : job.backend_objects) {
      bool deployment = kind == "Deployment";
      json patch = deployment ? json{{"spec", {{"replicas", suspend ? 0 : 1}}}}
                              : json{{"spec", {{"suspend", suspend}}}};
      patch["metadata"] = {{"annotations", {{translate::kHoldAnnotation, hold_mark}}}};
      auto patched =
          client_->patch(deployment ? kube::resources::kDeployments : kube::resources::kJobs,
                         job.backend_namespace.empty() ? namespace_ : job.backend_namespace, name,
                         kube::PatchType::Merge, patch);
      if (!patched) return unexpected(backend_error(patched.error()));
    }
    return Done{};
  }

  std::unique_ptr<kube::KubeClient> client_;
  // A copy: the backend may outlive the configuration it was made from (the controller's status
  // page makes its backends from an adjusted copy of the site it loaded).
  const site::SiteConfig site_;
  sys::Clock& clock_;
  std::string namespace_;
  std::unique_ptr<JobIdBlockStore> job_id_blocks_;
};

}  // namespace

Expected<std::unique_ptr<kube::KubeClient>, BackendError> connect_to_cluster(
    const site::SiteConfig& site, const sys::Environment& environment, sys::Clock& clock,
    std::string* namespace_from_context, std::string* server) {
  kube::ConnectionRequest request;
  request.kubeconfig = site.kubernetes.kubeconfig;
  request.context = site.kubernetes.context;
  if (auto dir = environment.get("K8SJOBS_SERVICE_ACCOUNT_DIR")) request.service_account_dir = *dir;
  auto connection = kube::resolve_connection(request, environment);
  if (!connection) return unexpected(BackendError{connection.error().describe(), 1});
  if (namespace_from_context != nullptr) *namespace_from_context = connection->namespace_name;
  if (server != nullptr) *server = connection->server;
  auto credentials = kube::make_credential_provider(*connection, clock, environment);
  kube::TransportOptions transport_options;
  if (site.client.tls_session_cache) {
    if (auto cache = sys::k8sjobs_cache_directory(environment)) {
      transport_options.tls_sessions = kube::make_file_tls_session_store(*cache);
    }
  }
  auto transport =
      kube::make_curl_transport(*connection, std::move(credentials), std::move(transport_options));
  kube::RetryPolicy policy;
  policy.max_attempts = site.client.retry.max_attempts;
  policy.initial_backoff = site.client.retry.initial_backoff;
  policy.max_backoff = site.client.retry.max_backoff;
  policy.deadline =
      std::chrono::duration_cast<std::chrono::milliseconds>(site.client.retry.deadline);
  return std::make_unique<kube::KubeClient>(std::move(transport), policy, clock);
}

Expected<std::unique_ptr<JobBackend>, BackendError> make_kube_backend(
    const site::SiteConfig& site, const sys::Environment& environment, sys::Clock& clock,
    const std::string& user) {
  std::string server;
  auto client = connect_to_cluster(site, environment, clock, nullptr, &server);
  if (!client) return unexpected(client.error());
  std::string namespace_name = site.namespace_for(user);
  return make_kube_backend(
      std::move(*client), site, clock, namespace_name,
      make_file_job_id_block_store(environment, server, namespace_name, sys::host_name()));
}

std::unique_ptr<JobBackend> make_kube_backend(std::unique_ptr<kube::KubeClient> client,
                                              const site::SiteConfig& site, sys::Clock& clock,
                                              const std::string& namespace_name,
                                              std::unique_ptr<JobIdBlockStore> job_id_blocks) {
  return std::make_unique<KubeBackend>(std::move(client), site, clock, namespace_name,
                                       std::move(job_id_blocks));
}

}  // namespace k8sjobs::jobs
