#pragma once
// Submitting a parsed request to Kubernetes: the -once guard, a job ID, the workload object,
// and cleanup so a failure never leaves half a job behind.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/jobs/job_id_block.h"
#include "k8sjobs/jobs/submit_failure.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/sys/clock.h"
#include "k8sjobs/translate/workload.h"

namespace k8sjobs::jobs {

struct SubmittedJob {
  long long id = 0;
  std::string namespace_name;
  std::string object_name;
  const kube::ResourceKind* kind = nullptr;
  nlohmann::json object;  // as the server stored it
};

// How old a -once guard without its job must be before it counts as left behind by a
// submitter that died half-way (younger ones belong to a submission still in progress).
inline constexpr std::chrono::seconds kOnceGuardGrace{60};

class KubeSubmitter {
 public:
  // `job_id_blocks` (may be null): this host's block of job IDs, so that most submissions take
  // their ID with no request (jobs/job_id_block.h).
  KubeSubmitter(kube::KubeClient& client, const site::SiteConfig& site, sys::Clock& clock,
                JobIdBlockStore* job_id_blocks = nullptr)
      : client_(client), site_(site), clock_(clock), job_id_blocks_(job_id_blocks) {}

  // `already_active_message` is what -once prints when a job of that name is active (it
  // carries jsub's ctime stamp, which the caller formats).
  Expected<SubmittedJob, SubmitFailure> submit(const ge::SubmitRequest& request,
                                               const translate::SubmitContext& context,
                                               const std::string& already_active_message);

 private:
  // True when an unfinished job (Job or Deployment) with exactly this Grid Engine name exists.
  kube::Result<bool> has_active_job(const std::string& ns, const std::string& job_name);
  // Creates the -once guard; false when another live submission or job holds it.
  kube::Result<bool> take_once_guard(const std::string& ns, const std::string& job_name,
                                     nlohmann::json& guard);

  kube::KubeClient& client_;
  const site::SiteConfig& site_;
  sys::Clock& clock_;
  JobIdBlockStore* job_id_blocks_;
};

// The name of the ConfigMap that guards -once for a job name (stable, valid, collision-safe).
std::string once_guard_name(const std::string& job_name);

// Is this Job finished (a Complete or Failed condition, looked up by type)?
bool job_finished(const nlohmann::json& job);

}  // namespace k8sjobs::jobs
