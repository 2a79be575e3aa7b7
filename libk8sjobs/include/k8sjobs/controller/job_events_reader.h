// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads a job's recent Kubernetes Events for its status page, when the page is asked for: the
// Events whose involvedObject is the job's Job (or Deployment) and those of its newest pods,
// each one LIST with a field selector (involvedObject.kind and involvedObject.name, which
// kube-apiserver supports for core/v1 Events). Answers are kept for a few seconds, so a page
// that polls, or many people looking at one job, cost the API server one round per job.
// Thread-safe: the HTTP server's threads share it (and its one client, behind a mutex).

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "k8sjobs/jobs/job_record.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/status/job_events.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

class JobEventsReader {
 public:
  // The pods of a job whose Events are read, newest first (a job that restarted often has many).
  static constexpr int kMaxPods = 5;
  static constexpr std::chrono::seconds kKeepFor{10};
  static constexpr std::size_t kMaxKept = 256;

  JobEventsReader(std::unique_ptr<kube::KubeClient> client, sys::Clock& clock);

  status::JobEvents read(const std::string& ns, const jobs::JobRecord& job);

 private:
  status::JobEvents fetch(const std::string& ns, const jobs::JobRecord& job);

  std::mutex mutex_;
  std::unique_ptr<kube::KubeClient> client_;
  sys::Clock& clock_;
  std::map<std::pair<std::string, long long>, std::pair<jobs::TimePoint, status::JobEvents>> kept_;
};

// The field selector of the Events of one object: "involvedObject.kind=Pod,involvedObject.name=x"
// (',', '=' and '\' in the name escaped as field selectors want).
std::string events_field_selector(const std::string& kind, const std::string& name);

}  // namespace k8sjobs::controller
