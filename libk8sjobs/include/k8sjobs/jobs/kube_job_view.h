#pragma once
// Kubernetes objects → JobRecords: how qstat sees Jobs, Deployments and their Pods. Pure: the
// objects come from one label-selected LIST per kind.
//
// JobViewCollector takes the objects one at a time, as the pages of those LISTs arrive, and
// keeps only what a JobRecord needs (the owner's fields and flags, the task each pod shows):
// the JSON of a page can be freed as soon as it is read, so memory follows the number of jobs,
// not the size of the objects.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/jobs/backend.h"
#include "k8sjobs/jobs/job_details.h"
#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/jobs/job_table.h"

namespace k8sjobs::kube {
struct ItemFields;  // k8sjobs/kube/client.h
}  // namespace k8sjobs::kube

namespace k8sjobs::jobs {

struct ClusterSnapshot {
  std::vector<nlohmann::json> jobs;         // batch/v1 Jobs labelled managed-by=k8sjobs
  std::vector<nlohmann::json> deployments;  // apps/v1 Deployments labelled managed-by=k8sjobs
  std::vector<nlohmann::json> pods;         // their pods (same label)
  std::vector<nlohmann::json> events;  // optional: v1 Events in the namespace (FailedCreate...)
};

class JobViewCollector {
 public:
  // `lean`: keep only what take_table() gives (qstat's tables), never full records: a job
  // costs about 200 bytes then instead of 2 KB (docs/qstat.md). take_records() is for the
  // other mode only.
  explicit JobViewCollector(bool lean = false) : lean_(lean) {}

  // The only `spec` fields the collector reads of each kind (metadata and status it reads
  // whole): a LIST may skip the rest while parsing.
  static const std::vector<std::string>& job_spec_fields();
  static const std::vector<std::string>& deployment_spec_fields();
  static const std::vector<std::string>& pod_spec_fields();
  // Likewise of `metadata` (every kind) and `status`: the rest of them (ownerReferences, uid,
  // a pod's IPs...) was built as JSON values only to be freed unread.
  static const std::vector<std::string>& metadata_fields();
  static const std::vector<std::string>& job_status_fields();
  static const std::vector<std::string>& deployment_status_fields();
  static const std::vector<std::string>& pod_status_fields();
  // The cut a LIST of one kind needs for this collector: those `spec` and `status` fields and
  // metadata_fields(), plus `extra_metadata` for a caller that reads more (e.g. the uid).
  static kube::ItemFields item_fields(const std::vector<std::string>& spec_fields,
                                      const std::vector<std::string>& status_fields,
                                      const std::vector<std::string>& extra_metadata = {});

  void add_job(const nlohmann::json& job);
  void add_deployment(const nlohmann::json& deployment);
  void add_pod(const nlohmann::json& pod);
  // A LIST that started over (expired continue token): forget that kind's objects.
  void clear_jobs();
  void clear_deployments();
  void clear_pods();

  // One JobRecord per Job/Deployment, tasks derived from the pods, sorted by job ID. Finished
  // jobs are included (state Succeeded/Failed); the caller filters. Leaves the collector empty.
  std::vector<JobRecord> take_records();
  // The same jobs, in the same order, as a lean table (lean mode only).
  JobTable take_table();
  // One line per object skipped ("ignoring job/x: label k8sjobs.io/job-id \"abc\" is not a job
  // number") or shown with defaults for some fields; in the order added. Leaves none behind.
  std::vector<std::string> take_warnings();

  // What an owner (Job or Deployment) contributes besides its JobRecord fields.
  struct OwnerFacts {
    bool deployment = false;
    bool held = false;  // Job spec.suspend, Deployment replicas 0, by the user (-h, qhold)
    bool waiting_for_start = false;  // suspended only until its -a time (qw)
    bool deleting = false;
    bool complete = false;
    bool failed = false;
    std::string completed_indexes;  // status.completedIndexes
    std::string failed_indexes;     // status.failedIndexes
    // When the Job finished: status.completionTime, else its Failed condition's time (a
    // failed Job has no completionTime). A task whose pod is gone ends then.
    std::optional<TimePoint> finished_at;
  };
  // The newest pod of one completion index, reduced to the task it shows.
  struct PodTask {
    std::string created;  // creationTimestamp: the newest pod wins
    TaskRecord task;
  };

 private:
  struct OwnerKey {
    long long id;  // k8sjobs.io/job-id, as the pods carry it
    OwnerFacts facts;
  };
  enum class Source { Jobs, Deployments, Pods };
  void add_owner(const nlohmann::json& object, bool deployment);
  void clear_owners(bool deployments);
  void clear_warnings(Source source);

  // A pod in lean mode: the fields the tasks derive from, strings in table_'s arena.
  struct LeanPod {
    long long id = 0;
    std::string_view created;
    TableTask task;
    int index = 0;
    std::uint32_t order = 0;  // how many pods came before it (ties: the later one wins)
  };

  const bool lean_;
  // The last details annotation decoded, and what it gave. The jobs of one name (a crontab
  // line's runs) come one after another (a LIST is ordered by object name, <name>-<number>)
  // and carry the same text; decoding it was a tenth of qstat's time at 10,000 jobs.
  std::string details_text_;
  DecodedJobDetails details_;
  bool details_known_ = false;
  // Parallel: the records are filled in place and handed over without a copy. In lean mode
  // table_.jobs takes the records' place (its tasks come in take_table) and pods go to
  // lean_pods_ instead of pods_.
  std::vector<JobRecord> records_;
  JobTable table_;
  std::vector<LeanPod> lean_pods_;
  std::vector<OwnerKey> owners_;
  // job-id label → completion index (0 when not indexed) → newest pod's task.
  std::map<long long, std::map<int, PodTask>> pods_;
  std::vector<std::pair<Source, std::string>> warnings_;
};

// What makes a Job or Deployment k8sjobs' and its user's (the label managed-by=k8sjobs, a name,
// a job number in k8sjobs.io/job-id, the owner label matching the owner annotation): the job
// number, or why the object is not to be touched. What every reader of the cluster checks
// (qstat's records, k8sjobs-controller) before it believes anything else in the object.
Expected<long long, std::string> verify_owner_identity(const nlohmann::json& object);
// Whether the object is labelled k8sjobs.io/awaiting-job-id=true: a converted CronJob's run
// before k8sjobs-controller gave it a number (translate/labels.h).
bool awaits_job_id(const nlohmann::json& object);

// The task one pod shows (phase, containers, node, deletion), as every listing reads it: the
// Toolforge jobs framework's pods too (jobs/toolforge_job_view.h). Task id 0.
TaskRecord task_of_pod(const nlohmann::json& pod);

// A task whose program runs (or is being stopped while it runs): a hold does not change how
// qstat shows it until the pod is gone.
bool still_running(const TaskRecord& task);

// The collector over a whole snapshot at once: the records and the warnings.
JobListing derive_job_listing(const ClusterSnapshot& snapshot);
// The records alone.
std::vector<JobRecord> derive_job_records(const ClusterSnapshot& snapshot);

}  // namespace k8sjobs::jobs
