// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Toolforge jobs framework's objects → JobRecords: how qstat, qdel, job and jstop see the
// jobs `toolforge jobs run` made in the same namespace. Pure: the objects come from one LIST per
// kind selected by app.kubernetes.io/managed-by=toolforge-jobs-framework.
//
// One-off → batch/v1 Job (component "jobs"), scheduled → batch/v1 CronJob ("cronjobs"; the
// Jobs it starts carry the same name and component and are its runs, not jobs of their own),
// continuous → apps/v1 Deployment ("deployments"). Their pods carry the template's labels, so
// a pod belongs to the job of the same component and name.
//
// Every field is untrusted, as in kube_job_view.h: an object whose labels do not prove what it
// is (the framework's labels, its kind's component, a name, the tool, its uid, this namespace)
// is skipped with one warning; it is then never listed, so never deleted.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::jobs {

inline constexpr const char* kToolforgeManagedByValue = "toolforge-jobs-framework";

// A framework job before it has a job number: `uid` (metadata.uid) is what its number is
// recorded under (jobs/foreign_job_ids.h). record.id is 0.
struct ForeignJob {
  std::string uid;
  JobRecord record;
};

struct ForeignJobListing {
  std::vector<ForeignJob> jobs;       // in the order added
  std::vector<std::string> warnings;  // "ignoring cronjob/x: ..."
};

class ToolforgeJobCollector {
 public:
  // `namespace_name`: the namespace listed. `tool_prefix`: the site's; the owner of a job
  // created by tool "alice" is "tools.alice", as Grid Engine showed the tool's jobs.
  ToolforgeJobCollector(std::string namespace_name, std::string tool_prefix)
      : namespace_(std::move(namespace_name)), tool_prefix_(std::move(tool_prefix)) {}

  void add_job(const nlohmann::json& job);
  void add_cronjob(const nlohmann::json& cronjob);
  void add_deployment(const nlohmann::json& deployment);
  void add_pod(const nlohmann::json& pod);

  // Whether some Job, CronJob or Deployment was taken (the pods are then worth a LIST).
  bool has_jobs() const { return !owners_.empty(); }
  // The jobs with their tasks derived from the pods. Leaves the collector empty.
  ForeignJobListing take();

  enum class Kind { Job, CronJob, Deployment };
  struct OwnerFacts {
    Kind kind = Kind::Job;
    bool suspended = false;  // Job/CronJob spec.suspend, Deployment replicas 0
    bool deleting = false;
    bool complete = false;
    bool failed = false;
  };
  struct PodTask {
    std::string created;
    TaskRecord task;
  };

 private:
  void add_owner(const nlohmann::json& object, Kind kind);

  std::string namespace_;
  std::string tool_prefix_;
  std::vector<std::pair<ForeignJob, OwnerFacts>> owners_;
  std::map<std::pair<std::string, std::string>, PodTask> pods_;  // (component, name) → newest
  std::vector<std::string> warnings_;
};

}  // namespace k8sjobs::jobs
